// AVX-512 quantized Add / Mul / requantize: 16 bytes widened to one zmm of
// int32 per step (four per loop trip), the float32 arithmetic of
// qelementwise_ref.h, narrowed back with vpmovdb (values are already within
// the output type's range, so truncation is exact). Tails use masked loads
// and stores on the same code path.
// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on their own
// _mm512_undefined_* placeholders (GCC bug 105593), not on this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cmath>
#include <type_traits>

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

// |v| < 2^30 for every input: the conversion cannot overflow, so 64
// outputs narrow together with saturating packs (vpackssdw, vpaddsw of
// the zero point, vpackuswb / vpacksswb; a value they saturate is beyond
// the output range already, on the same side) and a byte clamp, with no
// float clamp: 11 instructions per 16 outputs against 14.
bool add_bounded(const QBinaryConsts& k) {
  return 255.0 * (std::fabs(double(k.ma)) + std::fabs(double(k.mb))) < 1073741824.0;
}

template <class T> void qadd_packed64(const QBinaryConsts& k, const T* a, const T* b, T* y, int64_t n) {
  const Vconsts c(k);
  constexpr bool kSigned = std::is_signed<T>::value;
  const int32_t qmin = static_cast<int32_t>(k.lo) + k.zy, qmax = static_cast<int32_t>(k.hi) + k.zy;
  const __m512i zy16 = _mm512_set1_epi16(static_cast<int16_t>(k.zy));
  const __m512i qmin8 = _mm512_set1_epi8(static_cast<char>(qmin)), qmax8 = _mm512_set1_epi8(static_cast<char>(qmax));
  // packs leave 128-bit lane L holding elements 4L..4L+3 of each 16: back to order.
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    __m512i q[4];
    for (int j = 0; j < 4; ++j) {
      const __m512 va = _mm512_mul_ps(centered(a + i + 16 * j, __mmask16(0xffff), c.za), c.ma);
      const __m512 vb = _mm512_mul_ps(centered(b + i + 16 * j, __mmask16(0xffff), c.zb), c.mb);
      q[j] = _mm512_cvtps_epi32(_mm512_add_ps(va, vb));
    }
    const __m512i w01 = _mm512_adds_epi16(_mm512_packs_epi32(q[0], q[1]), zy16);
    const __m512i w23 = _mm512_adds_epi16(_mm512_packs_epi32(q[2], q[3]), zy16);
    __m512i bytes = kSigned ? _mm512_min_epi8(_mm512_max_epi8(_mm512_packs_epi16(w01, w23), qmin8), qmax8)
                            : _mm512_min_epu8(_mm512_max_epu8(_mm512_packus_epi16(w01, w23), qmin8), qmax8);
    _mm512_storeu_si512(y + i, _mm512_permutexvar_epi32(order, bytes));
  }
  for_each_group(n - i, [&](int64_t j, __mmask16 m) {
    const __m512 va = _mm512_mul_ps(centered(a + i + j, m, c.za), c.ma);
    const __m512 vb = _mm512_mul_ps(centered(b + i + j, m, c.zb), c.mb);
    quantize_store16(y + i + j, m, _mm512_add_ps(va, vb), c);
  });
}

template <class T> void qadd_avx512vnni(const QBinaryConsts& k, const T* a, const T* b, T* y, int64_t n) {
  if (add_bounded(k)) return qadd_packed64(k, a, b, y, n);
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
