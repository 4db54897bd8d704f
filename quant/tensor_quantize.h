#pragma once
// Whole tensors to and from 8-bit codes, for users who quantize their own
// data (inputs fed to an INT8 graph, outputs read as codes): ONNX
// QuantizeLinear / DequantizeLinear, per tensor (one scale and zero point)
// or per channel along `axis`, with the arithmetic of the engine's own ops
// (round half to even, saturate). quant/qparams.h's choose_qparams gives
// the scale and zero point of a range.
#include <cstdint>
#include <vector>

#include "graph/tensor.h"

namespace octet::quant {

// x float32; dtype UInt8 or Int8; scale and zero_point one value each or
// one per entry of x's `axis` (negative counts from the end). Throws
// octet::FormatError naming what does not fit.
graph::Tensor quantize_tensor(const graph::Tensor& x, const std::vector<float>& scale,
                              const std::vector<int32_t>& zero_point, graph::DType dtype, int64_t axis = 1);

// q uint8, int8 or int32 (then zero points must be 0); the float32 values.
graph::Tensor dequantize_tensor(const graph::Tensor& q, const std::vector<float>& scale,
                                const std::vector<int32_t>& zero_point, int64_t axis = 1);

}  // namespace octet::quant
