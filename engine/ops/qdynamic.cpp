// ONNX Runtime's integer MatMuls with a float output:
//   DynamicQuantizeMatMul(A, B, b_scale, b_zero_point?, bias?)
//   MatMulIntegerToFloat(A, B, a_scale, b_scale, a_zero_point?,
//                        b_zero_point?, bias?)
// The first quantizes its float A per call to uint8 as ONNX
// DynamicQuantizeLinear does; the second is given A quantized (uint8 or
// int8, often by a DynamicQuantizeLinear before it). Then both compute
//
//   Y[m, n] = float(acc[m, n]) * (a_scale * b_scale[n]) + bias[n],
//   acc[m, n] = sum_k (Aq[m, k] - a_zp) * (B[k, n] - b_zp[n])   (wrapping int32)
//
// in exactly that float order (one rounded multiply, then one rounded add;
// the library builds with -ffp-contract=off, so no FMA), which is what
// qgemm's F32 epilogue computes for the product. The reference ops run the
// scalar integer GEMM; the prepared ops, for a constant B, run the INT8 GEMM
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
#include "engine/ops/quant_inputs.h"
#include "engine/ops/quant_prepared.h"
#include "kernels/qgemm.h"
#include "kernels/quantize.h"
#include "kernels/ref/qgemm.h"
#include "kernels/ref/qgemm_u8s8_ref.h"
#include "kernels/ref/quantize.h"

namespace octet::engine {

namespace {

using graph::DType;

// Where a node's operands are. DynamicQuantizeMatMul has no a_scale or
// a_zero_point inputs: it computes them per call.
struct ToFloatInputs {
  bool dynamic = false;  // A is float32, quantized per call
  size_t a_scale = 0, a_zero_point = 0, b_scale = 0, b_zero_point = 0, bias = 0;
};
constexpr ToFloatInputs kDynamicQuantizeMatMul{true, 0, 0, 2, 3, 4};
constexpr ToFloatInputs kMatMulIntegerToFloat{false, 2, 4, 3, 5, 6};

// A's qparams as the integer GEMM reads them.
struct AQuant {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// DynamicQuantizeMatMul's per-call quantization at `isa`: qparams as
// DynamicQuantizeLinear, then QuantizeLinear into `aq` (resized to A's
// size). kernels/quantize.h gives the reference's bits at every level.
AQuant quantize_a(const Tensor& a, kernels::Isa isa, std::vector<uint8_t>& aq) {
  AQuant q;
  aq.resize(static_cast<size_t>(a.numel()));
  kernels::dynamic_quantize_u8(isa, a.data<float>(), a.numel(), &q.scale, &q.zero_point, aq.data());
  return q;
}

// MatMulIntegerToFloat's given qparams (one value each, by the shape rule).
AQuant given_a_quant(const OpContext& ctx) {
  return {ctx.input(kMatMulIntegerToFloat.a_scale).data<float>()[0],
          zero_point_or_0(ctx, kMatMulIntegerToFloat.a_zero_point)};
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

// ---- reference ops ----

// The scalar integer GEMM of a quantized A (any 8-bit type) and B, then
// the float epilogue and the bias.
template <class A, class B> void matmul_to_float_ref(OpContext& ctx, const ToFloatInputs& in, const A* aq, AQuant q) {
  const Tensor& b = ctx.input(1);
  const int64_t k = b.dim(0), n = b.dim(1);
  Tensor& y = ctx.output(0);
  const int64_t rows = n == 0 ? 0 : y.numel() / n;  // prod(A's leading dims), also when K is 0
  const std::vector<int32_t> b_zp = zero_points(ctx, in.b_zero_point);
  std::vector<int32_t> acc(static_cast<size_t>(rows * n));
  kernels::gemm_s32_ref(rows, n, k, aq, &q.zero_point, 0, b.data<B>(), b_zp.empty() ? nullptr : b_zp.data(),
                        b_zp.size() > 1 ? 1 : 0, acc.data());
  const Tensor& b_scale = ctx.input(in.b_scale);
  std::vector<float> scales;
  output_scales(q.scale, b_scale.data<float>(), static_cast<size_t>(b_scale.numel()), scales);
  const kernels::QGemmEpilogue ep = f32_epilogue(scales, nullptr);
  float* out = y.data<float>();
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < n; ++j) kernels::qgemm_store_ref(ep, j, acc[i * n + j], out + i * n);
  add_float_bias(optional_floats(ctx, in.bias), rows, n, out);
  apply_fused_activation(ctx.node, y);
}

void dynamic_quantize_matmul(OpContext& ctx) {
  std::vector<uint8_t> aq;
  const AQuant q = quantize_a(ctx.input(0), kernels::Isa::Ref, aq);
  with_8bit(ctx.input(1).dtype(), [&](auto b) {
    matmul_to_float_ref<uint8_t, decltype(b)>(ctx, kDynamicQuantizeMatMul, aq.data(), q);
  });
}

void matmul_integer_to_float(OpContext& ctx) {
  with_8bit(ctx.input(0).dtype(), [&](auto a) {
    using A = decltype(a);
    with_8bit(ctx.input(1).dtype(), [&](auto b) {
      matmul_to_float_ref<A, decltype(b)>(ctx, kMatMulIntegerToFloat, ctx.input(0).data<A>(), given_a_quant(ctx));
    });
  });
}

// ---- prepared ops: constant B on the INT8 GEMM ----

// What a run changes, per run context: A as uint8, this call's scales and
// folded bias.
struct ToFloatScratch {
  std::vector<uint8_t> aq;
  std::vector<float> scales;
  std::vector<int32_t> bias;
};

class PreparedMatMulToFloat final : public PreparedOp {
 public:
  PreparedMatMulToFloat(const ToFloatInputs& in, kernels::PackedWeights packed, std::vector<float> b_scale)
      : in_(in), packed_(std::move(packed)), b_scale_(std::move(b_scale)) {}

  void run(OpContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const int64_t m = a.numel() / packed_.k;
    ToFloatScratch& sc = ctx.scratch<ToFloatScratch>();
    const uint8_t* a_u8 = nullptr;
    const AQuant q = quantized_a(ctx, a_u8, sc.aq);
    output_scales(q.scale, b_scale_.data(), b_scale_.size(), sc.scales);
    // sum_k (Aq - a_zp) * B = sum_k Aq * B - a_zp * col_sums[n]: the fold
    // the static ops do at prepack, here once per call with this call's zp.
    sc.bias = qprep::fold_zero_point(packed_.col_sums, q.zero_point, nullptr);
    Tensor& y = ctx.output(0);
    kernels::QGemmArgs args;
    args.m = m;
    args.a = a_u8;
    args.lda = packed_.k;
    args.b = &packed_;
    args.epilogue = f32_epilogue(sc.scales, sc.bias.data());
    args.c = y.raw();
    args.ldc = packed_.n;
    if (m > 0) kernels::qgemm_u8s8(args);
    add_float_bias(optional_floats(ctx, in_.bias), m, packed_.n, y.data<float>());
    apply_fused_activation(ctx.node, y);
  }

 private:
  // A as uint8 for the kernel, with its qparams: quantized from float, or
  // given (int8 read as uint8 by qprep::activation_u8's exact rewrite).
  AQuant quantized_a(const OpContext& ctx, const uint8_t*& a_u8, std::vector<uint8_t>& aq) const {
    const Tensor& a = ctx.input(0);
    if (in_.dynamic) {
      const AQuant q = quantize_a(a, packed_.isa, aq);
      a_u8 = aq.data();
      return q;
    }
    AQuant q = given_a_quant(ctx);
    const auto u8 = qprep::activation_u8(a.dtype(), {q.zero_point});  // one zero point: never refused
    q.zero_point = u8->zero_point;
    a_u8 = qprep::activation_bytes(a, u8->flip, aq);
    return q;
  }

  ToFloatInputs in_;
  kernels::PackedWeights packed_;
  std::vector<float> b_scale_;
};

// B, b_scale and b_zero_point constant, B's zero points ones the kernels
// take exactly (int8 at 0, uint8 at 128); a_scale, a_zero_point and the
// float bias are read at run time, so they may be runtime inputs.
std::unique_ptr<PreparedOp> prepare_matmul_to_float(const PrepareContext& ctx, const ToFloatInputs& in) {
  const Tensor* b = ctx.constants.size() > 1 ? ctx.constants[1] : nullptr;
  if (!b || b->rank() != 2) return nullptr;
  const int64_t k = b->dim(0), n = b->dim(1);
  if (k == 0 || n == 0 || k > qprep::kMaxDepth) return nullptr;
  auto b_scale = qprep::constant_floats(ctx, in.b_scale);
  auto b_zp = qprep::constant_ints(ctx, in.b_zero_point);
  if (!b_scale || !b_zp) return nullptr;
  auto w = qprep::symmetric_s8_weights(*b, *b_zp);
  if (!w) return nullptr;
  try {
    // B [K, N] row-major: b[n, k] at n * 1 + k * N.
    auto packed = kernels::prepack_weights_s8(ctx.isa, n, k, w->data(), 1, n);
    return std::make_unique<PreparedMatMulToFloat>(in, std::move(packed), std::move(*b_scale));
  } catch (const std::invalid_argument&) {
    return nullptr;
  }
}

std::unique_ptr<PreparedOp> prepare_dynamic_quantize_matmul(const PrepareContext& ctx) {
  return prepare_matmul_to_float(ctx, kDynamicQuantizeMatMul);
}

std::unique_ptr<PreparedOp> prepare_matmul_integer_to_float(const PrepareContext& ctx) {
  return prepare_matmul_to_float(ctx, kMatMulIntegerToFloat);
}

}  // namespace

void add_qdynamic_ops(OpTable& t) {
  t[graph::op_key(graph::kMicrosoftDomain, "DynamicQuantizeMatMul")] = dynamic_quantize_matmul;
  t[graph::op_key(graph::kMicrosoftDomain, "MatMulIntegerToFloat")] = matmul_integer_to_float;
}

void add_qdynamic_prepares(PrepareTable& t) {
  t[graph::op_key(graph::kMicrosoftDomain, "DynamicQuantizeMatMul")] = prepare_dynamic_quantize_matmul;
  t[graph::op_key(graph::kMicrosoftDomain, "MatMulIntegerToFloat")] = prepare_matmul_integer_to_float;
}

}  // namespace octet::engine
