#include "kernels/fp32/gemm_f32.h"


#include "kernels/fp32/gemm_f32_eigen.h"
#include "kernels/fp32/gemm_f32_levels.h"
#include "kernels/isa.h"

namespace octet::kernels {

namespace {

using GemmFn = void (*)(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*, int64_t,
                        float, float*, int64_t);

// The level's Eigen build, chosen once: the widest the CPU has, or lower when
// OCTET_ISA says so (an unusable OCTET_ISA is reported by the session; the
// FP32 path then takes the build with no ISA flags).
GemmFn select_gemm() {
  [[maybe_unused]] const Isa isa = selected_isa_or_ref();
#if defined(__x86_64__) || defined(_M_X64)
  if (runs_avx512vnni(isa)) return gemm_f32_avx512;
  if (isa == Isa::Avx2) return gemm_f32_avx2;
#endif
  return gemm_f32_generic;
}

}  // namespace

void gemm_f32_generic(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* a,
                      int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  eigen_gemm_f32(trans_a, trans_b, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc);
}

void gemm_f32(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* a,
              int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  static const GemmFn gemm = select_gemm();
  gemm(trans_a, trans_b, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace octet::kernels
