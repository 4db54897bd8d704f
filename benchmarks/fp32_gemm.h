#pragma once
// FP32 GEMM baselines for the benchmark, C[M, N] = A[M, K] * B[K, N] on
// dense row-major buffers, computed by Eigen compiled for one ISA each (the
// library's own kernels/fp32 path is built with no ISA flags, i.e. SSE2).
// Call each only where kernels::isa_supported() allows its level.
#include <cstdint>

namespace octet::bench {

#if defined(__x86_64__) || defined(_M_X64)
// fp32_gemm_avx2.cpp: Eigen's AVX2/FMA path, the FP32 baseline the issue names.
void gemm_f32_avx2(int64_t M, int64_t N, int64_t K, const float* a, const float* b, float* c);
// fp32_gemm_avx512vnni.cpp: Eigen's AVX-512F path (built with the
// avx512vnni level's flags, so it runs wherever INT8 VNNI does).
void gemm_f32_avx512(int64_t M, int64_t N, int64_t K, const float* a, const float* b, float* c);
#endif

}  // namespace octet::bench
