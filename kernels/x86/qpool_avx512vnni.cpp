// AVX-512 uint8 pools over indirection rows (channels-last, vectorized over
// channels, masked tails) and over contiguous planes. Sums are exact int32;
// the float32 requantization of qpool_ref.h runs on zmm vectors of 16 sums.
// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on their own
// _mm512_undefined_* placeholders (GCC bug 105593), not on this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "kernels/x86/qelementwise_x86.h"

namespace octet::kernels::x86 {

namespace {

inline __mmask16 mask16(int64_t rest) { return rest >= 16 ? __mmask16(0xffff) : __mmask16((1u << rest) - 1); }

inline __mmask64 mask64(int64_t rest) { return rest >= 64 ? ~__mmask64(0) : (__mmask64(1) << rest) - 1; }

struct Requant {
  __m512i bias, zy;
  __m512 m, lo, hi;
  Requant(int32_t b, float mult, int32_t z)
      : bias(_mm512_set1_epi32(b)), zy(_mm512_set1_epi32(z)), m(_mm512_set1_ps(mult)),
        lo(_mm512_set1_ps(float(0 - z))), hi(_mm512_set1_ps(float(255 - z))) {}

  // Clamp before rounding (same as after; keeps cvtps_epi32 in range).
  void store(uint8_t* y, __mmask16 k, __m512i sums) const {
    __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(sums, bias)), m);
    v = _mm512_min_ps(_mm512_max_ps(v, lo), hi);
    _mm_mask_storeu_epi8(y, k, _mm512_cvtepi32_epi8(_mm512_add_epi32(_mm512_cvtps_epi32(v), zy)));
  }
};

}  // namespace

void qmax_rows_u8_avx512vnni(const uint8_t* const* rows, int64_t k, int64_t channels, uint8_t* y) {
  for (int64_t c = 0; c < channels; c += 64) {
    const __mmask64 mk = mask64(channels - c);
    __m512i acc = _mm512_maskz_loadu_epi8(mk, rows[0] + c);
    for (int64_t j = 1; j < k; ++j) acc = _mm512_max_epu8(acc, _mm512_maskz_loadu_epi8(mk, rows[j] + c));
    _mm512_mask_storeu_epi8(y + c, mk, acc);
  }
}

void qavg_rows_u8_avx512vnni(const uint8_t* const* rows, int64_t k, int64_t channels, int32_t bias, float m,
                             int32_t zy, uint8_t* y) {
  const Requant rq(bias, m, zy);
  int64_t c = 0;
  for (; c + 64 <= channels; c += 64) {
    __m512i acc[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(),
                      _mm512_setzero_si512()};
    for (int64_t j = 0; j < k; ++j) {
      const __m512i row = _mm512_loadu_si512(rows[j] + c);
      acc[0] = _mm512_add_epi32(acc[0], _mm512_cvtepu8_epi32(_mm512_castsi512_si128(row)));
      acc[1] = _mm512_add_epi32(acc[1], _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(row, 1)));
      acc[2] = _mm512_add_epi32(acc[2], _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(row, 2)));
      acc[3] = _mm512_add_epi32(acc[3], _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(row, 3)));
    }
    for (int q = 0; q < 4; ++q) rq.store(y + c + 16 * q, __mmask16(0xffff), acc[q]);
  }
  for (; c < channels; c += 16) {
    const __mmask16 mk = mask16(channels - c);
    __m512i acc = _mm512_setzero_si512();
    for (int64_t j = 0; j < k; ++j) acc = _mm512_add_epi32(acc, _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(mk, rows[j] + c)));
    rq.store(y + c, mk, acc);
  }
}

void qavg_planes_u8_avx512vnni(const uint8_t* x, int64_t planes, int64_t plane_size, int32_t bias, float m,
                               int32_t zy, uint8_t* y) {
  const Requant rq(bias, m, zy);
  alignas(64) int32_t sums[16];
  for (int64_t p0 = 0; p0 < planes; p0 += 16) {
    const int64_t count = planes - p0 < 16 ? planes - p0 : 16;
    for (int64_t p = 0; p < 16; ++p) {
      if (p >= count) {
        sums[p] = 0;
        continue;
      }
      const uint8_t* row = x + (p0 + p) * plane_size;
      // psadbw against zero sums 8 bytes into each 64-bit lane, exactly.
      __m512i acc = _mm512_setzero_si512();
      for (int64_t i = 0; i < plane_size; i += 64)
        acc = _mm512_add_epi64(acc, _mm512_sad_epu8(_mm512_maskz_loadu_epi8(mask64(plane_size - i), row + i),
                                                    _mm512_setzero_si512()));
      sums[p] = static_cast<int32_t>(_mm512_reduce_add_epi64(acc));
    }
    rq.store(y + p0, mask16(count), _mm512_load_si512(sums));
  }
}

}  // namespace octet::kernels::x86
