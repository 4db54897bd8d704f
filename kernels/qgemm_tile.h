#pragma once
// What the INT8 GEMM driver (kernels/qgemm.cpp) hands every level's
// micro-kernels, x86 and ARM alike: the packed weight layout and the
// epilogue resolved once per call.
//
// Packed weights: panels of `panel` output channels, one after another (n
// padded up to a whole panel with zero weights); inside a panel, k runs in
// groups of `kgroup` consecutive depths, and one group holds
// [panel channels][kgroup depths] int8, k padded up to a multiple of
// `kalign` with zero weights. Each level's header says which shape it uses
// and why (kernels/x86/qgemm_x86.h, kernels/arm/qgemm_arm.h).
#include <cstddef>
#include <cstdint>

#include "kernels/qgemm.h"

namespace octet::kernels {

struct QGemmTileEpilogue {
  QGemmOutput type = QGemmOutput::S32;
  const int32_t* bias = nullptr;  // [n] or null
  const float* scale = nullptr;   // [n] when per_channel, else [1]
  bool per_channel = false;
  int32_t zero_point = 0;
  // U8 / S8: the clamp bounds minus the zero point, applied in float
  // before rounding (requantize.h and the ref give the same bits).
  float lo = 0, hi = 0;
  // U8 / S8: every multiplier is finite, so float(acc) * scale is never
  // NaN and the kernels may skip mapping NaN to the zero point.
  bool finite_scale = false;
  // U8 / S8: every |acc * multiplier| < 2^30 ((max |bias| + K * 255 * 128)
  // * max |multiplier|), so the float-to-int conversion cannot overflow and
  // the kernels may narrow with saturating packs instead of clamping first.
  bool bounded = false;
};

// The tile epilogue of a driver-level epilogue: the clamp resolved to float
// bounds around the zero point (defined in kernels/qgemm.cpp).
QGemmTileEpilogue qgemm_tile_epilogue(const QGemmEpilogue& ep, int64_t n, int64_t k);

// Bytes per output element of an epilogue type.
inline size_t qgemm_elem_size(QGemmOutput t) { return t == QGemmOutput::U8 || t == QGemmOutput::S8 ? 1 : 4; }

struct QGemmLayout {
  int panel, kgroup;
  int kalign;  // k is padded with zero weights to a multiple of this
};

// Bytes per panel of packed weights: the stride between panels.
inline int64_t qgemm_panel_bytes(const QGemmLayout& l, int64_t k) {
  return (k + l.kalign - 1) / l.kalign * l.kalign * l.panel;
}

}  // namespace octet::kernels
