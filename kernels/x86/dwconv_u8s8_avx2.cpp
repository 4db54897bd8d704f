// AVX2 depthwise kernel: 32 channels (4 ymm accumulators) per step, then 8,
// then a tail staged through small stack buffers so no load or store touches
// bytes past C. Taps are a template constant for 3x3 and 5x5 so the tap loop
// unrolls.
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/dwconv_x86.h"

namespace octet::kernels {

namespace {

struct Requant {
  __m256 lo, hi;  // qmin - zp, qmax - zp: the clamp applied before rounding
  __m256i zp;
};

// Eight lanes of u8 widened to int32, times int32 weights, exact:
// vpmaddwd sums x * w_low16 + 0 * w_high16.
inline __m256i tap8(const uint8_t* x, const int32_t* w) {
  const __m256i xv = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(x)));
  return _mm256_madd_epi16(xv, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)));
}

inline __m256i requant8(__m256i acc, const float* mult, const Requant& r) {
  __m256 s = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_loadu_ps(mult));
  s = _mm256_min_ps(_mm256_max_ps(s, r.lo), r.hi);
  return _mm256_add_epi32(_mm256_cvtps_epi32(s), r.zp);
}

// Narrows four vectors of in-range int32 to 32 bytes in channel order
// (the packs work within 128-bit lanes; the permute undoes the interleave).
inline __m256i narrow32(__m256i a, __m256i b, __m256i c, __m256i d, bool is_unsigned) {
  const __m256i ab = _mm256_packs_epi32(a, b), cd = _mm256_packs_epi32(c, d);
  const __m256i bytes = is_unsigned ? _mm256_packus_epi16(ab, cd) : _mm256_packs_epi16(ab, cd);
  return _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

inline __m128i narrow8(__m256i a, bool is_unsigned) {
  const __m256i w = _mm256_packs_epi32(a, a);
  const __m256i bytes = is_unsigned ? _mm256_packus_epi16(w, w) : _mm256_packs_epi16(w, w);
  return _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
}

// Stores 8 accumulators of channels [c, c + count) for count <= 8.
inline void store8(const DwConvArgs& a, const Requant& r, __m256i acc, int64_t index, int64_t c, int count) {
  if (a.type == QGemmOutput::S32) {
    int32_t* y = static_cast<int32_t*>(a.y) + index;
    if (count == 8) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(y), acc);
    } else {
      alignas(32) int32_t tmp[8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), acc);
      std::memcpy(y, tmp, sizeof(int32_t) * static_cast<size_t>(count));
    }
    return;
  }
  const __m128i bytes = narrow8(requant8(acc, a.multiplier + c, r), a.type == QGemmOutput::U8);
  uint8_t* y = static_cast<uint8_t*>(a.y) + index;
  if (count == 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(y), bytes);
  } else {
    alignas(16) uint8_t tmp[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(tmp), bytes);
    std::memcpy(y, tmp, static_cast<size_t>(count));
  }
}

template <int kTaps>
void dwconv_pixels(const DwConvArgs& a) {
  const int64_t taps = kTaps ? kTaps : a.taps, C = a.channels, ws = a.weights_stride;
  const int32_t* weights = static_cast<const int32_t*>(a.weights);
  const bool is_unsigned = a.type == QGemmOutput::U8;
  Requant r;
  r.lo = _mm256_set1_ps(static_cast<float>(a.qmin - a.zero_point));
  r.hi = _mm256_set1_ps(static_cast<float>(a.qmax - a.zero_point));
  r.zp = _mm256_set1_epi32(a.zero_point);
  for (int64_t p = 0; p < a.pixels; ++p) {
    const uint8_t* const* in = a.input + p * taps;
    const int64_t out = p * a.y_stride;
    int64_t c = 0;
    for (; c + 32 <= C; c += 32) {
      const int32_t* b = a.bias + c;
      __m256i acc0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b));
      __m256i acc1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 8));
      __m256i acc2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 16));
      __m256i acc3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 24));
      for (int64_t t = 0; t < taps; ++t) {
        const uint8_t* x = in[t] + c;
        const int32_t* w = weights + t * ws + c;
        acc0 = _mm256_add_epi32(acc0, tap8(x, w));
        acc1 = _mm256_add_epi32(acc1, tap8(x + 8, w + 8));
        acc2 = _mm256_add_epi32(acc2, tap8(x + 16, w + 16));
        acc3 = _mm256_add_epi32(acc3, tap8(x + 24, w + 24));
      }
      if (a.type == QGemmOutput::S32) {
        int32_t* y = static_cast<int32_t*>(a.y) + out + c;
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(y), acc0);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + 8), acc1);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + 16), acc2);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + 24), acc3);
        continue;
      }
      const float* m = a.multiplier + c;
      const __m256i bytes = narrow32(requant8(acc0, m, r), requant8(acc1, m + 8, r), requant8(acc2, m + 16, r),
                                     requant8(acc3, m + 24, r), is_unsigned);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(static_cast<uint8_t*>(a.y) + out + c), bytes);
    }
    for (; c + 8 <= C; c += 8) {
      __m256i acc = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.bias + c));
      for (int64_t t = 0; t < taps; ++t) acc = _mm256_add_epi32(acc, tap8(in[t] + c, weights + t * ws + c));
      store8(a, r, acc, out + c, c, 8);
    }
    if (c < C) {
      const int count = static_cast<int>(C - c);
      __m256i acc = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.bias + c));
      for (int64_t t = 0; t < taps; ++t) {
        alignas(8) uint8_t x[8] = {};
        std::memcpy(x, in[t] + c, static_cast<size_t>(count));
        acc = _mm256_add_epi32(acc, tap8(x, weights + t * ws + c));
      }
      store8(a, r, acc, out + c, c, count);
    }
  }
}

}  // namespace

void dwconv_u8s8_avx2(const DwConvArgs& a) {
  switch (a.taps) {
    case 9: return dwconv_pixels<9>(a);
    case 25: return dwconv_pixels<25>(a);
    default: return dwconv_pixels<0>(a);
  }
}

}  // namespace octet::kernels
