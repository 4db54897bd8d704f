// QuantizeLinear on AVX-512, 16 floats per step, the tail masked
// (kernels/x86/quantize_x86.h gives the arithmetic).
#include <immintrin.h>

#include <limits>

#include "kernels/x86/quantize_x86.h"

namespace octet::kernels::x86 {

namespace {

template <class Q>
void quantize(const float* x, int64_t n, float scale, int32_t zero_point, Q* y) {
  const __m512 s = _mm512_set1_ps(scale);
  const __m512 lo = _mm512_set1_ps(static_cast<float>(std::numeric_limits<Q>::min() - zero_point));
  const __m512 hi = _mm512_set1_ps(static_cast<float>(std::numeric_limits<Q>::max() - zero_point));
  const __m512i zp = _mm512_set1_epi32(zero_point);
  for (int64_t i = 0; i < n; i += 16) {
    const int64_t left = n - i;
    const __mmask16 mask = left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1);
    __m512 v = _mm512_div_ps(_mm512_maskz_loadu_ps(mask, x + i), s);
    v = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, v, _CMP_ORD_Q), v);
    v = _mm512_min_ps(_mm512_max_ps(v, lo), hi);
    // Inside Q's range after the zero point, so truncating to bytes is exact.
    _mm512_mask_cvtepi32_storeu_epi8(y + i, mask, _mm512_add_epi32(_mm512_cvtps_epi32(v), zp));
  }
}

}  // namespace

// vminps / vmaxps return their second operand when either is NaN, so
// min(x, lo) is the reference's `x < lo ? x : lo`; masked-off lanes load 0,
// which the range holds anyway.
void range_with_zero_avx512vnni(const float* x, int64_t n, float* lo, float* hi) {
  __m512 vlo = _mm512_setzero_ps(), vhi = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 16) {
    const int64_t left = n - i;
    const __mmask16 mask = left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1);
    const __m512 v = _mm512_maskz_loadu_ps(mask, x + i);
    vlo = _mm512_min_ps(v, vlo);
    vhi = _mm512_max_ps(v, vhi);
  }
  *lo = _mm512_reduce_min_ps(vlo);
  *hi = _mm512_reduce_max_ps(vhi);
}

void quantize_f32_avx512vnni(const float* x, int64_t n, float scale, int32_t zero_point, uint8_t* y) {
  quantize(x, n, scale, zero_point, y);
}
void quantize_f32_avx512vnni(const float* x, int64_t n, float scale, int32_t zero_point, int8_t* y) {
  quantize(x, n, scale, zero_point, y);
}

}  // namespace octet::kernels::x86
