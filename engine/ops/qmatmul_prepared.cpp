// QLinearMatMul and MatMulInteger on the INT8 GEMM, for a constant B of
// rank <= 2 (a weight): B prepacked once, A's zero point folded into the
// bias, and every batch of A one taller GEMM, since all batches share B.
#include <cmath>
#include <memory>
#include <stdexcept>

#include "engine/ops/quant_prepared.h"
#include "graph/matmul_dims.h"
#include "kernels/ref/requantize.h"

namespace octet::engine::qprep {

namespace {

using graph::DType;

class PreparedMatMul final : public PreparedOp {
 public:
  PreparedMatMul(kernels::PackedWeights packed, bool flip, std::vector<int32_t> bias, std::vector<float> multipliers)
      : packed_(std::move(packed)), flip_(flip), bias_(std::move(bias)), multipliers_(std::move(multipliers)) {}

  // Set after construction: the epilogue points into this object's vectors.
  void set_requantize(DType out, int32_t zero_point) {
    epilogue_ = requantize_epilogue(out, multipliers_, zero_point, bias_.data());
  }
  void set_s32() {
    epilogue_ = kernels::QGemmEpilogue{};
    epilogue_.type = kernels::QGemmOutput::S32;
    epilogue_.bias = bias_.data();
  }

  void run(OpContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const uint8_t* a_u8 = activation_bytes(a, flip_, ctx.scratch<std::vector<uint8_t>>());
    kernels::QGemmArgs args;
    args.m = a.numel() / packed_.k;
    args.a = a_u8;
    args.lda = packed_.k;
    args.b = &packed_;
    args.epilogue = epilogue_;
    args.c = ctx.output(0).raw();
    args.ldc = packed_.n;
    kernels::qgemm_u8s8(args);
  }

 private:
  kernels::PackedWeights packed_;
  bool flip_;
  std::vector<int32_t> bias_;
  std::vector<float> multipliers_;
  kernels::QGemmEpilogue epilogue_;
};

struct MatMulInputs {
  size_t a, a_zero_point, b, b_zero_point;
};

// The GEMM with B prepacked and A's zero point folded, or null when the
// node is not one the kernels take exactly. The epilogue is the caller's.
std::unique_ptr<PreparedMatMul> prepare_gemm(const PrepareContext& ctx, const MatMulInputs& in,
                                             std::vector<float> multipliers) {
  const Tensor* b = in.b < ctx.constants.size() ? ctx.constants[in.b] : nullptr;
  if (!b || b->rank() > 2) return nullptr;
  const graph::MatMulDims d = graph::matmul_dims(ctx.inputs[in.a].shape, b->shape(), ctx.node.label());
  if (d.K == 0 || d.K > kMaxDepth || d.N == 0 || d.M == 0 || d.batches == 0) return nullptr;
  auto b_zp = constant_ints(ctx, in.b_zero_point);
  auto a_zp = constant_ints(ctx, in.a_zero_point);
  if (!b_zp || !a_zp) return nullptr;
  auto a = activation_u8(ctx.inputs[in.a].dtype, *a_zp);
  auto w = symmetric_s8_weights(*b, *b_zp);
  if (!a || !w) return nullptr;
  // B is [K, N] row-major: element (n, k) at k * N + n.
  kernels::PackedWeights packed;
  try {
    packed = kernels::prepack_weights_s8(ctx.isa, d.N, d.K, w->data(), 1, d.N);
  } catch (const std::invalid_argument&) {
    return nullptr;  // a shape the kernels refuse: the reference op runs it
  }
  std::vector<int32_t> bias = fold_zero_point(packed.col_sums, a->zero_point, nullptr);
  auto op = std::make_unique<PreparedMatMul>(std::move(packed), a->flip, std::move(bias), std::move(multipliers));
  op->packed_inputs = {in.b};
  return op;
}

// QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp)
std::unique_ptr<PreparedOp> prepare_qlinear_matmul(const PrepareContext& ctx) {
  auto a_scale = constant_floats(ctx, 1), b_scale = constant_floats(ctx, 4), y_scale = constant_floats(ctx, 6);
  auto y_zp = constant_ints(ctx, 7);
  if (!a_scale || !b_scale || !y_scale || !y_zp || y_zp->size() != 1) return nullptr;
  if (a_scale->size() != 1 || y_scale->size() != 1 || b_scale->empty()) return nullptr;
  const int64_t n = ctx.constants[3] ? (ctx.constants[3]->rank() == 2 ? ctx.constants[3]->dim(1) : 1) : 0;
  if (b_scale->size() != 1 && static_cast<int64_t>(b_scale->size()) != n) return nullptr;
  std::vector<float> multipliers;
  for (float s : *b_scale) {
    multipliers.push_back(kernels::requantize_multiplier((*a_scale)[0], s, (*y_scale)[0]));
    // An infinite multiplier makes 0 * inf = NaN, which the reference maps
    // to the zero point and the SIMD clamp need not: leave it to the reference.
    if (!std::isfinite(multipliers.back())) return nullptr;
  }
  auto op = prepare_gemm(ctx, {0, 2, 3, 5}, std::move(multipliers));
  if (op) op->set_requantize(ctx.outputs[0].dtype, (*y_zp)[0]);
  return op;
}

// MatMulInteger(A, B, a_zero_point?, b_zero_point?) -> int32
std::unique_ptr<PreparedOp> prepare_matmul_integer(const PrepareContext& ctx) {
  auto op = prepare_gemm(ctx, {0, 2, 1, 3}, {});
  if (op) op->set_s32();
  return op;
}

}  // namespace

void add_qmatmul_prepares(PrepareTable& t) {
  t["QLinearMatMul"] = prepare_qlinear_matmul;
  t["MatMulInteger"] = prepare_matmul_integer;
}

}  // namespace octet::engine::qprep
