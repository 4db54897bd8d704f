#pragma once
// Scalar FP32 GEMM behind kernels/fp32/sgemm_packed.h: the Isa::Ref path
// and the truth every SIMD level is tested against, bit for bit. Each
// output is one chain of fused multiply-adds in k order (the contract in
// sgemm_packed.h), written with std::fma so that no compiler contraction or
// reassociation can change it.
#include <cstdint>

namespace octet::kernels {

// c[m, n] for m < M, n < N, with a [M, K] row-major (row stride lda) and
// b [K, N] row-major (row stride ldb):
//   acc = accumulate ? c[m, n] : (bias ? bias[m] : 0)
//   for k = 0..K-1: acc = fma(a[m, k], b[k, n], acc)
//   c[m, n] = acc
void sgemm_ref(int64_t M, int64_t N, int64_t K, const float* a, int64_t lda, const float* b, int64_t ldb,
               const float* bias, bool accumulate, float* c, int64_t ldc);

}  // namespace octet::kernels
