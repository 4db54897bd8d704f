#pragma once
// What ONNX Runtime's quantized NN contrib ops (QGemm, QLinearAveragePool,
// QLinearGlobalAveragePool) share between their reference ops (qnn.cpp)
// and their prepared fast paths (qgemm_prepared.cpp, qpool_prepared.cpp),
// so that both compute the same numbers by construction: the output scales
// of QGemm and the layout handling around the channels-last pool kernels.
#include <cstdint>
#include <vector>

#include "engine/op_registry.h"
#include "kernels/isa.h"
#include "kernels/ref/qpool_ref.h"

namespace octet::engine::qnn {

// QGemm's M, N, K after transA / transB (validated by the shape rule).
struct QGemmDims {
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false, trans_b = false;
};
QGemmDims qgemm_dims(const graph::Node& node, const graph::Shape& a, const graph::Shape& b);

// Per column of Y (one value when b_scale has one): alpha * a_scale *
// b_scale[n], multiplied left to right as ONNX Runtime does, which is the
// float32 output's dequantization scale; with a y_scale, the requantization
// multiplier requantize_multiplier(alpha * a_scale, b_scale[n], y_scale).
std::vector<float> qgemm_output_scales(float alpha, float a_scale, const std::vector<float>& b_scale,
                                       const float* y_scale);

struct QPoolQuant {
  float x_scale = 1.0f, y_scale = 1.0f;
  int32_t x_zero_point = 0, y_zero_point = 0;
};

// The pool's geometry on the NHWC view the kernels take, whatever the
// node's channels_last.
struct QPoolShape {
  kernels::QPoolParams params;
  bool channels_last = false;
};
QPoolShape qaverage_pool_shape(const graph::Node& node, const graph::Shape& x);

// NHWC and sign-flipped copies of x and y: a prepared pool's run-context scratch.
struct QPoolScratch {
  std::vector<uint8_t> x, y;
};

// The pools on uint8 or int8 tensors of either layout, at `isa` (the
// reference ops pass Isa::Ref). int8 runs on the u8 kernels as x ^ 0x80 =
// x + 128 with both zero points + 128: x - zx is unchanged, and the u8
// quantize of (v, zy + 128) is the int8 quantize of (v, zy) plus 128 (float
// adds of integers are exact below 2^24, and beyond it both saturate), so
// the result flipped back is bit for bit the int8 result.
void run_qaverage_pool(kernels::Isa isa, const QPoolShape& s, const QPoolQuant& q, bool count_include_pad,
                       const Tensor& x, Tensor& y, QPoolScratch& scratch);
void run_qglobal_average_pool(kernels::Isa isa, bool channels_last, const QPoolQuant& q, const Tensor& x, Tensor& y,
                              QPoolScratch& scratch);

void add_qpool_prepares(PrepareTable& t);  // qpool_prepared.cpp

}  // namespace octet::engine::qnn
