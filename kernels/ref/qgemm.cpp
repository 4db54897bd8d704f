#include "kernels/ref/qgemm.h"

#include <vector>

namespace octet::kernels {

template <class A, class B>
void gemm_s32_ref(int64_t M, int64_t N, int64_t K, const A* a, const int32_t* a_zp, int64_t a_zp_stride,
                  const B* b, const int32_t* b_zp, int64_t b_zp_stride, int32_t* c) {
  for (int64_t m = 0; m < M; ++m) {
    const int32_t za = a_zp ? a_zp[m * a_zp_stride] : 0;
    for (int64_t n = 0; n < N; ++n) {
      const int32_t zb = b_zp ? b_zp[n * b_zp_stride] : 0;
      uint32_t acc = 0;
      for (int64_t k = 0; k < K; ++k)
        acc += static_cast<uint32_t>((static_cast<int32_t>(a[m * K + k]) - za) * (static_cast<int32_t>(b[k * N + n]) - zb));
      c[m * N + n] = static_cast<int32_t>(acc);
    }
  }
}

template <class A, class B, class Y>
void qlinear_matmul_ref(int64_t M, int64_t N, int64_t K, const A* a, const QuantParams& a_qp, const B* b,
                        const QuantParams& b_qp, float y_scale, int32_t y_zero_point, Y* y) {
  std::vector<int32_t> acc(static_cast<size_t>(M * N));
  gemm_s32_ref(M, N, K, a, a_qp.zero_point, a_qp.stride, b, b_qp.zero_point, b_qp.stride, acc.data());
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      const float mult = requantize_multiplier(a_qp.scale_at(m), b_qp.scale_at(n), y_scale);
      y[m * N + n] = requantize<Y>(acc[m * N + n], mult, y_zero_point);
    }
}

#define OCTET_GEMM_S32(A, B)                                                                                  \
  template void gemm_s32_ref(int64_t, int64_t, int64_t, const A*, const int32_t*, int64_t, const B*,          \
                             const int32_t*, int64_t, int32_t*);                                             \
  template void qlinear_matmul_ref(int64_t, int64_t, int64_t, const A*, const QuantParams&, const B*,          \
                                   const QuantParams&, float, int32_t, uint8_t*);                             \
  template void qlinear_matmul_ref(int64_t, int64_t, int64_t, const A*, const QuantParams&, const B*,          \
                                   const QuantParams&, float, int32_t, int8_t*);
OCTET_GEMM_S32(uint8_t, uint8_t)
OCTET_GEMM_S32(uint8_t, int8_t)
OCTET_GEMM_S32(int8_t, uint8_t)
OCTET_GEMM_S32(int8_t, int8_t)
#undef OCTET_GEMM_S32

}  // namespace octet::kernels
