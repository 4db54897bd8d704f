#pragma once
// Scalar reference for ONNX QuantizeLinear, DequantizeLinear and
// DynamicQuantizeLinear over raw buffers.
#include <cstdint>

#include "kernels/ref/requantize.h"

namespace octet::kernels {

// A tensor seen as [outer, channels, inner] around its quantization axis;
// per-tensor quantization is channels = 1 with the whole tensor as inner
// (or any split with a stride-0 QuantParams).
struct AxisSplit {
  int64_t outer = 1;
  int64_t channels = 1;
  int64_t inner = 1;
};

// y = saturate(round_half_even(x / scale[c]) + zero_point[c]); X is float or int32.
template <class X, class Q>
void quantize_linear_ref(const X* x, const AxisSplit& split, const QuantParams& qp, Q* y);

// y = (x - zero_point[c]) * scale[c]; X is uint8, int8 or int32.
template <class X>
void dequantize_linear_ref(const X* x, const AxisSplit& split, const QuantParams& qp, float* y);

// The uint8 parameters DynamicQuantizeLinear defines: the range [min(x), max(x)]
// widened to include 0, scale = range / 255, zero point = the rounded,
// saturated qmin - min / scale. An all-zero (or empty) input gets scale 1
// and zero point 0 (ONNX Runtime's choice; the formula would divide by 0).
void dynamic_quantize_params(const float* x, int64_t n, float* scale, uint8_t* zero_point);

// Its two halves: [min(0, x...), max(0, x...)] (NaN ignored), and the
// parameters of such a range.
void range_with_zero_ref(const float* x, int64_t n, float* lo, float* hi);
void dynamic_params_from_range(float lo, float hi, float* scale, uint8_t* zero_point);

}  // namespace octet::kernels
