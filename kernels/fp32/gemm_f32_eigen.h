#pragma once
// The body of gemm_f32 (kernels/fp32/gemm_f32.h) on Eigen, compiled once per
// ISA level: gemm_f32.cpp (no ISA flags), gemm_f32_avx2.cpp and
// gemm_f32_avx512vnni.cpp include it after renaming the Eigen namespace.
// Eigen's templates mangle the same whatever the flags, so without the
// rename the linker would merge the AVX2 and SSE2 instantiations and one
// level would silently run the other's code. Internal linkage for the same
// reason: each including file gets its own copy.
#include <cstdint>

#include <Eigen/Core>

namespace octet::kernels {

namespace {

using EigenRowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using EigenConstMap = Eigen::Map<const EigenRowMajor, Eigen::Unaligned, Eigen::OuterStride<>>;
using EigenMutMap = Eigen::Map<EigenRowMajor, Eigen::Unaligned, Eigen::OuterStride<>>;

template <class A, class B>
void eigen_finish(const A& op_a, const B& op_b, float alpha, float beta, EigenMutMap& c) {
  if (beta == 0.f) {
    c.noalias() = alpha * (op_a * op_b);
  } else {
    if (beta != 1.f) c *= beta;
    c.noalias() += alpha * (op_a * op_b);
  }
}

void eigen_gemm_f32(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* a,
                    int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (M == 0 || N == 0) return;
  EigenMutMap cm(c, M, N, Eigen::OuterStride<>(ldc));
  if (K == 0) {
    // An empty sum: only the beta term remains.
    if (beta == 0.f) cm.setZero();
    else cm *= beta;
    return;
  }
  // A stored as [M, K] (or [K, M] when transposed), likewise B.
  EigenConstMap am(a, trans_a ? K : M, trans_a ? M : K, Eigen::OuterStride<>(lda));
  EigenConstMap bm(b, trans_b ? N : K, trans_b ? K : N, Eigen::OuterStride<>(ldb));
  if (trans_a && trans_b) eigen_finish(am.transpose(), bm.transpose(), alpha, beta, cm);
  else if (trans_a) eigen_finish(am.transpose(), bm, alpha, beta, cm);
  else if (trans_b) eigen_finish(am, bm.transpose(), alpha, beta, cm);
  else eigen_finish(am, bm, alpha, beta, cm);
}

}  // namespace

}  // namespace octet::kernels
