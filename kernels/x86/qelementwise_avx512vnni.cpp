// AVX-512 quantized Add / Mul / requantize: 16 bytes widened to one zmm of
// int32 per step (four per loop trip), the float32 arithmetic of
// qelementwise_ref.h, narrowed back with vpmovdb (values are already within
// the output type's range, so truncation is exact). Tails use masked loads
// and stores on the same code path.
// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on their own
// _mm512_undefined_* placeholders (GCC bug 105593), not on this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "kernels/x86/qelementwise_x86.h"

namespace octet::kernels::x86 {

namespace {

template <class T> __m512i load16_epi32(const T* p, __mmask16 m);
template <> __m512i load16_epi32(const uint8_t* p, __mmask16 m) { return _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(m, p)); }
template <> __m512i load16_epi32(const int8_t* p, __mmask16 m) { return _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, p)); }

template <class T> __m512 centered(const T* p, __mmask16 m, __m512i zero_point) {
  return _mm512_cvtepi32_ps(_mm512_sub_epi32(load16_epi32(p, m), zero_point));
}

struct Vconsts {
  __m512i za, zb, zy;
  __m512 ma, mb, lo, hi;
  explicit Vconsts(const QBinaryConsts& k)
      : za(_mm512_set1_epi32(k.za)), zb(_mm512_set1_epi32(k.zb)), zy(_mm512_set1_epi32(k.zy)),
        ma(_mm512_set1_ps(k.ma)), mb(_mm512_set1_ps(k.mb)), lo(_mm512_set1_ps(k.lo)), hi(_mm512_set1_ps(k.hi)) {}
};

// Clamp to integer bounds before rounding (same as after; keeps cvtps in range).
template <class T> void quantize_store16(T* y, __mmask16 m, __m512 v, const Vconsts& c) {
  v = _mm512_min_ps(_mm512_max_ps(v, c.lo), c.hi);
  const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(v), c.zy);
  _mm_mask_storeu_epi8(y, m, _mm512_cvtepi32_epi8(q));
}

// step(i, mask) over 16-element groups, the last one masked.
template <class Step> void for_each_group(int64_t n, Step step) {
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    step(i, __mmask16(0xffff));
    step(i + 16, __mmask16(0xffff));
    step(i + 32, __mmask16(0xffff));
    step(i + 48, __mmask16(0xffff));
  }
  for (; i < n; i += 16) {
    const int64_t rest = n - i;
    step(i, rest >= 16 ? __mmask16(0xffff) : __mmask16((1u << rest) - 1));
  }
}

}  // namespace

template <class T> void qadd_avx512vnni(const QBinaryConsts& k, const T* a, const T* b, T* y, int64_t n) {
  const Vconsts c(k);
  for_each_group(n, [&](int64_t i, __mmask16 m) {
    const __m512 va = _mm512_mul_ps(centered(a + i, m, c.za), c.ma);
    const __m512 vb = _mm512_mul_ps(centered(b + i, m, c.zb), c.mb);
    quantize_store16(y + i, m, _mm512_add_ps(va, vb), c);
  });
}

template <class T> void qadd_scalar_avx512vnni(const QBinaryConsts& k, const T* a, float b_term, T* y, int64_t n) {
  const Vconsts c(k);
  const __m512 vb = _mm512_set1_ps(b_term);
  for_each_group(n, [&](int64_t i, __mmask16 m) {
    const __m512 va = _mm512_mul_ps(centered(a + i, m, c.za), c.ma);
    quantize_store16(y + i, m, _mm512_add_ps(va, vb), c);
  });
}

// |a - za| * |b - zb| <= 255 * 255 < 2^24, so the float product is exact.
template <class T> void qmul_avx512vnni(const QBinaryConsts& k, const T* a, const T* b, T* y, int64_t n) {
  const Vconsts c(k);
  for_each_group(n, [&](int64_t i, __mmask16 m) {
    const __m512 prod = _mm512_mul_ps(centered(a + i, m, c.za), centered(b + i, m, c.zb));
    quantize_store16(y + i, m, _mm512_mul_ps(prod, c.ma), c);
  });
}

template <class T>
void qmul_scalar_avx512vnni(const QBinaryConsts& k, const T* a, int32_t b_centered, T* y, int64_t n) {
  const Vconsts c(k);
  const __m512 vb = _mm512_set1_ps(static_cast<float>(b_centered));
  for_each_group(n, [&](int64_t i, __mmask16 m) {
    const __m512 prod = _mm512_mul_ps(centered(a + i, m, c.za), vb);
    quantize_store16(y + i, m, _mm512_mul_ps(prod, c.ma), c);
  });
}

#define OCTET_INSTANTIATE(T)                                                                   \
  template void qadd_avx512vnni(const QBinaryConsts&, const T*, const T*, T*, int64_t);       \
  template void qmul_avx512vnni(const QBinaryConsts&, const T*, const T*, T*, int64_t);       \
  template void qadd_scalar_avx512vnni(const QBinaryConsts&, const T*, float, T*, int64_t);   \
  template void qmul_scalar_avx512vnni(const QBinaryConsts&, const T*, int32_t, T*, int64_t);
OCTET_INSTANTIATE(uint8_t)
OCTET_INSTANTIATE(int8_t)
#undef OCTET_INSTANTIATE

}  // namespace octet::kernels::x86
