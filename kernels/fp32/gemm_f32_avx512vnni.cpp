// Eigen's FP32 GEMM built with this file's ISA flags (cmake/isa_sources.cmake);
// the Eigen namespace is renamed so its templates stay apart from the other
// levels' (see kernels/fp32/gemm_f32_eigen.h).
#define Eigen OctetEigenAvx512
#include "kernels/fp32/gemm_f32_eigen.h"
#include "kernels/fp32/gemm_f32_levels.h"

namespace octet::kernels {

void gemm_f32_avx512(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* a, int64_t lda,
         const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  eigen_gemm_f32(trans_a, trans_b, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace octet::kernels
