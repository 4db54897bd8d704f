#pragma once
// FP32 GEMM at a chosen level for the benchmark's columns: the library's
// per-level Eigen builds (kernels/fp32/gemm_f32_levels.h) on dense
// row-major C[M, N] = A[M, K] * B[K, N]. Call each only where
// kernels::isa_supported() allows its level.
#include <cstdint>

#include "kernels/fp32/gemm_f32_levels.h"

namespace octet::bench {

#if defined(__x86_64__) || defined(_M_X64)
inline void gemm_f32_avx2(int64_t M, int64_t N, int64_t K, const float* a, const float* b, float* c) {
  kernels::gemm_f32_avx2(false, false, M, N, K, 1.f, a, K, b, N, 0.f, c, N);
}
inline void gemm_f32_avx512(int64_t M, int64_t N, int64_t K, const float* a, const float* b, float* c) {
  kernels::gemm_f32_avx512(false, false, M, N, K, 1.f, a, K, b, N, 0.f, c, N);
}
#endif

}  // namespace octet::bench
