// com.microsoft:QGemm on the INT8 GEMM for a constant B (a Linear / Gemm
// weight): B prepacked once from either orientation, A's zero point and C
// folded into one bias, alpha folded into the output scales, and the
// fused clamp in the epilogue (quantized Y) or after it (float32 Y, as the
// reference op). transA = 1 and the combinations quant_prepared.h has no
// exact rewrite for run the reference op.
#include <cmath>
#include <memory>
#include <optional>
#include <stdexcept>

#include "engine/ops/fused_activation.h"
#include "engine/ops/qnn.h"
#include "engine/ops/quant_prepared.h"
#include "engine/ops/quantized_activation.h"

namespace octet::engine::qnn {

namespace {

using graph::DType;
using qprep::constant_floats;
using qprep::constant_ints;

class PreparedQGemm final : public PreparedOp {
 public:
  PreparedQGemm(kernels::PackedWeights packed, bool flip, std::vector<int32_t> bias, std::vector<float> scales)
      : packed_(std::move(packed)), flip_(flip), bias_(std::move(bias)), scales_(std::move(scales)) {}

  // Set after construction: the epilogue points into this object's vectors.
  void set_requantize(DType out, int32_t zero_point, QuantizedClamp clamp) {
    epilogue_ = qprep::requantize_epilogue(out, scales_, zero_point, bias_.data());
    epilogue_.qmin = clamp.qmin;
    epilogue_.qmax = clamp.qmax;
  }
  void set_dequantize() {
    epilogue_.type = kernels::QGemmOutput::F32;
    epilogue_.bias = bias_.data();
    epilogue_.scale = scales_.data();
    epilogue_.per_channel = scales_.size() > 1;
  }

  void run(OpContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const uint8_t* a_u8 = qprep::activation_bytes(a, flip_, ctx.scratch<std::vector<uint8_t>>());
    Tensor& y = ctx.output(0);
    kernels::QGemmArgs args;
    args.m = a.dim(0);
    args.a = a_u8;
    args.lda = packed_.k;
    args.b = &packed_;
    args.epilogue = epilogue_;
    args.c = y.raw();
    args.ldc = packed_.n;
    kernels::qgemm_u8s8(args);
    if (epilogue_.type == kernels::QGemmOutput::F32) apply_fused_activation(ctx.node, y);
  }

 private:
  kernels::PackedWeights packed_;
  bool flip_;
  std::vector<int32_t> bias_;
  std::vector<float> scales_;
  kernels::QGemmEpilogue epilogue_;
};

// C as one int32 per column, or nullopt when its broadcast over [M, N]
// differs between rows (then it is no bias vector). Empty when omitted.
std::optional<std::vector<int32_t>> column_bias(const PrepareContext& ctx, int64_t m, int64_t n) {
  if (ctx.node.input(6).empty()) return std::vector<int32_t>{};
  const Tensor* c = ctx.constants.size() > 6 ? ctx.constants[6] : nullptr;
  if (!c) return std::nullopt;
  const int64_t rank = static_cast<int64_t>(c->rank());
  if (rank == 2 && c->dim(0) != 1 && m != 1) return std::nullopt;
  const int64_t cols = rank >= 1 ? c->dim(rank - 1) : 1;
  std::vector<int32_t> out(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) out[j] = c->data<int32_t>()[cols == 1 ? 0 : j];
  return out;
}

// B [N, K] (transB) or [K, N] packed as the kernels' b[n, k], with the
// column sums for the zero-point fold; nullopt when the kernels refuse it.
std::optional<kernels::PackedWeights> pack_b(const PrepareContext& ctx, const QGemmDims& d, const int8_t* w) {
  try {
    if (d.trans_b) return kernels::prepack_weights_s8(ctx.isa, d.n, d.k, w, d.k, 1);
    return kernels::prepack_weights_s8(ctx.isa, d.n, d.k, w, 1, d.n);
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

bool all_finite(const std::vector<float>& v) {
  for (float x : v)
    if (!std::isfinite(x)) return false;
  return true;
}

// QGemm(A, a_scale, a_zp, B, b_scale, b_zp, C?, y_scale?, y_zp?)
std::unique_ptr<PreparedOp> prepare_qgemm(const PrepareContext& ctx) {
  const Tensor* b = ctx.constants.size() > 3 ? ctx.constants[3] : nullptr;
  if (!b) return nullptr;
  const QGemmDims d = qgemm_dims(ctx.node, ctx.inputs[0].shape, b->shape());
  if (d.trans_a || d.m == 0 || d.n == 0 || d.k == 0 || d.k > qprep::kMaxDepth) return nullptr;
  auto a_scale = constant_floats(ctx, 1), b_scale = constant_floats(ctx, 4);
  auto a_zp = constant_ints(ctx, 2), b_zp = constant_ints(ctx, 5);
  if (!a_scale || !b_scale || !a_zp || !b_zp) return nullptr;
  const bool quantized = !ctx.node.input(7).empty();
  std::optional<std::vector<float>> y_scale;
  std::optional<std::vector<int32_t>> y_zp;
  if (quantized) {
    y_scale = constant_floats(ctx, 7), y_zp = constant_ints(ctx, 8);
    if (!y_scale || !y_zp || y_zp->size() != 1) return nullptr;
  }
  auto c = column_bias(ctx, d.m, d.n);
  auto a = qprep::activation_u8(ctx.inputs[0].dtype, *a_zp);
  auto w = qprep::symmetric_s8_weights(*b, *b_zp);
  if (!c || !a || !w) return nullptr;
  // An infinite scale makes 0 * inf = NaN, which the reference maps to the
  // zero point and the SIMD clamp need not: leave it to the reference.
  std::vector<float> scales = qgemm_output_scales(ctx.node.attr_float("alpha", 1.0f), (*a_scale)[0], *b_scale,
                                                  quantized ? y_scale->data() : nullptr);
  if (!all_finite(scales)) return nullptr;
  auto packed = pack_b(ctx, d, w->data());
  if (!packed) return nullptr;
  std::vector<int32_t> bias = qprep::fold_zero_point(packed->col_sums, a->zero_point, c->empty() ? nullptr : c->data());
  auto op = std::make_unique<PreparedQGemm>(std::move(*packed), a->flip, std::move(bias), std::move(scales));
  op->packed_inputs = {3, 6};  // B prepacked, C folded into the bias
  if (!quantized) {
    op->set_dequantize();
    return op;
  }
  const DType out = ctx.outputs[0].dtype;
  op->set_requantize(out, (*y_zp)[0], quantized_activation_clamp(ctx.node, out, (*y_scale)[0], (*y_zp)[0]));
  return op;
}

}  // namespace

}  // namespace octet::engine::qnn

namespace octet::engine {

void add_qnn_prepares(PrepareTable& t) {
  t[graph::op_key(graph::kMicrosoftDomain, "QGemm")] = qnn::prepare_qgemm;
  qnn::add_qpool_prepares(t);
}

}  // namespace octet::engine
