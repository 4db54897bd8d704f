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

// Bounded 8-bit epilogues (QGemmTileEpilogue::bounded) narrow two rows of
// two panels (64 outputs) together: convert, scale, convert, then the
// saturating vpackssdw, vpaddsw of the zero point and vpackuswb /
// vpacksswb, a byte clamp only for a fused activation, and one vpermd back
// to row order. A value the word steps saturate is beyond the output
// range already, on the same side, and |zero point| <= 255 cannot bring
// it back, so the bits are requantize.h's. 5 instructions per 16 outputs
// against 6 and a vpmovdb.
struct QPairPanel {
  __m512 scale0, scale1;
  __m512i zero_point16, qmin8, qmax8;
  __mmask32 mask;  // the pair's columns, from col
  int64_t col;
  bool is_s8, clamp;
};

__attribute__((always_inline)) inline QPairPanel qgemm_pair_panel_avx512(const QGemmTileEpilogue& ep, int64_t col,
                                                                          int64_t cols) {
  QPairPanel p;
  p.col = col;
  p.mask = cols >= 32 ? ~__mmask32(0) : static_cast<__mmask32>((uint64_t{1} << cols) - 1);
  const __mmask16 m0 = static_cast<__mmask16>(p.mask), m1 = static_cast<__mmask16>(p.mask >> 16);
  p.scale0 = ep.per_channel ? _mm512_maskz_loadu_ps(m0, ep.scale + col) : _mm512_set1_ps(ep.scale[0]);
  p.scale1 = ep.per_channel ? _mm512_maskz_loadu_ps(m1, ep.scale + col + 16) : p.scale0;
  p.is_s8 = ep.type == QGemmOutput::S8;
  const int32_t qmin = static_cast<int32_t>(ep.lo) + ep.zero_point, qmax = static_cast<int32_t>(ep.hi) + ep.zero_point;
  p.clamp = p.is_s8 ? (qmin > -128 || qmax < 127) : (qmin > 0 || qmax < 255);
  p.zero_point16 = _mm512_set1_epi16(static_cast<int16_t>(ep.zero_point));
  p.qmin8 = _mm512_set1_epi8(static_cast<char>(qmin));
  p.qmax8 = _mm512_set1_epi8(static_cast<char>(qmax));
  return p;
}

__attribute__((always_inline)) inline __m512i qgemm_round_avx512(__m512i acc, __m512 scale) {
  // One rounding, like the scalar float(acc) * scale: no FMA to contract.
  return _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_cvtepi32_ps(acc), scale));
}

// a0, a1: row a's accumulators of the pair's two panels (bias included); b0, b1: row b's.
__attribute__((always_inline)) inline void qgemm_store_pair_avx512(__m512i a0, __m512i a1, __m512i b0, __m512i b1,
                                                                   const QPairPanel& p, uint8_t* row_a,
                                                                   uint8_t* row_b) {
  const __m512i wa = _mm512_adds_epi16(
      _mm512_packs_epi32(qgemm_round_avx512(a0, p.scale0), qgemm_round_avx512(a1, p.scale1)), p.zero_point16);
  const __m512i wb = _mm512_adds_epi16(
      _mm512_packs_epi32(qgemm_round_avx512(b0, p.scale0), qgemm_round_avx512(b1, p.scale1)), p.zero_point16);
  // 128-bit lane L: dwords (a, panel 0), (a, panel 1), (b, panel 0), (b, panel 1) of columns 4L..4L+3.
  __m512i bytes = p.is_s8 ? _mm512_packs_epi16(wa, wb) : _mm512_packus_epi16(wa, wb);
  if (p.clamp)
    bytes = p.is_s8 ? _mm512_min_epi8(_mm512_max_epi8(bytes, p.qmin8), p.qmax8)
                    : _mm512_min_epu8(_mm512_max_epu8(bytes, p.qmin8), p.qmax8);
  const __m512i rows = _mm512_permutexvar_epi32(_mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15),
                                                bytes);
  _mm256_mask_storeu_epi8(row_a + p.col, p.mask, _mm512_castsi512_si256(rows));
  _mm256_mask_storeu_epi8(row_b + p.col, p.mask, _mm512_extracti64x4_epi64(rows, 1));
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
