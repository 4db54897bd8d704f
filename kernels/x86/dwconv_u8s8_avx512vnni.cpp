// AVX-512 VNNI depthwise kernel. vpdpbusd sums four u8 x s8 products per
// 32-bit lane; depthwise has one product per channel and tap, so the kernel
// feeds it four taps of one channel per lane: 64 channels of four taps are
// loaded as four zmm and interleaved with two rounds of byte / word unpacks
// into four zmm of (tap0..tap3) dwords. Per 64 channels and 4 taps that is 4
// loads, 8 shuffles and 4 vpdpbusd, against 16 widening loads and 16 vpdpbusd
// with one tap per lane. Taps are padded to a multiple of 4 with zero
// weights. The unpacks work within 128-bit lanes, so accumulator j holds, in
// lane L, channels 16L + 4j .. 16L + 4j + 3. Bias and multipliers are packed
// in that order too, and the in-lane vpackssdw / vpackuswb that narrow the
// four requantized accumulators happen to put the bytes back in channel
// order, so the u8 / s8 epilogue needs no permute (only S32 output pays a
// 4x4 transpose of 128-bit lanes). Channel tails use masked loads and
// stores: nothing past C is touched.
//
// Packed layout, per block of 64 channels: tap groups x 4 zmm of weights
// (dword i of zmm j: the 4 taps of channel 16 (i / 4) + 4 j + i % 4), then 4
// zmm of folded bias and 4 zmm of multipliers in the same channel order.
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/dwconv_lanes_avx512.h"
#include "kernels/x86/dwconv_x86.h"

// GCC 12 reports the intrinsics' own _mm512_undefined_* placeholders as
// "may be used uninitialized" once inlined here; the values are never read.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace octet::kernels {

namespace {

constexpr int64_t kBlock = 64;  // channels per step

int64_t tap_groups(int64_t taps) { return (taps + 3) / 4; }

struct Requant {
  __m512 lo, hi;  // qmin - zp, qmax - zp: the clamp applied before rounding
  __m512i zp;
};

inline __m512i requant16(__m512i acc, const float* mult, const Requant& r) {
  __m512 s = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), _mm512_loadu_ps(mult));
  s = _mm512_min_ps(_mm512_max_ps(s, r.lo), r.hi);
  return _mm512_add_epi32(_mm512_cvtps_epi32(s), r.zp);
}


// Bias, requantization and store of channels [c, c + 64); `mask` selects
// the channels that exist (bit i: channel c + i).
inline void finish_block(const DwConvArgs& a, const Requant& r, __m512i acc[4], const __m512i* bias,
                         const float* mult, int64_t index, __mmask64 mask) {
  for (int q = 0; q < 4; ++q) acc[q] = _mm512_add_epi32(acc[q], _mm512_load_si512(bias + q));
  if (a.type == QGemmOutput::S32) {
    x86::transpose_lanes(acc);
    int32_t* y = static_cast<int32_t*>(a.y) + index;
    for (int q = 0; q < 4; ++q)
      _mm512_mask_storeu_epi32(y + 16 * q, static_cast<__mmask16>(mask >> (16 * q)), acc[q]);
    return;
  }
  for (int q = 0; q < 4; ++q) acc[q] = requant16(acc[q], mult + 16 * q, r);
  // Lane L: words of channels 16L + 0..7, then 16L + 8..15; then bytes 16L + 0..15.
  // The values lie in [qmin, qmax], so the saturating packs change nothing.
  const __m512i w01 = _mm512_packs_epi32(acc[0], acc[1]), w23 = _mm512_packs_epi32(acc[2], acc[3]);
  const __m512i bytes = a.type == QGemmOutput::U8 ? _mm512_packus_epi16(w01, w23) : _mm512_packs_epi16(w01, w23);
  _mm512_mask_storeu_epi8(static_cast<uint8_t*>(a.y) + index, mask, bytes);
}

template <int kTaps>
void dwconv_pixels(const DwConvArgs& a) {
  const int64_t taps = kTaps ? kTaps : a.taps, groups = tap_groups(taps), C = a.channels;
  const __m512i* weights = static_cast<const __m512i*>(a.weights);
  Requant r;
  r.lo = _mm512_set1_ps(static_cast<float>(a.qmin - a.zero_point));
  r.hi = _mm512_set1_ps(static_cast<float>(a.qmax - a.zero_point));
  r.zp = _mm512_set1_epi32(a.zero_point);
  for (int64_t p = 0; p < a.pixels; ++p) {
    const uint8_t* const* in = a.input + p * taps;
    for (int64_t c = 0, block = 0; c < C; c += kBlock, ++block) {
      const __mmask64 mask = C - c >= kBlock ? ~__mmask64{0} : (__mmask64{1} << (C - c)) - 1;
      const __m512i* w = weights + block * (groups + 2) * 4;
      __m512i acc[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(),
                        _mm512_setzero_si512()};
      for (int64_t g = 0; g < groups; ++g, w += 4) {
        __m512i x[4];
        for (int k = 0; k < 4; ++k) {
          const int64_t t = 4 * g + k;  // taps past the end have zero weights: any bytes do
          x[k] = t < taps ? _mm512_maskz_loadu_epi8(mask, in[t] + c) : _mm512_setzero_si512();
        }
        const x86::DwordQuads q = x86::interleave_quads(x[0], x[1], x[2], x[3]);
        for (int j = 0; j < 4; ++j) acc[j] = _mm512_dpbusd_epi32(acc[j], q.v[j], _mm512_load_si512(w + j));
      }
      finish_block(a, r, acc, w, reinterpret_cast<const float*>(w + 4), p * a.y_stride + c, mask);
    }
  }
}

}  // namespace

int64_t dwconv_packed_bytes_avx512vnni(int64_t channels, int64_t taps) {
  return (channels + kBlock - 1) / kBlock * (tap_groups(taps) + 2) * 4 * 64;
}

void dwconv_pack_avx512vnni(int64_t channels, int64_t taps, const int8_t* w, const int32_t* bias,
                            const float* multiplier, void* packed) {
  const int64_t groups = tap_groups(taps);
  uint8_t* out = static_cast<uint8_t*>(packed);
  std::memset(out, 0, static_cast<size_t>(dwconv_packed_bytes_avx512vnni(channels, taps)));
  for (int64_t block = 0; block * kBlock < channels; ++block) {
    uint8_t* dst = out + block * (groups + 2) * 4 * 64;
    int8_t* weights = reinterpret_cast<int8_t*>(dst);
    int32_t* b = reinterpret_cast<int32_t*>(dst + groups * 4 * 64);
    float* m = reinterpret_cast<float*>(dst + (groups + 1) * 4 * 64);
    for (int64_t j = 0; j < 4; ++j)
      for (int64_t i = 0; i < 16; ++i) {
        // Dword i of accumulator j: lane i / 4, channel 16 * lane + 4 * j + i % 4.
        const int64_t c = block * kBlock + 16 * (i / 4) + 4 * j + i % 4;
        if (c >= channels) continue;
        b[j * 16 + i] = bias[c];
        m[j * 16 + i] = multiplier[c];
        for (int64_t g = 0; g < groups; ++g)
          for (int64_t k = 0; k < 4 && 4 * g + k < taps; ++k)
            weights[((g * 4 + j) * 16 + i) * 4 + k] = w[c * taps + 4 * g + k];
      }
  }
}

void dwconv_u8s8_avx512vnni(const DwConvArgs& a) {
  switch (a.taps) {
    case 9: return dwconv_pixels<9>(a);
    case 25: return dwconv_pixels<25>(a);
    default: return dwconv_pixels<0>(a);
  }
}

}  // namespace octet::kernels
