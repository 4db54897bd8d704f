#pragma once
// The QGemm epilogue on 8 int32 accumulators (one ymm), bit-exact with
// qgemm_store_ref / requantize.h. Header-only; include only from files
// compiled with AVX2 (*_avx2.cpp).
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/x86/qgemm_x86.h"

namespace octet::kernels::x86 {

// Lanes [0, n) of a maskload / maskstore mask.
inline __m256i lanes_avx2(int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int32_t>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// acc for columns [col, col + min(left, 8)) of one row.
inline void qgemm_store_avx2(__m256i acc, const QGemmTileEpilogue& ep, int64_t col, int64_t left, void* c_row) {
  const bool full = left >= 8;
  const __m256i mask = full ? _mm256_set1_epi32(-1) : lanes_avx2(left);
  if (ep.bias) acc = _mm256_add_epi32(acc, _mm256_maskload_epi32(ep.bias + col, mask));
  if (ep.type == QGemmOutput::S32) {
    _mm256_maskstore_epi32(static_cast<int32_t*>(c_row) + col, mask, acc);
    return;
  }
  __m256 scale = ep.per_channel ? _mm256_maskload_ps(ep.scale + col, mask) : _mm256_set1_ps(ep.scale[0]);
  // One rounding, like the scalar float(acc) * scale: no FMA to contract.
  __m256 x = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), scale);
  if (ep.type == QGemmOutput::F32) {
    _mm256_maskstore_ps(static_cast<float*>(c_row) + col, mask, x);
    return;
  }
  // requantize.h maps NaN to the zero point; max/min would turn it into lo.
  x = _mm256_and_ps(x, _mm256_cmp_ps(x, x, _CMP_ORD_Q));
  // Clamp before converting: cvtps_epi32 of a value beyond int32 is
  // INT_MIN, and clamping to integer bounds commutes with rounding.
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(ep.lo)), _mm256_set1_ps(ep.hi));
  __m256i q = _mm256_add_epi32(_mm256_cvtps_epi32(x), _mm256_set1_epi32(ep.zero_point));
  // q is inside the output type's range, so the saturating packs are exact.
  __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
  __m128i bytes = ep.type == QGemmOutput::U8 ? _mm_packus_epi16(w, w) : _mm_packs_epi16(w, w);
  uint8_t* dst = static_cast<uint8_t*>(c_row) + col;
  if (full) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), bytes);
  } else {
    alignas(16) uint8_t tmp[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(tmp), bytes);
    std::memcpy(dst, tmp, static_cast<size_t>(left));
  }
}

// Rows [0, mr) x panels [0, nv) of 8 columns from a tile's finished sums
// (row stride sums_ld) to c. Kept out of line so the tile loops' registers
// are not saved around every store.
__attribute__((noinline)) inline void qgemm_store_rows_avx2(const int32_t* sums, int mr, int nv, int64_t sums_ld,
                                                             int64_t col0, int64_t cols, const QGemmTileEpilogue& ep,
                                                             void* c, int64_t ldc, size_t elem) {
  for (int r = 0; r < mr; ++r) {
    void* c_row = static_cast<uint8_t*>(c) + r * ldc * static_cast<int64_t>(elem);
    for (int j = 0; j < nv; ++j)
      qgemm_store_avx2(_mm256_load_si256(reinterpret_cast<const __m256i*>(sums + r * sums_ld + j * 8)), ep,
                       col0 + j * 8, cols - j * 8, c_row);
  }
}

}  // namespace octet::kernels::x86
