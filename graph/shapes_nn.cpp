// Shape rules of the neural-network ops: Conv, Gemm, MatMul, the pools and
// the normalizations. The FP32 reference ops take float32 only (MaxPool also
// 8-bit integers); other dtypes are valid ONNX but unsupported.
#include "graph/conv_attrs.h"
#include "graph/error.h"
#include "graph/matmul_dims.h"
#include "graph/shape_inference.h"

namespace octet::graph {

namespace {

void require_float(const InferContext& ctx, size_t i) {
  DType t = ctx.input(i).dtype;
  if (t != DType::Float32)
    throw UnsupportedError(ctx.node.label() + ": input " + std::to_string(i) + " is " + dtype_name(t) +
                           "; only float32 is supported");
}

// A per-channel vector input: shape [channels].
void require_vector(const InferContext& ctx, size_t i, int64_t channels, const char* what) {
  require_float(ctx, i);
  const Shape& s = ctx.input(i).shape;
  ctx.require(s == Shape{channels}, std::string(what) + " (input " + std::to_string(i) + ") must have shape [" +
                                        std::to_string(channels) + "], has " + shape_str(s));
}

// `operand` must broadcast to `target` without growing (ONNX's
// unidirectional broadcasting, as Gemm's C and LayerNorm's Scale).
void require_broadcasts_to(const InferContext& ctx, size_t i, const Shape& target, const char* what) {
  const Shape& s = ctx.input(i).shape;
  bool ok = s.size() <= target.size();
  for (size_t k = 0; ok && k < s.size(); ++k) {
    int64_t t = target[target.size() - s.size() + k];
    ok = s[k] == t || s[k] == 1;
  }
  ctx.require(ok, std::string(what) + " " + shape_str(s) + " does not broadcast to " + shape_str(target));
}

void conv(InferContext& ctx) {
  require_float(ctx, 0);
  require_float(ctx, 1);
  ConvGeometry g = resolve_conv_geometry(ctx.node, ctx.input(0).shape, ctx.input(1).shape);
  if (ctx.has_input(2)) require_vector(ctx, 2, g.out_channels, "bias B");
  ctx.set_output(0, DType::Float32, g.output_shape());
}

void gemm(InferContext& ctx) {
  require_float(ctx, 0);
  require_float(ctx, 1);
  const auto [M, N] = gemm_shape(ctx, 0, 1);
  if (ctx.has_input(2)) {
    require_float(ctx, 2);
    require_broadcasts_to(ctx, 2, {M, N}, "C");
  }
  ctx.set_output(0, DType::Float32, {M, N});
}

void matmul(InferContext& ctx) {
  require_float(ctx, 0);
  require_float(ctx, 1);
  MatMulDims d = matmul_dims(ctx.input(0).shape, ctx.input(1).shape, ctx.node.label());
  ctx.set_output(0, DType::Float32, d.output);
}

void max_pool(InferContext& ctx) {
  DType t = ctx.input(0).dtype;
  if (t != DType::Float32 && t != DType::UInt8 && t != DType::Int8)
    throw UnsupportedError(ctx.node.label() + ": input is " + dtype_name(t) +
                           "; only float32, uint8 and int8 are supported");
  PoolGeometry g = resolve_pool_geometry(ctx.node, ctx.input(0).shape);
  require_flag(ctx, "storage_order");
  ctx.set_output(0, t, g.output_shape());
  ctx.set_output(1, DType::Int64, g.output_shape());
}

void average_pool(InferContext& ctx) {
  require_float(ctx, 0);
  PoolGeometry g = resolve_pool_geometry(ctx.node, ctx.input(0).shape);
  require_flag(ctx, "count_include_pad");
  ctx.set_output(0, DType::Float32, g.output_shape());
}

void global_pool(InferContext& ctx) {
  const TensorInfo& x = ctx.input(0);
  if (ctx.node.op_type == "GlobalAveragePool") require_float(ctx, 0);
  else if (x.dtype != DType::Float32 && x.dtype != DType::UInt8 && x.dtype != DType::Int8)
    throw UnsupportedError(ctx.node.label() + ": input is " + dtype_name(x.dtype) +
                           "; only float32, uint8 and int8 are supported");
  ctx.require(x.shape.size() >= 3, "input X " + shape_str(x.shape) + " must have rank >= 3 ([N, C, spatial...])");
  Shape out = x.shape;
  for (size_t d = 2; d < out.size(); ++d) {
    ctx.require(out[d] >= 1, "input X " + shape_str(x.shape) + " has an empty spatial dim");
    out[d] = 1;
  }
  ctx.set_output(0, x.dtype, out);
}

void batch_norm(InferContext& ctx) {
  const Node& n = ctx.node;
  if (n.attr_int("training_mode", 0) != 0)
    throw UnsupportedError(n.label() + ": training_mode = 1 is not supported (inference only)");
  // Before opset 9 the running-statistics outputs were optional extras
  // filled only when training; before opset 7 is_test = 0 meant training.
  if (n.has_attr("is_test") && n.attr_int("is_test", 1) == 0)
    throw UnsupportedError(n.label() + ": is_test = 0 (training) is not supported");
  if (n.attr_int("spatial", 1) != 1)
    throw UnsupportedError(n.label() + ": spatial = 0 (per-element statistics) is not supported");
  for (size_t i = 1; i < n.outputs.size(); ++i)
    if (!n.outputs[i].empty())
      throw UnsupportedError(n.label() + ": output " + std::to_string(i) +
                             " (a training statistic) is not supported (inference only)");
  require_float(ctx, 0);
  const Shape& x = ctx.input(0).shape;
  ctx.require(x.size() >= 2, "input X " + shape_str(x) + " must have rank >= 2 ([N, C, ...])");
  const char* names[] = {"scale", "B", "input_mean", "input_var"};
  for (size_t i = 1; i <= 4; ++i) require_vector(ctx, i, x[1], names[i - 1]);
  ctx.set_output(0, DType::Float32, x);
}

void layer_norm(InferContext& ctx) {
  require_float(ctx, 0);
  const Shape& x = ctx.input(0).shape;
  const int64_t rank = static_cast<int64_t>(x.size());
  ctx.require(rank >= 1, "input X must have rank >= 1");
  const int64_t axis = normalize_axis(ctx.node.attr_int("axis", -1), rank, ctx.node.label());
  const Shape normalized(x.begin() + axis, x.end());
  require_float(ctx, 1);
  require_broadcasts_to(ctx, 1, normalized, "Scale");
  if (ctx.has_input(2)) {
    require_float(ctx, 2);
    require_broadcasts_to(ctx, 2, normalized, "B");
  }
  ctx.set_output(0, DType::Float32, x);
  Shape stats = x;
  for (int64_t d = axis; d < rank; ++d) stats[d] = 1;
  ctx.set_output(1, DType::Float32, stats);
  ctx.set_output(2, DType::Float32, stats);
}

}  // namespace

void add_nn_shape_rules(ShapeRuleTable& t) {
  t["Conv"] = conv;
  t["Gemm"] = gemm;
  t["MatMul"] = matmul;
  t["MaxPool"] = max_pool;
  t["AveragePool"] = average_pool;
  t["GlobalAveragePool"] = global_pool;
  t["GlobalMaxPool"] = global_pool;
  t["BatchNormalization"] = batch_norm;
  t["LayerNormalization"] = layer_norm;
}

}  // namespace octet::graph
