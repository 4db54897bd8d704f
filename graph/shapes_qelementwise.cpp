// Shape rules of ONNX Runtime's quantized elementwise contrib ops (domain
// com.microsoft), with ORT's signatures:
//
//   QLinearAdd / QLinearMul (A, A_scale, A_zero_point?, B, B_scale, B_zero_point?, C_scale, C_zero_point?)
//   QLinearConcat (Y_scale, Y_zero_point, then (X, X_scale, X_zero_point) per input), attr axis
//   QLinearSigmoid / QLinearLeakyRelu (X, X_scale, X_zero_point?, Y_scale, Y_zero_point?)
//
// ORT gives every 8-bit tensor and zero point of one node the same type T;
// scales are float32 and, like zero points, one value (per-tensor only).
#include <string>

#include "graph/error.h"
#include "graph/shape_inference.h"

namespace octet::graph {

namespace {

bool is_8bit(DType t) { return t == DType::UInt8 || t == DType::Int8; }

std::string input_name(const std::string& role, size_t i) { return role + " (input " + std::to_string(i) + ")"; }

void require_8bit_data(InferContext& ctx, size_t i, const std::string& role) {
  const DType t = ctx.input(i).dtype;
  if (!is_8bit(t))
    throw UnsupportedError(ctx.node.label() + ": " + input_name(role, i) + " is " + dtype_name(t) +
                           "; only uint8 and int8 are supported");
}

// A scale: float32, one value.
void require_scale(InferContext& ctx, size_t i, const std::string& role) {
  const TensorInfo& s = ctx.input(i);
  ctx.require(s.dtype == DType::Float32, input_name(role, i) + " must be float32, is " + dtype_name(s.dtype));
  ctx.require(shape_numel(s.shape) == 1,
              input_name(role, i) + " must hold a single value (per-tensor), has shape " + shape_str(s.shape));
}

// An optional zero point: of the data's type `want`, one value.
void require_zero_point(InferContext& ctx, size_t i, const std::string& role, DType want) {
  if (!ctx.has_input(i)) return;
  const TensorInfo& z = ctx.input(i);
  ctx.require(z.dtype == want, input_name(role, i) + " is " + dtype_name(z.dtype) + "; it must have the data's type " +
                                   dtype_name(want));
  ctx.require(shape_numel(z.shape) == 1,
              input_name(role, i) + " must hold a single value (per-tensor), has shape " + shape_str(z.shape));
}

void qlinear_binary_shape(InferContext& ctx) {
  for (size_t i : {0, 1, 3, 4, 6}) ctx.input(i);  // the required ones
  require_8bit_data(ctx, 0, "A");
  const DType t = ctx.input(0).dtype;
  require_8bit_data(ctx, 3, "B");
  ctx.require(ctx.input(3).dtype == t,
              input_name("B", 3) + " is " + dtype_name(ctx.input(3).dtype) + ", A is " + dtype_name(t));
  require_scale(ctx, 1, "A_scale");
  require_scale(ctx, 4, "B_scale");
  require_scale(ctx, 6, "C_scale");
  require_zero_point(ctx, 2, "A_zero_point", t);
  require_zero_point(ctx, 5, "B_zero_point", t);
  require_zero_point(ctx, 7, "C_zero_point", t);
  // The output has C_zero_point's type, which is T (checked above).
  ctx.set_output(0, t, broadcast_shapes(ctx.input(0).shape, ctx.input(3).shape, ctx.node.label()));
}

void qlinear_concat_shape(InferContext& ctx) {
  const size_t n = ctx.num_inputs();
  ctx.require(n >= 5 && (n - 2) % 3 == 0,
              "takes Y_scale, Y_zero_point and then (X, X_scale, X_zero_point) per input; has " + std::to_string(n) +
                  " inputs");
  ctx.input(1);  // Y_zero_point is required here (ORT), it fixes the type
  require_scale(ctx, 0, "Y_scale");
  require_8bit_data(ctx, 1, "Y_zero_point");
  const DType t = ctx.input(1).dtype;
  require_zero_point(ctx, 1, "Y_zero_point", t);
  if (!ctx.node.has_attr("axis")) throw FormatError(ctx.node.label() + ": attribute 'axis' is required");
  const Shape& first = ctx.input(2).shape;
  const int64_t axis = normalize_axis(ctx.node.attr_int("axis", 0), static_cast<int64_t>(first.size()),
                                      ctx.node.label());
  Shape out = first;
  out[axis] = 0;
  for (size_t i = 2; i < n; i += 3) {
    const TensorInfo& x = ctx.input(i);
    ctx.require(x.dtype == t, input_name("X", i) + " is " + dtype_name(x.dtype) + ", Y_zero_point is " + dtype_name(t));
    require_scale(ctx, i + 1, "X_scale");
    ctx.input(i + 2);
    require_zero_point(ctx, i + 2, "X_zero_point", t);
    bool fits = x.shape.size() == out.size();
    for (size_t d = 0; fits && d < out.size(); ++d) fits = d == static_cast<size_t>(axis) || x.shape[d] == out[d];
    ctx.require(fits, input_name("X", i) + " of shape " + shape_str(x.shape) + " does not match input 2 of shape " +
                          shape_str(first) + " off axis " + std::to_string(axis));
    out[axis] += x.shape[axis];
  }
  ctx.set_output(0, t, out);
}

// QLinearSigmoid, QLinearLeakyRelu: one input mapped value by value.
void qlinear_unary_shape(InferContext& ctx) {
  for (size_t i : {0, 1, 3}) ctx.input(i);
  require_8bit_data(ctx, 0, "X");
  const DType t = ctx.input(0).dtype;
  require_scale(ctx, 1, "X_scale");
  require_scale(ctx, 3, "Y_scale");
  require_zero_point(ctx, 2, "X_zero_point", t);
  require_zero_point(ctx, 4, "Y_zero_point", t);
  ctx.set_output(0, t, ctx.input(0).shape);  // Y_zero_point's type, which is T
}

}  // namespace

void add_qelementwise_shape_rules(ShapeRuleTable& t) {
  t[op_key(kMicrosoftDomain, "QLinearAdd")] = qlinear_binary_shape;
  t[op_key(kMicrosoftDomain, "QLinearMul")] = qlinear_binary_shape;
  t[op_key(kMicrosoftDomain, "QLinearConcat")] = qlinear_concat_shape;
  t[op_key(kMicrosoftDomain, "QLinearSigmoid")] = qlinear_unary_shape;
  t[op_key(kMicrosoftDomain, "QLinearLeakyRelu")] = qlinear_unary_shape;
}

}  // namespace octet::graph
