#pragma once
// FP32 elementwise kernels with ONNX semantics, vectorized with xsimd.
// Full batches use xsimd's math functions (within ~1.5 ulp of the exact
// result), tails the std:: ones. NaN inputs give NaN outputs, as in numpy.
// y may alias x.
#include <cstdint>
#include <vector>

#include "kernels/broadcast.h"

namespace octet::kernels {

void relu_f32(const float* x, float* y, int64_t n);
void leaky_relu_f32(const float* x, float* y, int64_t n, float alpha);
// min(max(x, lo), hi): hi wins when lo > hi, as numpy.clip.
void clip_f32(const float* x, float* y, int64_t n, float lo, float hi);
void sigmoid_f32(const float* x, float* y, int64_t n);
void tanh_f32(const float* x, float* y, int64_t n);
// clamp(alpha * x + beta, 0, 1)
void hard_sigmoid_f32(const float* x, float* y, int64_t n, float alpha, float beta);
// x * clamp(x / 6 + 1/2, 0, 1)
void hard_swish_f32(const float* x, float* y, int64_t n);
// x < 0 ? alpha * (e^x - 1) : x
void elu_f32(const float* x, float* y, int64_t n, float alpha);
// x < 0 ? alpha * (e^(x / alpha) - 1) : x; alpha must be non-zero.
void celu_f32(const float* x, float* y, int64_t n, float alpha);
void erf_f32(const float* x, float* y, int64_t n);
void exp_f32(const float* x, float* y, int64_t n);
void sqrt_f32(const float* x, float* y, int64_t n);
void neg_f32(const float* x, float* y, int64_t n);
void abs_f32(const float* x, float* y, int64_t n);

// out = op(a, b) with a and b broadcast to out_shape (each must broadcast to
// it, see plan_broadcast). PRelu is a < 0 ? a * b : a. out may alias an
// operand whose shape equals out_shape.
void binary_f32(BinaryOp op, const float* a, const std::vector<int64_t>& a_shape, const float* b,
                const std::vector<int64_t>& b_shape, float* out, const std::vector<int64_t>& out_shape);

}  // namespace octet::kernels
