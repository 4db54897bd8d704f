#pragma once
// The QGemm epilogue on 16 int32 accumulators (one zmm), bit-exact with
// qgemm_store_ref / requantize.h. Header-only; include only from files
// compiled with AVX-512 (*_avx512vnni.cpp).
#include <immintrin.h>

#include <cstdint>

#include "kernels/x86/qgemm_x86.h"

namespace octet::kernels::x86 {

// acc for columns [col, col + 16) of one row, lanes outside `mask` unused.
__attribute__((always_inline)) inline void qgemm_store_avx512(__m512i acc, const QGemmTileEpilogue& ep, int64_t col, __mmask16 mask,
                               void* c_row) {
  if (ep.bias) acc = _mm512_add_epi32(acc, _mm512_maskz_loadu_epi32(mask, ep.bias + col));
  if (ep.type == QGemmOutput::S32) {
    _mm512_mask_storeu_epi32(static_cast<int32_t*>(c_row) + col, mask, acc);
    return;
  }
  __m512 scale = ep.per_channel ? _mm512_maskz_loadu_ps(mask, ep.scale + col) : _mm512_set1_ps(ep.scale[0]);
  // One rounding, like the scalar float(acc) * scale: no FMA to contract.
  __m512 x = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), scale);
  if (ep.type == QGemmOutput::F32) {
    _mm512_mask_storeu_ps(static_cast<float*>(c_row) + col, mask, x);
    return;
  }
  // requantize.h maps NaN to the zero point; max/min would turn it into lo.
  x = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, x, _CMP_ORD_Q), x);
  // Clamp before converting: cvtps_epi32 of a value beyond int32 is
  // INT_MIN, and clamping to integer bounds commutes with rounding.
  x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(ep.lo)), _mm512_set1_ps(ep.hi));
  __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(x), _mm512_set1_epi32(ep.zero_point));
  // q is already inside the output type's range: truncation is exact.
  if (ep.type == QGemmOutput::U8)
    _mm512_mask_cvtepi32_storeu_epi8(static_cast<uint8_t*>(c_row) + col, mask, q);
  else
    _mm512_mask_cvtepi32_storeu_epi8(static_cast<int8_t*>(c_row) + col, mask, q);
}

}  // namespace octet::kernels::x86
