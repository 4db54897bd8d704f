// AVX-512 VNNI 3x3 depthwise kernel over one or two output rows, dilation
// 1, stride_w 1 or 2 (mobilenet's depthwise layers). The per-pixel kernel
// (dwconv_u8s8_avx512vnni.cpp) interleaves 4 taps into dwords for every
// output pixel; here the dword of a channel is one input column's rows
// (row0, row1, row2, 0), built once per column and kept in registers while
// the row is walked, so a column is interleaved once instead of once per
// output pixel that reads it (3 times at stride 1, 1.5 at stride 2):
//
//   y[ox] = bias + sum over kx of vpdpbusd(column[ox * stride - pad_left + kx], weights[kx])
//
// with weights[kx] the dwords (w[0][kx], w[1][kx], w[2][kx], 0). That is
// the per-pixel kernel's packed layout with tap group kx holding taps
// (ky = 0..2, a zero 4th), so dwconv_pack_avx512vnni packs it, and the
// accumulators hold channels in the same in-lane order (lane L of
// accumulator j: channels 16L + 4j .. 16L + 4j + 3), which the in-lane packs
// of the epilogue put back in channel order.
//
// Two output rows (stride_h 1) fill the spare byte: the dword (row0, row1,
// row2, row3) serves the first row with (w0, w1, w2, 0) and the second with
// (0, w0, w1, w2), halving the interleaves per output pixel. A channel tail
// of at most 32 runs two output pixels per zmm (one per 256-bit half)
// instead of a half-empty zmm per pixel (C = 32 is the 112x112 layer).
// Per pixel and 64 channels at stride 1 that leaves 12 vpdpbusd, 4 shuffles
// and the epilogue below (19 instructions), on the two ports that run
// 512-bit vector instructions.
//
// Epilogue (bit-exact with kernels/ref/requantize.h: round half even,
// + zero point, saturate, clamp): the sums start at the bias; per zmm cvt,
// mul, cvt; then vpackssdw, vpaddsw of the zero point, vpackuswb /
// vpacksswb, and the clamp [qmin, qmax] on the 64 packed bytes. The
// saturating word steps are exact: a value they saturate lies beyond the
// output range already, on the same side, and |zero point| <= 255 cannot
// bring it back. The float-to-int conversion must not overflow, which the
// pack decides once (Guard, stored after the blocks):
//   Bounded  every channel's |bias| + 9 * 255 * 128 times |multiplier| is
//            below 2^30 (the usual case): no product reaches int32's ends.
//   Clamped  finite multipliers: min(x, qmax - zp) in float first (which
//            also applies qmax); below int32 the conversion gives INT_MIN,
//            which stays below the range through every saturating step.
//   NanSafe  a non-finite multiplier can make NaN, which requantize.h maps
//            to the zero point: NaN masked to 0, then the float clamp to
//            [qmin - zp, qmax - zp] of the per-pixel kernel.
#include <immintrin.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "kernels/x86/dwconv_lanes_avx512.h"
#include "kernels/x86/dwconv_x86.h"

// GCC 12 reports the intrinsics' own _mm512_undefined_* placeholders as
// "(may be) used uninitialized" once inlined here; the values are never read.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace octet::kernels {

namespace {

constexpr int64_t kBlock = 64;                // channels per step
constexpr int64_t kTaps = 12;                 // 3 kernel columns of 4 taps (3 rows and a zero)
constexpr int64_t kBlockVectors = 3 * 4 + 8;  // per block: weights, then 4 of bias, 4 of multipliers

// One input column of 64 channels as 4 zmm of (row0, row1, row2, row3 or 0)
// dwords (or of 32 channels of two columns, one per 256-bit half); row3 is
// zero for one output row, the fourth input row for two.
using Column = x86::DwordQuads;

// The address of column ix of row ky, channel c: the zero-point row
// outside the image. Picking an address rather than a value keeps the
// column code free of branches that join a loaded and a constant column
// (which cost register moves on every pixel).
__attribute__((always_inline)) inline const uint8_t* column_at(const DwConv3x3RowArgs& a, int ky, int64_t ix,
                                                               int64_t c) {
  const bool inside = ix >= 0 && ix < a.in_w;
  return (inside ? a.rows[ky] + ix * a.pixel_stride[ky] : a.zero_row) + c;
}

// Column ix of kRows + 2 input rows, channels [c, c + 64) within mask.
template <int kRows>
__attribute__((always_inline)) inline Column column(const DwConv3x3RowArgs& a, int64_t ix, int64_t c,
                                                    __mmask64 mask) {
  return x86::interleave_quads(_mm512_maskz_loadu_epi8(mask, column_at(a, 0, ix, c)),
                    _mm512_maskz_loadu_epi8(mask, column_at(a, 1, ix, c)),
                    _mm512_maskz_loadu_epi8(mask, column_at(a, 2, ix, c)),
                    kRows == 2 ? _mm512_maskz_loadu_epi8(mask, column_at(a, 3, ix, c)) : _mm512_setzero_si512());
}

// A tail of at most 32 channels [c, c + 32) within mask of two columns: ix
// in the low 256 bits, ix + step in the high ones (the zero point outside
// the image). kDense (C == 32, step 1: the two columns are 64 adjacent
// bytes) loads both at once; a masked load touches only its enabled bytes,
// so the address of column -1 is never read.
template <int kStep, bool kDense, int kRows>
__attribute__((always_inline)) inline Column column_pair(const DwConv3x3RowArgs& a, int64_t ix, int64_t c,
                                                         __mmask32 mask, __m256i zp) {
  const bool lo_in = ix >= 0 && ix < a.in_w, hi_in = ix + kStep >= 0 && ix + kStep < a.in_w;
  __m512i x[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()};
  if constexpr (kDense) {
    const __mmask64 both = (lo_in ? 0xFFFFFFFFull : 0) | (hi_in ? 0xFFFFFFFF00000000ull : 0);
    const __m512i zp2 = _mm512_broadcast_i64x4(zp);
    for (int ky = 0; ky < kRows + 2; ++ky) {  // pixel_stride 0: the zero-point row, all zp2
      const uintptr_t at = reinterpret_cast<uintptr_t>(a.rows[ky]) + ix * a.pixel_stride[ky];
      x[ky] = _mm512_mask_loadu_epi8(zp2, a.pixel_stride[ky] ? both : 0, reinterpret_cast<const void*>(at));
    }
    return x86::interleave_quads(x[0], x[1], x[2], x[3]);
  }
  for (int ky = 0; ky < kRows + 2; ++ky) {
    const __m256i lo = _mm256_maskz_loadu_epi8(mask, column_at(a, ky, ix, c));
    const __m256i hi = _mm256_maskz_loadu_epi8(mask, column_at(a, ky, ix + kStep, c));
    x[ky] = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
  }
  return x86::interleave_quads(x[0], x[1], x[2], x[3]);
}


// The output stage's constants, set once per call.
struct Requant {
  __m512 lo, hi;         // qmin - zp, qmax - zp
  __m512i zero_point16;  // as 16-bit words
  __m512i qmin8, qmax8;  // as bytes
};

Requant requant_of(const DwConv3x3RowArgs& a) {
  Requant r;
  r.lo = _mm512_set1_ps(static_cast<float>(a.qmin - a.zero_point));
  r.hi = _mm512_set1_ps(static_cast<float>(a.qmax - a.zero_point));
  r.zero_point16 = _mm512_set1_epi16(static_cast<int16_t>(a.zero_point));
  r.qmin8 = _mm512_set1_epi8(static_cast<char>(a.qmin));
  r.qmax8 = _mm512_set1_epi8(static_cast<char>(a.qmax));
  return r;
}

// How the requantization keeps the float-to-int conversion in range (see
// the top of the file); stored as an int32 after the packed blocks.
enum class Guard : int32_t { Bounded, Clamped, NanSafe };

// The largest |sum of products| of a 3x3 u8 x s8 window.
constexpr int64_t kMaxProducts = 9 * 255 * 128;

Guard guard_of(int64_t channels, const int32_t* bias, const float* multiplier) {
  Guard g = Guard::Bounded;
  for (int64_t c = 0; c < channels; ++c) {
    if (!std::isfinite(multiplier[c])) return Guard::NanSafe;
    // In double, against 2^30: float(acc) * multiplier rounds by far less than 2x.
    const double most = static_cast<double>(std::abs(static_cast<int64_t>(bias[c])) + kMaxProducts);
    if (most * std::fabs(static_cast<double>(multiplier[c])) >= 1073741824.0) g = Guard::Clamped;
  }
  return g;
}

// The output stage: type and Guard.
enum class Store { U8, S8, U8Clamped, S8Clamped, U8NanSafe, S8NanSafe, S32 };

// The 64 requantized bytes of the accumulators (bias included), in channel order.
template <Store kStore>
__attribute__((always_inline)) inline __m512i requantize_bytes(const __m512i acc[4], const float* mult,
                                                               const Requant& r) {
  constexpr bool kSigned = kStore == Store::S8 || kStore == Store::S8Clamped || kStore == Store::S8NanSafe;
  constexpr bool kNanSafe = kStore == Store::U8NanSafe || kStore == Store::S8NanSafe;
  constexpr bool kBounded = kStore == Store::U8 || kStore == Store::S8;
  __m512i q[4];
  for (int j = 0; j < 4; ++j) {
    // One rounding, like the scalar float(acc) * multiplier: no FMA to contract.
    __m512 x = _mm512_mul_ps(_mm512_cvtepi32_ps(acc[j]), _mm512_load_ps(mult + 16 * j));
    if constexpr (kNanSafe) {
      x = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, x, _CMP_ORD_Q), x);  // NaN -> 0: the zero point
      x = _mm512_max_ps(x, r.lo);
    }
    if constexpr (!kBounded) x = _mm512_min_ps(x, r.hi);
    q[j] = _mm512_cvtps_epi32(x);
  }
  // Lane L: words of channels 16L + 0..7, then 16L + 8..15; then bytes 16L + 0..15.
  const __m512i w01 = _mm512_adds_epi16(_mm512_packs_epi32(q[0], q[1]), r.zero_point16);
  const __m512i w23 = _mm512_adds_epi16(_mm512_packs_epi32(q[2], q[3]), r.zero_point16);
  // With min(x, qmax - zp) in float every value is <= qmax already.
  __m512i bytes = kSigned ? _mm512_max_epi8(_mm512_packs_epi16(w01, w23), r.qmin8)
                          : _mm512_max_epu8(_mm512_packus_epi16(w01, w23), r.qmin8);
  if constexpr (kBounded) bytes = kSigned ? _mm512_min_epi8(bytes, r.qmax8) : _mm512_min_epu8(bytes, r.qmax8);
  return bytes;
}

// Stores the accumulators' channels selected by `mask` (bit i: the vector's
// channel i) to y (bytes, or int32 for S32) at channel 0 of the vector.
template <Store kStore>
__attribute__((always_inline)) inline void store(__m512i acc[4], const float* mult, const Requant& r, uint8_t* y,
                                                 __mmask64 mask) {
  if constexpr (kStore == Store::S32) {
    x86::transpose_lanes(acc);
    for (int q = 0; q < 4; ++q)
      _mm512_mask_storeu_epi32(y + 64 * q, static_cast<__mmask16>(mask >> (16 * q)), acc[q]);
  } else {
    _mm512_mask_storeu_epi8(y, mask, requantize_bytes<kStore>(acc, mult, r));
  }
}

// acc = bias + the three kernel columns' dot products; w[4 * kx + j].
__attribute__((always_inline)) inline void accumulate(__m512i acc[4], const __m512i* w, const __m512i* bias,
                                                      const Column& g0, const Column& g1, const Column& g2) {
  for (int j = 0; j < 4; ++j) {
    acc[j] = _mm512_dpbusd_epi32(_mm512_load_si512(bias + j), g0.v[j], _mm512_load_si512(w + j));
    acc[j] = _mm512_dpbusd_epi32(acc[j], g1.v[j], _mm512_load_si512(w + 4 + j));
    acc[j] = _mm512_dpbusd_epi32(acc[j], g2.v[j], _mm512_load_si512(w + 8 + j));
  }
}

// The weights of the second output row, which reads input rows 1..3 of
// the column dwords: (0, w0, w1, w2), the first row's dwords one byte up.
__attribute__((always_inline)) inline void weights_below(const __m512i* w, __m512i below[12]) {
  for (int i = 0; i < 12; ++i) below[i] = _mm512_slli_epi32(_mm512_load_si512(w + i), 8);
}

// Channels [c, c + 64) within mask of kRows whole output rows, one pixel
// (of each row) at a time.
template <int kStride, Store kStore, int kRows>
void row_block(const DwConv3x3RowArgs& a, const Requant& r, const __m512i* w, int64_t c, __mmask64 mask) {
  constexpr int64_t kElement = kStore == Store::S32 ? 4 : 1;
  const __m512i* bias = w + 12;
  const float* mult = reinterpret_cast<const float*>(w + 16);
  alignas(64) __m512i below[12];
  if constexpr (kRows == 2) weights_below(w, below);
  uint8_t* y = static_cast<uint8_t*>(a.y) + c * kElement;
  const int64_t y_step = a.channels * kElement, y_row = a.out_w * y_step;
  int64_t ix = -a.pad_left, ox = 0;  // the first column under output pixel ox
  // Output pixel ox from columns (g0, g1, g2), then the columns the next
  // pixel lacks into the registers it no longer reads (stride 1: g0 <- ix + 3,
  // next (g1, g2, g0); stride 2: g0, g1 <- ix + 3, ix + 4, next (g2, g0, g1)):
  // the three sets rotate by name, not by register moves. False at the row's end.
  auto pixel = [&](Column& g0, Column& g1, const Column& g2) __attribute__((always_inline)) {
    __m512i acc[4];
    accumulate(acc, w, bias, g0, g1, g2);
    store<kStore>(acc, mult, r, y + ox * y_step, mask);
    if constexpr (kRows == 2) {
      accumulate(acc, below, bias, g0, g1, g2);
      store<kStore>(acc, mult, r, y + y_row + ox * y_step, mask);
    }
    if (++ox == a.out_w) return false;
    ix += kStride;
    if constexpr (kStride == 1) {
      g0 = column<kRows>(a, ix + 2, c, mask);
    } else {
      g0 = column<kRows>(a, ix + 1, c, mask), g1 = column<kRows>(a, ix + 2, c, mask);
    }
    return true;
  };
  Column A = column<kRows>(a, ix, c, mask), B = column<kRows>(a, ix + 1, c, mask);
  Column C = column<kRows>(a, ix + 2, c, mask);
  if constexpr (kStride == 1) {
    while (pixel(A, B, C) && pixel(B, C, A) && pixel(C, A, B)) {
    }
  } else {
    while (pixel(A, B, C) && pixel(C, A, B) && pixel(B, C, A)) {
    }
  }
}

// A tail of at most 32 channels [c, c + 32) within mask, two output pixels
// per zmm (pixel ox in the low 256 bits, ox + 1 in the high ones) instead
// of a half-empty zmm per pixel: the weights, bias and multipliers of the
// block's low half are copied to the high half once per call.
template <int kStride, Store kStore, bool kDense, int kRows>
void row_tail_pairs(const DwConv3x3RowArgs& a, const Requant& r, const __m512i* w, int64_t c, __mmask32 mask) {
  constexpr int64_t kElement = kStore == Store::S32 ? 4 : 1;
  alignas(64) __m512i wide[kBlockVectors], below[12];
  for (int64_t i = 0; i < kBlockVectors; ++i) {
    const __m512i v = _mm512_load_si512(w + i);
    wide[i] = _mm512_shuffle_i64x2(v, v, _MM_SHUFFLE(1, 0, 1, 0));
  }
  if constexpr (kRows == 2) weights_below(wide, below);
  const float* mult = reinterpret_cast<const float*>(wide + 16);
  const __m256i zp = _mm256_set1_epi8(static_cast<char>(a.x_zero_point));
  uint8_t* y0 = static_cast<uint8_t*>(a.y) + c * kElement;
  const int64_t y_step = a.channels * kElement, y_row = a.out_w * y_step;
  // Pixel ox + 1's bytes sit 32 channels into the vector: its store starts 32 channels early.
  const __mmask64 lo_mask = mask, hi_mask = static_cast<__mmask64>(mask) << 32;
  int64_t ix = -a.pad_left, ox = 0;  // the first column under output pixel ox
  auto pair = [&](int64_t x) __attribute__((always_inline)) {
    return column_pair<kStride, kDense, kRows>(a, x, c, mask, zp);
  };
  // Pixels ox and ox + 1 of one output row from its accumulators.
  auto store_pair = [&](__m512i acc[4], uint8_t* y) __attribute__((always_inline)) {
    const bool both = ox + 1 < a.out_w;
    if constexpr (kStore == Store::S32) {
      x86::transpose_lanes(acc);  // acc[0..1]: pixel ox, acc[2..3]: pixel ox + 1
      int32_t* out = reinterpret_cast<int32_t*>(y + ox * y_step);
      for (int q = 0; q < 2; ++q) {
        const __mmask16 m = static_cast<__mmask16>(mask >> (16 * q));
        _mm512_mask_storeu_epi32(out + 16 * q, m, acc[q]);
        if (both) _mm512_mask_storeu_epi32(out + a.channels + 16 * q, m, acc[q + 2]);
      }
    } else {
      const __m512i bytes = requantize_bytes<kStore>(acc, mult, r);
      _mm512_mask_storeu_epi8(y + ox * y_step, lo_mask, bytes);
      if (both) _mm512_mask_storeu_epi8(y + (ox + 1) * y_step - 32, hi_mask, bytes);
    }
  };
  // As row_block's pixel, two output pixels at a time: stride 1 keeps the
  // pair at ix + 2 (columns ix + 2, ix + 3) for the next two (g0, g1 <- the
  // pairs at ix + 3, ix + 4; next (g2, g0, g1)), stride 2 reads three new pairs.
  auto pixels = [&](Column& g0, Column& g1, Column& g2) __attribute__((always_inline)) {
    __m512i acc[4];
    accumulate(acc, wide, wide + 12, g0, g1, g2);
    store_pair(acc, y0);
    if constexpr (kRows == 2) {
      accumulate(acc, below, wide + 12, g0, g1, g2);
      store_pair(acc, y0 + y_row);
    }
    ox += 2;
    if (ox >= a.out_w) return false;
    ix += 2 * kStride;
    if constexpr (kStride == 1) {
      g0 = pair(ix + 1), g1 = pair(ix + 2);
    } else {
      g0 = pair(ix), g1 = pair(ix + 1), g2 = pair(ix + 2);
    }
    return true;
  };
  Column A = pair(ix), B = pair(ix + 1), C = pair(ix + 2);
  if constexpr (kStride == 1) {
    while (pixels(A, B, C) && pixels(C, A, B) && pixels(B, C, A)) {
    }
  } else {
    while (pixels(A, B, C)) {
    }
  }
}

template <int kStride, Store kStore, int kRows>
void dwconv3x3_rows(const DwConv3x3RowArgs& a) {
  const int64_t C = a.channels;
  const __m512i* packed = static_cast<const __m512i*>(a.packed);
  const Requant r = requant_of(a);
  for (int64_t c = 0, block = 0; c < C; c += kBlock, ++block) {
    const __m512i* w = packed + block * kBlockVectors;
    const int64_t n = C - c;
    if (n >= kBlock) {
      row_block<kStride, kStore, kRows>(a, r, w, c, ~__mmask64{0});
    } else if (n <= kBlock / 2) {
      const auto tail = static_cast<__mmask32>((uint64_t{1} << n) - 1);
      if (kStride == 1 && C == 32)
        row_tail_pairs<kStride, kStore, true, kRows>(a, r, w, c, tail);
      else
        row_tail_pairs<kStride, kStore, false, kRows>(a, r, w, c, tail);
    } else {
      row_block<kStride, kStore, kRows>(a, r, w, c, (__mmask64{1} << n) - 1);
    }
  }
}

template <int kStride, Store kStore>
void dwconv3x3_row(const DwConv3x3RowArgs& a) {
  if (a.out_rows == 2) return dwconv3x3_rows<kStride, kStore, 2>(a);
  dwconv3x3_rows<kStride, kStore, 1>(a);
}

int64_t blocks_bytes(int64_t channels) { return dwconv_packed_bytes_avx512vnni(channels, kTaps); }

template <int kStride>
void dwconv3x3_row_stride(const DwConv3x3RowArgs& a) {
  if (a.type == QGemmOutput::S32) return dwconv3x3_row<kStride, Store::S32>(a);
  const bool s8 = a.type == QGemmOutput::S8;
  Guard g;
  std::memcpy(&g, static_cast<const uint8_t*>(a.packed) + blocks_bytes(a.channels), sizeof g);
  switch (g) {
    case Guard::Bounded: return s8 ? dwconv3x3_row<kStride, Store::S8>(a) : dwconv3x3_row<kStride, Store::U8>(a);
    case Guard::Clamped:
      return s8 ? dwconv3x3_row<kStride, Store::S8Clamped>(a) : dwconv3x3_row<kStride, Store::U8Clamped>(a);
    case Guard::NanSafe: break;
  }
  return s8 ? dwconv3x3_row<kStride, Store::S8NanSafe>(a) : dwconv3x3_row<kStride, Store::U8NanSafe>(a);
}

}  // namespace

int64_t dwconv3x3_packed_bytes_avx512vnni(int64_t channels) { return blocks_bytes(channels) + kBlock; }

void dwconv3x3_pack_avx512vnni(int64_t channels, const int8_t* w, const int32_t* bias, const float* multiplier,
                               void* packed) {
  // Tap group kx = kernel column kx: taps (w[0][kx], w[1][kx], w[2][kx], 0).
  std::vector<int8_t> by_column(static_cast<size_t>(channels * kTaps), 0);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t ky = 0; ky < 3; ++ky)
      for (int64_t kx = 0; kx < 3; ++kx) by_column[c * kTaps + 4 * kx + ky] = w[c * 9 + 3 * ky + kx];
  dwconv_pack_avx512vnni(channels, kTaps, by_column.data(), bias, multiplier, packed);
  const Guard g = guard_of(channels, bias, multiplier);
  std::memcpy(static_cast<uint8_t*>(packed) + blocks_bytes(channels), &g, sizeof g);
}

void dwconv3x3_u8s8_row_avx512vnni(const DwConv3x3RowArgs& a) {
  if (a.stride == 1) return dwconv3x3_row_stride<1>(a);
  dwconv3x3_row_stride<2>(a);
}

}  // namespace octet::kernels
