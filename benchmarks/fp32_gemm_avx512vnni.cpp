// Eigen's FP32 GEMM compiled with -mavx2 -mfma -mavx512f (the avx512vnni level's flags).
//
// Eigen's templates have the same mangled names whatever the ISA flags, so
// an AVX-512 instantiation and the library's SSE2 one would be merged by the
// linker and one path would silently run the other's code. Renaming the
// namespace for this translation unit keeps the two apart.
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>

#define Eigen OctetBenchEigenAvx512
#include <Eigen/Core>

#include "benchmarks/fp32_gemm.h"

namespace octet::bench {

void gemm_f32_avx512(int64_t M, int64_t N, int64_t K, const float* a, const float* b, float* c) {
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<const RowMajor> am(a, M, K), bm(b, K, N);
  Eigen::Map<RowMajor> cm(c, M, N);
  cm.noalias() = am * bm;
}

}  // namespace octet::bench
