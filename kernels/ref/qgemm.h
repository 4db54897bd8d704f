#pragma once
// Scalar reference integer GEMM: ONNX MatMulInteger and QLinearMatMul on
// one [M, K] x [K, N] matrix pair (the caller walks batch dimensions).
#include <cstdint>

#include "kernels/ref/requantize.h"

namespace octet::kernels {

// c[m, n] = sum_k (a[m, k] - a_zp[m]) * (b[k, n] - b_zp[n]), with per-row
// zero points for a and per-column ones for b (stride 0: per tensor; null:
// zero). Products are exact in int32; the sum wraps modulo 2^32 as the ONNX
// spec allows, without undefined behaviour. a and b are dense row-major.
template <class A, class B>
void gemm_s32_ref(int64_t M, int64_t N, int64_t K, const A* a, const int32_t* a_zp, int64_t a_zp_stride,
                  const B* b, const int32_t* b_zp, int64_t b_zp_stride, int32_t* c);

// QLinearMatMul: the integer product requantized with multiplier
// a_scale[m] * b_scale[n] / y_scale (per row of a, per column of b).
template <class A, class B, class Y>
void qlinear_matmul_ref(int64_t M, int64_t N, int64_t K, const A* a, const QuantParams& a_qp, const B* b,
                        const QuantParams& b_qp, float y_scale, int32_t y_zero_point, Y* y);

}  // namespace octet::kernels
