#pragma once
// gemm_f32 per ISA level (the contract of kernels/fp32/gemm_f32.h); the
// AVX2 and AVX-512 ones run only where kernels::isa_supported allows.
#include <cstdint>

namespace octet::kernels {

void gemm_f32_generic(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* a,
                      int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
#if defined(__x86_64__) || defined(_M_X64)
void gemm_f32_avx2(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* a,
                   int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
void gemm_f32_avx512(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* a,
                     int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);
#endif

}  // namespace octet::kernels
