#pragma once
// The elementwise kernels of elementwise_f32.h once per ISA build
// (elementwise_f32_impl.h); elementwise_f32.cpp picks one at first use. The
// AVX2 and AVX-512 ones run only where kernels::selected_isa() allows.
#include <cstdint>
#include <vector>

#include "kernels/broadcast.h"

#define OCTET_ELEMENTWISE_F32_DECLS \
  void relu_f32(const float* x, float* y, int64_t n); \
  void leaky_relu_f32(const float* x, float* y, int64_t n, float alpha); \
  void clip_f32(const float* x, float* y, int64_t n, float lo, float hi); \
  void sigmoid_f32(const float* x, float* y, int64_t n); \
  void tanh_f32(const float* x, float* y, int64_t n); \
  void hard_sigmoid_f32(const float* x, float* y, int64_t n, float alpha, float beta); \
  void hard_swish_f32(const float* x, float* y, int64_t n); \
  void elu_f32(const float* x, float* y, int64_t n, float alpha); \
  void celu_f32(const float* x, float* y, int64_t n, float alpha); \
  void erf_f32(const float* x, float* y, int64_t n); \
  void exp_f32(const float* x, float* y, int64_t n); \
  void sqrt_f32(const float* x, float* y, int64_t n); \
  void neg_f32(const float* x, float* y, int64_t n); \
  void abs_f32(const float* x, float* y, int64_t n); \
  void binary_f32(BinaryOp op, const float* a, const std::vector<int64_t>& a_shape, const float* b, const std::vector<int64_t>& b_shape, float* out, const std::vector<int64_t>& out_shape);

namespace octet::kernels::fp32_generic {
OCTET_ELEMENTWISE_F32_DECLS
}
#if defined(__x86_64__) || defined(_M_X64)
namespace octet::kernels::fp32_avx2 {
OCTET_ELEMENTWISE_F32_DECLS
}
namespace octet::kernels::fp32_avx512 {
OCTET_ELEMENTWISE_F32_DECLS
}
#endif
