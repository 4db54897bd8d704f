#pragma once
// Weights and biases of a quantized node as the kernels take them (DESIGN.md
// conventions): int8 weights, symmetric (zero point 0), one scale per output
// channel or one for the tensor; an int32 bias whose scale is
// x_scale * w_scale[c] and zero point 0.
#include <cstdint>
#include <vector>

#include "graph/tensor.h"
#include "quant/qparams.h"

namespace octet::quant {

struct QuantizedWeights {
  graph::Tensor values;       // int8, the weight's shape
  graph::Tensor scale;        // float32, [channels] per channel or [] per tensor
  graph::Tensor zero_point;   // int8 zeros, scale's shape
  std::vector<float> scales;  // scale's values, one per output channel either way
};

// Quantizes float32 `w` whose output channels run along `axis`. reduce_range
// keeps |q| <= 63 (7 bits), which lets the AVX2 kernels use their exact
// 16-bit pair sums (kernels/qgemm.h weights_7bit).
QuantizedWeights quantize_weights(const graph::Tensor& w, int axis, bool per_channel, bool reduce_range);

// round_half_even(b[c] / (x_scale * w_scales[c])), saturated to int32; the
// division is done in double so the bias carries no extra float rounding.
graph::Tensor quantize_bias(const graph::Tensor& b, float x_scale, const std::vector<float>& w_scales);

}  // namespace octet::quant
