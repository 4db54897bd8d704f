#pragma once
// FP32 matrix products on row-major buffers, computed by Eigen.
#include <cstdint>

namespace octet::kernels {

// C = alpha * op(A) * op(B) + beta * C, op(X) = X or X^T.
// op(A) is [M, K], op(B) is [K, N], C is [M, N]; lda/ldb/ldc are the row
// strides (in elements) of A, B and C as stored. With beta == 0, C is
// written without being read (it may hold anything, even NaN).
void gemm_f32(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* a,
              int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// Dense C[M, N] = A[M, K] * B[K, N].
inline void matmul_f32(int64_t M, int64_t N, int64_t K, const float* a, const float* b, float* c) {
  gemm_f32(false, false, M, N, K, 1.f, a, K, b, N, 0.f, c, N);
}

}  // namespace octet::kernels
