#pragma once
// FP32 Softmax over the middle axis of a tensor viewed as [outer, axis, inner]
// (ONNX opset >= 13 is one axis; earlier opsets flatten the trailing dims
// into the axis, which is inner = 1). Numerically stable: the maximum along
// the axis is subtracted before exponentiating, so large inputs do not
// overflow. y may alias x.
#include <cstdint>

namespace octet::kernels {

void softmax_f32(const float* x, float* y, int64_t outer, int64_t axis, int64_t inner);

}  // namespace octet::kernels
