#pragma once
// The QGemm epilogue on 16 int32 accumulators (one zmm), bit-exact with
// qgemm_store_ref / requantize.h. Header-only; include only from files
// compiled with AVX-512 (*_avx512vnni.cpp).
#include <immintrin.h>

#include <cstdint>

#include "kernels/x86/qgemm_x86.h"

namespace octet::kernels::x86 {

// The epilogue's operands for columns [col, col + 16), lanes outside `mask`
// unused: loaded once per panel and kept in registers for every row of a
// tile (each row's store goes through a byte pointer, which may alias ep,
// so the compiler would otherwise reload them row by row).
// The tile kernels start their sums at the bias (qgemm_bias_avx512), so
// the store adds none.
struct QStorePanel {
  QGemmOutput type;
  bool finite_scale;
  __mmask16 mask;
  int64_t col;
  __m512i zero_point, lo_int;
  __m512 scale, lo, hi;
};

// The bias of columns [col, col + 16) within `mask`, or zero: where a
// tile's sums start (the sum is modulo 2^32, so adding it first or last
// gives the same bits).
__attribute__((always_inline)) inline __m512i qgemm_bias_avx512(const QGemmTileEpilogue& ep, int64_t col,
                                                                __mmask16 mask) {
  return ep.bias ? _mm512_maskz_loadu_epi32(mask, ep.bias + col) : _mm512_setzero_si512();
}

__attribute__((always_inline)) inline QStorePanel qgemm_store_panel_avx512(const QGemmTileEpilogue& ep, int64_t col,
                                                                           __mmask16 mask) {
  QStorePanel p;
  p.type = ep.type;
  p.finite_scale = ep.finite_scale;
  p.mask = mask;
  p.col = col;
  p.scale = ep.type == QGemmOutput::S32 ? _mm512_setzero_ps()
            : ep.per_channel           ? _mm512_maskz_loadu_ps(mask, ep.scale + col)
                                       : _mm512_set1_ps(ep.scale[0]);
  p.lo = _mm512_set1_ps(ep.lo);
  p.hi = _mm512_set1_ps(ep.hi);
  p.lo_int = _mm512_set1_epi32(static_cast<int32_t>(ep.lo));
  p.zero_point = _mm512_set1_epi32(ep.zero_point);
  return p;
}

// U8 / S8 with finite multipliers (p.finite_scale): acc (bias included)
// for the panel's columns of one row.
__attribute__((always_inline)) inline void qgemm_store_u8_avx512(__m512i acc, const QStorePanel& p, void* c_row) {
  // One rounding, like the scalar float(acc) * scale: no FMA to contract.
  const __m512 x = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), p.scale);
  // x is never NaN. Clamping above in float keeps the conversion from
  // overflowing upward; below int32 it gives INT_MIN, which the integer
  // max lifts to lo like any other value under it (rounding commutes
  // with clamping to integer bounds). Four instructions against six.
  __m512i q = _mm512_cvtps_epi32(_mm512_min_ps(x, p.hi));
  q = _mm512_add_epi32(_mm512_max_epi32(q, p.lo_int), p.zero_point);
  // q is already inside the output type's range: truncation is exact (u8 and s8 alike).
  _mm512_mask_cvtepi32_storeu_epi8(static_cast<uint8_t*>(c_row) + p.col, p.mask, q);
}

// acc (bias included) for the panel's columns of one row.
__attribute__((always_inline)) inline void qgemm_store_avx512(__m512i acc, const QStorePanel& p, void* c_row) {
  if (p.type == QGemmOutput::S32) {
    _mm512_mask_storeu_epi32(static_cast<int32_t*>(c_row) + p.col, p.mask, acc);
    return;
  }
  // One rounding, like the scalar float(acc) * scale: no FMA to contract.
  __m512 x = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), p.scale);
  if (p.type == QGemmOutput::F32) {
    _mm512_mask_storeu_ps(static_cast<float*>(c_row) + p.col, p.mask, x);
    return;
  }
  if (p.finite_scale) return qgemm_store_u8_avx512(acc, p, c_row);
  // requantize.h maps NaN to the zero point; max/min would turn it into lo.
  x = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, x, _CMP_ORD_Q), x);
  // Clamp before converting: cvtps_epi32 of a value beyond int32 is
  // INT_MIN, and clamping to integer bounds commutes with rounding.
  x = _mm512_min_ps(_mm512_max_ps(x, p.lo), p.hi);
  __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(x), p.zero_point);
  // q is already inside the output type's range: truncation is exact (u8 and s8 alike).
  _mm512_mask_cvtepi32_storeu_epi8(static_cast<uint8_t*>(c_row) + p.col, p.mask, q);
}

}  // namespace octet::kernels::x86
