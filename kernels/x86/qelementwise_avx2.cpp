// AVX2 quantized Add / Mul / requantize: 32 bytes per step, widened to four
// vectors of 8 int32, the float32 arithmetic of qelementwise_ref.h, then
// packed back. Tails run the same vector code on a zero-padded copy, so
// every element takes the one code path.
#include <immintrin.h>

#include <type_traits>

#include "kernels/x86/qelementwise_x86.h"
#include "kernels/padded_tail.h"

namespace octet::kernels::x86 {

namespace {

constexpr int64_t kStep = 32;

template <class T> __m256i load8_epi32(const T* p);
template <> __m256i load8_epi32(const uint8_t* p) {
  return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}
template <> __m256i load8_epi32(const int8_t* p) {
  return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}

template <class T> __m256 centered(const T* p, __m256i zero_point) {
  return _mm256_cvtepi32_ps(_mm256_sub_epi32(load8_epi32(p), zero_point));
}

struct Vconsts {
  __m256i za, zb, zy;
  __m256 ma, mb, lo, hi;
  explicit Vconsts(const QBinaryConsts& k)
      : za(_mm256_set1_epi32(k.za)), zb(_mm256_set1_epi32(k.zb)), zy(_mm256_set1_epi32(k.zy)),
        ma(_mm256_set1_ps(k.ma)), mb(_mm256_set1_ps(k.mb)), lo(_mm256_set1_ps(k.lo)), hi(_mm256_set1_ps(k.hi)) {}
};

// Clamping to integer bounds before rounding equals clamping after, and
// keeps cvtps_epi32 in range (it gives INT_MIN beyond int32).
inline __m256i quantize8(__m256 v, const Vconsts& c) {
  v = _mm256_min_ps(_mm256_max_ps(v, c.lo), c.hi);
  return _mm256_add_epi32(_mm256_cvtps_epi32(v), c.zy);
}

// q0..q3 hold elements 0-7, 8-15, 16-23, 24-31, already within T's range.
template <class T> void store32(T* y, __m256i q0, __m256i q1, __m256i q2, __m256i q3) {
  const __m256i p01 = _mm256_packs_epi32(q0, q1), p23 = _mm256_packs_epi32(q2, q3);
  const __m256i p = std::is_same<T, uint8_t>::value ? _mm256_packus_epi16(p01, p23) : _mm256_packs_epi16(p01, p23);
  // The in-lane packs leave the dwords as q0lo q1lo q2lo q3lo q0hi q1hi q2hi q3hi.
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(y), _mm256_permutevar8x32_epi32(p, order));
}


}  // namespace

template <class T> void qadd_avx2(const QBinaryConsts& k, const T* a, const T* b, T* y, int64_t n) {
  const Vconsts c(k);
  for_each_block_padded<kStep>(a, b, y, n, [&](const T* pa, const T* pb, T* py) {
    __m256i q[4];
    for (int j = 0; j < 4; ++j) {
      const __m256 va = _mm256_mul_ps(centered(pa + 8 * j, c.za), c.ma);
      const __m256 vb = _mm256_mul_ps(centered(pb + 8 * j, c.zb), c.mb);
      q[j] = quantize8(_mm256_add_ps(va, vb), c);
    }
    store32(py, q[0], q[1], q[2], q[3]);
  });
}

template <class T> void qadd_scalar_avx2(const QBinaryConsts& k, const T* a, float b_term, T* y, int64_t n) {
  const Vconsts c(k);
  const __m256 vb = _mm256_set1_ps(b_term);
  for_each_block_padded<kStep, T>(a, nullptr, y, n, [&](const T* pa, const T*, T* py) {
    __m256i q[4];
    for (int j = 0; j < 4; ++j) {
      const __m256 va = _mm256_mul_ps(centered(pa + 8 * j, c.za), c.ma);
      q[j] = quantize8(_mm256_add_ps(va, vb), c);
    }
    store32(py, q[0], q[1], q[2], q[3]);
  });
}

// |a - za| * |b - zb| <= 255 * 255 < 2^24, so the float product is exact.
template <class T> void qmul_avx2(const QBinaryConsts& k, const T* a, const T* b, T* y, int64_t n) {
  const Vconsts c(k);
  for_each_block_padded<kStep>(a, b, y, n, [&](const T* pa, const T* pb, T* py) {
    __m256i q[4];
    for (int j = 0; j < 4; ++j) {
      const __m256 prod = _mm256_mul_ps(centered(pa + 8 * j, c.za), centered(pb + 8 * j, c.zb));
      q[j] = quantize8(_mm256_mul_ps(prod, c.ma), c);
    }
    store32(py, q[0], q[1], q[2], q[3]);
  });
}

template <class T>
void qmul_scalar_avx2(const QBinaryConsts& k, const T* a, int32_t b_centered, T* y, int64_t n) {
  const Vconsts c(k);
  const __m256 vb = _mm256_set1_ps(static_cast<float>(b_centered));
  for_each_block_padded<kStep, T>(a, nullptr, y, n, [&](const T* pa, const T*, T* py) {
    __m256i q[4];
    for (int j = 0; j < 4; ++j) {
      const __m256 prod = _mm256_mul_ps(centered(pa + 8 * j, c.za), vb);
      q[j] = quantize8(_mm256_mul_ps(prod, c.ma), c);
    }
    store32(py, q[0], q[1], q[2], q[3]);
  });
}

#define OCTET_INSTANTIATE(T)                                                                  \
  template void qadd_avx2(const QBinaryConsts&, const T*, const T*, T*, int64_t);            \
  template void qmul_avx2(const QBinaryConsts&, const T*, const T*, T*, int64_t);            \
  template void qadd_scalar_avx2(const QBinaryConsts&, const T*, float, T*, int64_t);        \
  template void qmul_scalar_avx2(const QBinaryConsts&, const T*, int32_t, T*, int64_t);
OCTET_INSTANTIATE(uint8_t)
OCTET_INSTANTIATE(int8_t)
#undef OCTET_INSTANTIATE

}  // namespace octet::kernels::x86
