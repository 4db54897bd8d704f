// ONNX Conv (FP32, 2-D, constant weights) with the weights packed into the
// GEMM's slivers once per session: packing them on every run cost about a
// third of the convolution time on resnet18, which is why the reference op
// reads them in place. Geometry is resolved on each run from x's shape, as
// the reference op does, so the bits are the reference's (the packed GEMM's
// contract: the same fma chains whether A is packed or read in place).
#include <memory>
#include <vector>

#include "engine/op_registry.h"
#include "engine/ops/conv_params.h"
#include "engine/ops/fused_activation.h"
#include "graph/conv_attrs.h"
#include "graph/error.h"
#include "kernels/fp32/conv_f32.h"
#include "kernels/fp32/sgemm_packed.h"

namespace octet::engine {

namespace {

using graph::DType;

class PreparedConvF32 final : public PreparedOp {
 public:
  PreparedConvF32(graph::Shape w_shape, std::vector<kernels::PackedSgemmA> groups, std::vector<float> bias)
      : w_shape_(std::move(w_shape)), groups_(std::move(groups)), bias_(std::move(bias)) {}

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    // Checked as the reference op checks, so that both refuse the same sizes.
    const kernels::ConvParams p =
        checked_conv_params(ctx.node, graph::resolve_conv_geometry(ctx.node, x.shape(), w_shape_));
    Tensor& y = ctx.output(0);
    kernels::conv_f32_prepacked(p, x.data<float>(), groups_.data(),
                                bias_.empty() ? nullptr : bias_.data(), y.data<float>());
    apply_fused_activation(ctx.node, y);
  }

 private:
  graph::Shape w_shape_;
  std::vector<kernels::PackedSgemmA> groups_;  // [M / group, C / group * kh * kw] each
  std::vector<float> bias_;                    // empty: no bias
};

bool is_float(const graph::TensorInfo& t) { return t.dtype == DType::Float32; }

// Conv(x, W, B?): the reference op runs Ref (Eigen's GEMM, other bits),
// one input channel per group (Eigen too) and depthwise convolutions
// (dwconv_f32, no GEMM), so those stay with it.
std::unique_ptr<PreparedOp> prepare_conv_f32(const PrepareContext& ctx) {
  if (kernels::fp32_level(ctx.isa) == kernels::Isa::Ref) return nullptr;
  if (ctx.inputs.size() < 2 || !is_float(ctx.inputs[0]) || ctx.outputs.empty() || !is_float(ctx.outputs[0]))
    return nullptr;
  const Tensor* w = ctx.constants[1];
  if (!w || w->dtype() != DType::Float32 || w->shape().size() != 4) return nullptr;
  const bool has_bias = ctx.inputs.size() > 2 && !ctx.node.inputs[2].empty();
  const Tensor* b = has_bias ? ctx.constants[2] : nullptr;
  if (has_bias && (!b || b->dtype() != DType::Float32)) return nullptr;
  // W [M, C / group, kh, kw]: one input channel per group covers the
  // depthwise case. The shapes were validated by the shape rule.
  const graph::Shape& ws = w->shape();
  const int64_t group = ctx.node.attr_int("group", 1);
  if (group < 1 || ws[0] % group != 0 || ws[1] == 1 || ws[0] == 0) return nullptr;
  if (b && b->numel() != ws[0]) return nullptr;
  const int64_t mg = ws[0] / group, depth = ws[1] * ws[2] * ws[3];
  std::vector<kernels::PackedSgemmA> groups;
  for (int64_t i = 0; i < group; ++i)
    groups.push_back(kernels::prepack_sgemm_a(ctx.isa, mg, depth, w->data<float>() + i * mg * depth, depth));
  std::vector<float> bias;
  if (b) bias.assign(b->data<float>(), b->data<float>() + b->numel());
  auto op = std::make_unique<PreparedConvF32>(w->shape(), std::move(groups), std::move(bias));
  op->packed_inputs = {1, 2};  // W prepacked, B copied
  return op;
}

}  // namespace

void add_conv_prepares(PrepareTable& t) { t["Conv"] = prepare_conv_f32; }

}  // namespace octet::engine
