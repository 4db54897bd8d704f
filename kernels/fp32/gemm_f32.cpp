#include "kernels/fp32/gemm_f32.h"

#include <Eigen/Core>

namespace octet::kernels {

namespace {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const RowMajor, Eigen::Unaligned, Eigen::OuterStride<>>;
using MutMap = Eigen::Map<RowMajor, Eigen::Unaligned, Eigen::OuterStride<>>;

template <class A, class B>
void finish(const A& op_a, const B& op_b, float alpha, float beta, MutMap& c) {
  if (beta == 0.f) {
    c.noalias() = alpha * (op_a * op_b);
  } else {
    if (beta != 1.f) c *= beta;
    c.noalias() += alpha * (op_a * op_b);
  }
}

}  // namespace

void gemm_f32(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* a,
              int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (M == 0 || N == 0) return;
  MutMap cm(c, M, N, Eigen::OuterStride<>(ldc));
  if (K == 0) {
    // An empty sum: only the beta term remains.
    if (beta == 0.f) cm.setZero();
    else cm *= beta;
    return;
  }
  // A stored as [M, K] (or [K, M] when transposed), likewise B.
  ConstMap am(a, trans_a ? K : M, trans_a ? M : K, Eigen::OuterStride<>(lda));
  ConstMap bm(b, trans_b ? N : K, trans_b ? K : N, Eigen::OuterStride<>(ldb));
  if (trans_a && trans_b) finish(am.transpose(), bm.transpose(), alpha, beta, cm);
  else if (trans_a) finish(am.transpose(), bm, alpha, beta, cm);
  else if (trans_b) finish(am, bm.transpose(), alpha, beta, cm);
  else finish(am, bm, alpha, beta, cm);
}

}  // namespace octet::kernels
