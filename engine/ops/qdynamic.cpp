// com.microsoft:DynamicQuantizeMatMul(A, B, b_scale, b_zero_point?, bias?):
// ONNX Runtime's dynamically quantized Linear / MatMul. Per call, A is
// quantized to uint8 as ONNX DynamicQuantizeLinear does, then
//
//   Y[m, n] = float(acc[m, n]) * (a_scale * b_scale[n]) + bias[n],
//   acc[m, n] = sum_k (Aq[m, k] - a_zp) * (B[k, n] - b_zp[n])   (wrapping int32)
//
// in exactly that float order (one rounded multiply, then one rounded add;
// the library builds with -ffp-contract=off, so no FMA), which is what
// qgemm's F32 epilogue computes for the product. The reference op runs the
// scalar integer GEMM; the prepared op, for a constant B, runs the INT8 GEMM
// on B prepacked once with A's zero point folded per call into the bias.
// A of rank > 2 is [prod(leading dims), K]. Shapes were validated by
// graph/shapes_qdynamic.cpp.
#include <cmath>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "engine/op_registry.h"
#include "engine/ops/fused_activation.h"
#include "engine/ops/quant_prepared.h"
#include "kernels/qgemm.h"
#include "kernels/quantize.h"
#include "kernels/ref/qgemm.h"
#include "kernels/ref/qgemm_u8s8_ref.h"
#include "kernels/ref/quantize.h"

namespace octet::engine {

namespace {

using graph::DType;

// A's per-call quantization: qparams as DynamicQuantizeLinear, then
// QuantizeLinear into `aq` (resized to A's size).
struct DynamicQuant {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// At `isa` (kernels/quantize.h: the reference's bits at every level).
DynamicQuant quantize_a(const Tensor& a, kernels::Isa isa, std::vector<uint8_t>& aq) {
  DynamicQuant q;
  aq.resize(static_cast<size_t>(a.numel()));
  kernels::dynamic_quantize_u8(isa, a.data<float>(), a.numel(), &q.scale, &q.zero_point, aq.data());
  return q;
}

// Per column (one value when b_scale has one): a_scale * b_scale[n], the
// F32 epilogue's dequantization scale.
void output_scales(float a_scale, const float* b_scale, size_t count, std::vector<float>& out) {
  out.resize(count);
  for (size_t j = 0; j < count; ++j) out[j] = a_scale * b_scale[j];
}

// y[m, n] += bias[n] after the product is stored: a separate rounded add.
void add_float_bias(const float* bias, int64_t m, int64_t n, float* y) {
  if (!bias) return;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) y[i * n + j] += bias[j];
}

kernels::QGemmEpilogue f32_epilogue(const std::vector<float>& scales, const int32_t* bias) {
  kernels::QGemmEpilogue ep;
  ep.type = kernels::QGemmOutput::F32;
  ep.bias = bias;
  ep.scale = scales.data();
  ep.per_channel = scales.size() > 1;
  return ep;
}

const float* optional_floats(const OpContext& ctx, size_t i) {
  return ctx.has_input(i) ? ctx.input(i).data<float>() : nullptr;
}

// ---- reference op ----

template <class B> void dynamic_quantize_matmul_typed(OpContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  const int64_t k = b.dim(0), n = b.dim(1);
  Tensor& y = ctx.output(0);
  const int64_t rows = n == 0 ? 0 : y.numel() / n;  // prod(A's leading dims), also when K is 0
  std::vector<uint8_t> aq;
  const DynamicQuant q = quantize_a(a, kernels::Isa::Ref, aq);
  std::vector<int32_t> b_zp;
  if (ctx.has_input(3))
    for (int64_t v : ctx.input(3).to_int64()) b_zp.push_back(static_cast<int32_t>(v));
  std::vector<int32_t> acc(static_cast<size_t>(rows * n));
  kernels::gemm_s32_ref(rows, n, k, aq.data(), &q.zero_point, 0, b.data<B>(), b_zp.empty() ? nullptr : b_zp.data(),
                        b_zp.size() > 1 ? 1 : 0, acc.data());
  const Tensor& b_scale = ctx.input(2);
  std::vector<float> scales;
  output_scales(q.scale, b_scale.data<float>(), static_cast<size_t>(b_scale.numel()), scales);
  const kernels::QGemmEpilogue ep = f32_epilogue(scales, nullptr);
  float* out = y.data<float>();
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < n; ++j) kernels::qgemm_store_ref(ep, j, acc[i * n + j], out + i * n);
  add_float_bias(optional_floats(ctx, 4), rows, n, out);
  apply_fused_activation(ctx.node, y);
}

void dynamic_quantize_matmul(OpContext& ctx) {
  if (ctx.input(1).dtype() == DType::UInt8)
    dynamic_quantize_matmul_typed<uint8_t>(ctx);
  else
    dynamic_quantize_matmul_typed<int8_t>(ctx);
}

// ---- prepared op: constant B on the INT8 GEMM ----

class PreparedDynamicQuantizeMatMul final : public PreparedOp {
 public:
  PreparedDynamicQuantizeMatMul(kernels::PackedWeights packed, std::vector<float> b_scale)
      : packed_(std::move(packed)), b_scale_(std::move(b_scale)) {}

  void run(OpContext& ctx) override {
    const Tensor& a = ctx.input(0);
    const int64_t m = a.numel() / packed_.k;
    const DynamicQuant q = quantize_a(a, packed_.isa, aq_);
    output_scales(q.scale, b_scale_.data(), b_scale_.size(), scales_);
    // sum_k (Aq - a_zp) * B = sum_k Aq * B - a_zp * col_sums[n]: the fold
    // the static ops do at prepack, here once per call with this call's zp.
    bias_ = qprep::fold_zero_point(packed_.col_sums, q.zero_point, nullptr);
    Tensor& y = ctx.output(0);
    kernels::QGemmArgs args;
    args.m = m;
    args.a = aq_.data();
    args.lda = packed_.k;
    args.b = &packed_;
    args.epilogue = f32_epilogue(scales_, bias_.data());
    args.c = y.raw();
    args.ldc = packed_.n;
    if (m > 0) kernels::qgemm_u8s8(args);
    add_float_bias(optional_floats(ctx, 4), m, packed_.n, y.data<float>());
    apply_fused_activation(ctx.node, y);
  }

 private:
  kernels::PackedWeights packed_;
  std::vector<float> b_scale_;
  // Reused across runs: quantized A, this call's scales and folded bias.
  std::vector<uint8_t> aq_;
  std::vector<float> scales_;
  std::vector<int32_t> bias_;
};

std::unique_ptr<PreparedOp> prepare_dynamic_quantize_matmul(const PrepareContext& ctx) {
  const Tensor* b = ctx.constants.size() > 1 ? ctx.constants[1] : nullptr;
  if (!b || b->rank() != 2) return nullptr;
  const int64_t k = b->dim(0), n = b->dim(1);
  if (k == 0 || n == 0 || k > qprep::kMaxDepth) return nullptr;
  auto b_scale = qprep::constant_floats(ctx, 2);
  auto b_zp = qprep::constant_ints(ctx, 3);
  if (!b_scale || !b_zp) return nullptr;
  // The float bias needs no preparation: it is read at run time, so it
  // may be a runtime input too.
  auto w = qprep::symmetric_s8_weights(*b, *b_zp);
  if (!w) return nullptr;
  try {
    // B [K, N] row-major: b[n, k] at n * 1 + k * N.
    auto packed = kernels::prepack_weights_s8(ctx.isa, n, k, w->data(), 1, n);
    return std::make_unique<PreparedDynamicQuantizeMatMul>(std::move(packed), std::move(*b_scale));
  } catch (const std::invalid_argument&) {
    return nullptr;
  }
}

}  // namespace

void add_qdynamic_ops(OpTable& t) {
  t[graph::op_key(graph::kMicrosoftDomain, "DynamicQuantizeMatMul")] = dynamic_quantize_matmul;
}

void add_qdynamic_prepares(PrepareTable& t) {
  t[graph::op_key(graph::kMicrosoftDomain, "DynamicQuantizeMatMul")] = prepare_dynamic_quantize_matmul;
}

}  // namespace octet::engine
