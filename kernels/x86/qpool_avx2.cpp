// AVX2 uint8 pools over indirection rows (channels-last, vectorized over
// channels) and over contiguous planes. Sums are exact int32; the float32
// requantization of qpool_ref.h runs on vectors of 8 sums, also for the
// tails, whose sums are gathered into a zero-padded block first.
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/qelementwise_x86.h"

namespace octet::kernels::x86 {

namespace {

constexpr int64_t kBlock = 32;

inline __m256i load8_epi32(const uint8_t* p) {
  return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}

// 32 int32 sums -> 32 bytes: float(sum - bias) * m, clamped to [0 - zy, 255 - zy]
// (same as clamping after rounding, and keeps cvtps_epi32 in range), + zy.
inline __m256i quantize_block(const __m256i sums[4], int32_t bias, float m, int32_t zy) {
  const __m256i vbias = _mm256_set1_epi32(bias), vzy = _mm256_set1_epi32(zy);
  const __m256 vm = _mm256_set1_ps(m), lo = _mm256_set1_ps(float(0 - zy)), hi = _mm256_set1_ps(float(255 - zy));
  __m256i q[4];
  for (int j = 0; j < 4; ++j) {
    __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(sums[j], vbias)), vm);
    v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
    q[j] = _mm256_add_epi32(_mm256_cvtps_epi32(v), vzy);
  }
  const __m256i p = _mm256_packus_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
  // The in-lane packs leave the dwords as q0lo q1lo q2lo q3lo q0hi q1hi q2hi q3hi.
  return _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

inline void quantize_tail(const int32_t* sums, int64_t count, int32_t bias, float m, int32_t zy, uint8_t* y) {
  __m256i v[4];
  for (int j = 0; j < 4; ++j) v[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(sums + 8 * j));
  alignas(32) uint8_t out[kBlock];
  _mm256_store_si256(reinterpret_cast<__m256i*>(out), quantize_block(v, bias, m, zy));
  std::memcpy(y, out, static_cast<size_t>(count));
}

}  // namespace

void qmax_rows_u8_avx2(const uint8_t* const* rows, int64_t k, int64_t channels, uint8_t* y) {
  int64_t c = 0;
  for (; c + kBlock <= channels; c += kBlock) {
    __m256i acc = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[0] + c));
    for (int64_t j = 1; j < k; ++j)
      acc = _mm256_max_epu8(acc, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[j] + c)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + c), acc);
  }
  for (; c < channels; ++c) {
    uint8_t acc = rows[0][c];
    for (int64_t j = 1; j < k; ++j) acc = rows[j][c] > acc ? rows[j][c] : acc;
    y[c] = acc;
  }
}

void qavg_rows_u8_avx2(const uint8_t* const* rows, int64_t k, int64_t channels, int32_t bias, float m, int32_t zy,
                       uint8_t* y) {
  int64_t c = 0;
  for (; c + kBlock <= channels; c += kBlock) {
    __m256i acc[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
                      _mm256_setzero_si256()};
    for (int64_t j = 0; j < k; ++j)
      for (int q = 0; q < 4; ++q) acc[q] = _mm256_add_epi32(acc[q], load8_epi32(rows[j] + c + 8 * q));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + c), quantize_block(acc, bias, m, zy));
  }
  if (c == channels) return;
  int32_t sums[kBlock] = {};
  for (int64_t j = 0; j < k; ++j)
    for (int64_t i = c; i < channels; ++i) sums[i - c] += rows[j][i];
  quantize_tail(sums, channels - c, bias, m, zy, y + c);
}

void qavg_planes_u8_avx2(const uint8_t* x, int64_t planes, int64_t plane_size, int32_t bias, float m, int32_t zy,
                         uint8_t* y) {
  for (int64_t p0 = 0; p0 < planes; p0 += kBlock) {
    const int64_t count = planes - p0 < kBlock ? planes - p0 : kBlock;
    int32_t sums[kBlock] = {};
    for (int64_t p = 0; p < count; ++p) {
      const uint8_t* row = x + (p0 + p) * plane_size;
      // psadbw against zero sums 8 bytes into each 64-bit lane, exactly.
      __m256i acc = _mm256_setzero_si256();
      int64_t i = 0;
      for (; i + 32 <= plane_size; i += 32)
        acc = _mm256_add_epi64(acc, _mm256_sad_epu8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + i)),
                                                    _mm256_setzero_si256()));
      const __m128i s2 = _mm_add_epi64(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
      int64_t total = _mm_cvtsi128_si64(s2) + _mm_extract_epi64(s2, 1);
      for (; i < plane_size; ++i) total += row[i];
      sums[p] = static_cast<int32_t>(total);
    }
    quantize_tail(sums, count, bias, m, zy, y + p0);
  }
}

}  // namespace octet::kernels::x86
