// Shape rules of the elementwise activations, arithmetic with numpy
// broadcasting, Softmax and the Reduce{Mean,Sum,Max,Min} family. Octet computes these in float32,
// and the arithmetic and Clip also in int8, uint8, int32 and int64.
#include <algorithm>

#include "graph/elementwise_attrs.h"
#include "graph/error.h"
#include "graph/shape_inference.h"

namespace octet::graph {

namespace {

bool is_arithmetic_type(DType t) {
  return t == DType::Float32 || t == DType::Int8 || t == DType::UInt8 || t == DType::Int32 || t == DType::Int64;
}

void require_type(const InferContext& ctx, size_t i, bool supported) {
  if (!supported)
    throw UnsupportedError(ctx.node.label() + ": input " + std::to_string(i) + " of type " +
                           dtype_name(ctx.input(i).dtype) + " is not supported");
}

void same_as_float_input(InferContext& ctx) {
  const TensorInfo& x = ctx.input(0);
  require_type(ctx, 0, x.dtype == DType::Float32);
  ctx.set_output(0, x.dtype, x.shape);
}

void celu_rule(InferContext& ctx) {
  ctx.require(ctx.node.attr_float("alpha", 1.f) != 0.f, "alpha must be non-zero");
  same_as_float_input(ctx);
}

void prelu_rule(InferContext& ctx) {
  const TensorInfo& x = ctx.input(0);
  require_type(ctx, 0, x.dtype == DType::Float32);
  ctx.require_dtype(1, x.dtype);
  const Shape& slope = ctx.input(1).shape;
  ctx.require(broadcast_shapes(x.shape, slope, ctx.node.label()) == x.shape,
              "slope of shape " + shape_str(slope) + " does not broadcast to X of shape " + shape_str(x.shape));
  ctx.set_output(0, x.dtype, x.shape);
}

void clip_rule(InferContext& ctx) {
  const TensorInfo& x = ctx.input(0);
  if (opset_before(ctx.node, 11)) {
    require_type(ctx, 0, x.dtype == DType::Float32);
    ctx.require(ctx.num_inputs() == 1, "takes one input before opset 11 (min and max are attributes)");
  } else {
    require_type(ctx, 0, is_arithmetic_type(x.dtype));
    ctx.require(ctx.num_inputs() <= 3, "takes at most 3 inputs");
    for (size_t i = 1; i < 3; ++i) {
      if (!ctx.has_input(i)) continue;
      ctx.require_dtype(i, x.dtype);
      ctx.require(shape_numel(ctx.input(i).shape) == 1 && ctx.input(i).shape.size() <= 1,
                  std::string(i == 1 ? "min" : "max") + " must be a scalar, has shape " +
                      shape_str(ctx.input(i).shape));
    }
  }
  ctx.set_output(0, x.dtype, x.shape);
}

// Before opset 7, B was broadcast to A only when `broadcast` = 1, aligned
// at `axis`; the suffix alignment (no axis) is numpy's, other axes are not.
void check_legacy_broadcast(const InferContext& ctx) {
  if (!opset_before(ctx.node, 7)) return;
  const Shape& a = ctx.input(0).shape;
  const Shape& b = ctx.input(1).shape;
  if (ctx.node.attr_int("broadcast", 0) == 0) {
    ctx.require(a == b, "shapes " + shape_str(a) + " and " + shape_str(b) + " differ and broadcast is not set");
    return;
  }
  const int64_t suffix = static_cast<int64_t>(a.size()) - static_cast<int64_t>(b.size());
  if (ctx.node.has_attr("axis") && ctx.node.attr_int("axis", 0) != suffix)
    throw UnsupportedError(ctx.node.label() + ": legacy broadcasting at an axis (opset < 7) is not supported");
}

void binary_rule(InferContext& ctx) {
  const TensorInfo& a = ctx.input(0);
  require_type(ctx, 0, is_arithmetic_type(a.dtype));
  ctx.require(ctx.num_inputs() == 2, "takes 2 inputs");
  ctx.require_dtype(1, a.dtype);
  check_legacy_broadcast(ctx);
  ctx.set_output(0, a.dtype, broadcast_shapes(a.shape, ctx.input(1).shape, ctx.node.label()));
}

void sum_rule(InferContext& ctx) {
  ctx.require(ctx.num_inputs() >= 1, "needs at least one input");
  const TensorInfo& first = ctx.input(0);
  require_type(ctx, 0, is_arithmetic_type(first.dtype));
  Shape shape = first.shape;
  for (size_t i = 1; i < ctx.num_inputs(); ++i) {
    ctx.require_dtype(i, first.dtype);
    shape = broadcast_shapes(shape, ctx.input(i).shape, ctx.node.label());
  }
  ctx.set_output(0, first.dtype, shape);
}

void softmax_rule(InferContext& ctx) {
  softmax_view(ctx.node, ctx.input(0).shape);  // validates the axis
  same_as_float_input(ctx);
}

void reduce_rule(InferContext& ctx) {
  const TensorInfo& x = ctx.input(0);
  require_type(ctx, 0, x.dtype == DType::Float32);
  const bool axes_input = reduce_axes_from_input(ctx.node) && ctx.has_input(1);
  const std::vector<bool> reduced = reduced_axes(ctx.node, x.shape, axes_input ? &ctx.constant(1) : nullptr);
  ctx.set_output(0, x.dtype, reduced_shape(ctx.node, x.shape, reduced));
}

}  // namespace

void add_elementwise_shape_rules(ShapeRuleTable& t) {
  for (const char* op : {"Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Elu", "Erf", "Exp",
                         "Sqrt", "Neg", "Abs"})
    t[op] = same_as_float_input;
  t["Celu"] = celu_rule;
  t["PRelu"] = prelu_rule;
  t["Clip"] = clip_rule;
  for (const char* op : {"Add", "Sub", "Mul", "Div"}) t[op] = binary_rule;
  t["Sum"] = sum_rule;
  t["Softmax"] = softmax_rule;
  for (const char* op : {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin"}) t[op] = reduce_rule;
}

}  // namespace octet::graph
