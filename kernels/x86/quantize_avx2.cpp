// QuantizeLinear on AVX2, 8 floats per step; the last n % 8 go through
// the scalar reference, which gives the same bits
// (kernels/x86/quantize_x86.h gives the arithmetic).
#include <immintrin.h>

#include <limits>
#include <type_traits>

#include "kernels/ref/requantize.h"
#include "kernels/x86/quantize_x86.h"

namespace octet::kernels::x86 {

namespace {

template <class Q>
void quantize(const float* x, int64_t n, float scale, int32_t zero_point, Q* y) {
  const __m256 s = _mm256_set1_ps(scale);
  const __m256 lo = _mm256_set1_ps(static_cast<float>(std::numeric_limits<Q>::min() - zero_point));
  const __m256 hi = _mm256_set1_ps(static_cast<float>(std::numeric_limits<Q>::max() - zero_point));
  const __m256i zp = _mm256_set1_epi32(zero_point);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_div_ps(_mm256_loadu_ps(x + i), s);
    v = _mm256_and_ps(v, _mm256_cmp_ps(v, v, _CMP_ORD_Q));
    v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
    const __m256i q = _mm256_add_epi32(_mm256_cvtps_epi32(v), zp);
    // q is inside Q's range, so the saturating packs are exact.
    const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
    const __m128i b = std::is_same<Q, uint8_t>::value ? _mm_packus_epi16(w, w) : _mm_packs_epi16(w, w);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(y + i), b);
  }
  for (; i < n; ++i) y[i] = quantize_value<Q>(x[i], scale, zero_point);
}

float lane_min(__m256 v) {
  alignas(32) float f[8];
  _mm256_store_ps(f, v);
  float m = f[0];
  for (int i = 1; i < 8; ++i) m = f[i] < m ? f[i] : m;
  return m;
}

float lane_max(__m256 v) {
  alignas(32) float f[8];
  _mm256_store_ps(f, v);
  float m = f[0];
  for (int i = 1; i < 8; ++i) m = f[i] > m ? f[i] : m;
  return m;
}

}  // namespace

// vminps / vmaxps return their second operand when either is NaN, so
// min(x, lo) is the reference's `x < lo ? x : lo`.
void range_with_zero_avx2(const float* x, int64_t n, float* lo, float* hi) {
  __m256 vlo = _mm256_setzero_ps(), vhi = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    vlo = _mm256_min_ps(v, vlo);
    vhi = _mm256_max_ps(v, vhi);
  }
  float l = lane_min(vlo), h = lane_max(vhi);
  for (; i < n; ++i) {
    if (x[i] < l) l = x[i];
    if (x[i] > h) h = x[i];
  }
  *lo = l;
  *hi = h;
}

void quantize_f32_avx2(const float* x, int64_t n, float scale, int32_t zero_point, uint8_t* y) {
  quantize(x, n, scale, zero_point, y);
}
void quantize_f32_avx2(const float* x, int64_t n, float scale, int32_t zero_point, int8_t* y) {
  quantize(x, n, scale, zero_point, y);
}

}  // namespace octet::kernels::x86
