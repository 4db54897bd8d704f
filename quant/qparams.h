#pragma once
// From a calibrated range to affine quantization parameters, with the
// conventions of DESIGN.md: real = scale * (q - zero_point), quantize as
// kernels/ref/requantize.h does (round half to even, saturate).
#include <cstdint>

#include "graph/dtype.h"

namespace octet::quant {

// A closed range of real values, min <= max.
struct Range {
  float min = 0.0f;
  float max = 0.0f;
};

// How a tensor is to be quantized: the integer type (UInt8 or Int8),
// symmetric (zero point in the middle of the integer range) or asymmetric,
// and reduced range, which gives up one bit ([0,127] for uint8, [-64,63] for
// int8) so that u8 x s8 products summed in pairs fit int16 on AVX2 kernels
// without saturating.
struct QuantScheme {
  graph::DType dtype = graph::DType::UInt8;
  bool symmetric = false;
  bool reduce_range = false;
};

struct QParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// The integer interval [qmin, qmax] a scheme may use.
struct QBounds {
  int32_t qmin = 0;
  int32_t qmax = 255;
};
QBounds quant_bounds(const QuantScheme& scheme);

// Scale and zero point that cover `range` widened to include 0, so that real
// 0 (padding, ReLU's floor) is exactly representable. Throws octet::Error for
// a non-finite or inverted range, UnsupportedError for a dtype other than
// UInt8 / Int8.
QParams choose_qparams(Range range, const QuantScheme& scheme);

// x quantized with the kernels' arithmetic, saturated to the scheme's bounds.
int32_t quantize(float x, const QParams& qp, const QuantScheme& scheme);

// quantize then dequantize: the value a kernel actually sees for x.
float fake_quantize(float x, const QParams& qp, const QuantScheme& scheme);

}  // namespace octet::quant
