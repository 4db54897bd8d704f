#include "kernels/ref/sgemm_ref.h"

#include <cmath>

namespace octet::kernels {

void sgemm_ref(int64_t M, int64_t N, int64_t K, const float* a, int64_t lda, const float* b, int64_t ldb,
               const float* bias, bool accumulate, float* c, int64_t ldc) {
  for (int64_t m = 0; m < M; ++m) {
    const float* a_row = a + m * lda;
    float* c_row = c + m * ldc;
    for (int64_t n = 0; n < N; ++n) {
      float acc = accumulate ? c_row[n] : (bias ? bias[m] : 0.f);
      for (int64_t k = 0; k < K; ++k) acc = std::fma(a_row[k], b[k * ldb + n], acc);
      c_row[n] = acc;
    }
  }
}

}  // namespace octet::kernels
