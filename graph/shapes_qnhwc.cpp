// Shape rules of the channels-last (NHWC) forms of the 8-bit image ops, as
// ONNX Runtime names them (domain com.microsoft):
//   QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B?), attr
//     channels_last (0 = NCHW as the ONNX op, 1 = x and y NHWC; w stays
//     [M, C/group, k...])
//   NhwcMaxPool(x), MaxPool's attributes, x and y NHWC, no Indices.
// Each is the NCHW op's rule on the permuted input shape, so validation and
// geometry are shared with the ONNX ops.
#include "graph/error.h"
#include "graph/shape_inference.h"

namespace octet::graph {

namespace {

// [N, D1..Dr, C] -> [N, C, D1..Dr] and back.
Shape to_channels_first(const Shape& s) {
  Shape out = {s[0], s.back()};
  out.insert(out.end(), s.begin() + 1, s.end() - 1);
  return out;
}
Shape to_channels_last(const Shape& s) {
  Shape out = {s[0]};
  out.insert(out.end(), s.begin() + 2, s.end());
  out.push_back(s[1]);
  return out;
}

// Runs the NCHW rule `key` with input 0 seen channels-first and stores its
// output 0 channels-last.
void as_channels_first(InferContext& ctx, const char* key) {
  std::vector<TensorInfo> inputs;
  std::vector<const Tensor*> values;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    inputs.push_back(ctx.has_input(i) ? ctx.input(i) : TensorInfo{});
    values.push_back(ctx.is_constant(i) ? &ctx.constant(i) : nullptr);
  }
  ctx.require(!inputs.empty() && inputs[0].dtype != DType::Undefined, "input 0 (X) is required but missing");
  ctx.require(inputs[0].shape.size() >= 3, "input X " + shape_str(inputs[0].shape) + " must have rank >= 3");
  inputs[0].shape = to_channels_first(inputs[0].shape);
  InferContext nchw(ctx.node, inputs, values);
  find_shape_rule(key)(nchw);
  ctx.set_output(0, nchw.outputs.at(0).dtype, to_channels_last(nchw.outputs.at(0).shape));
}

void qlinear_conv(InferContext& ctx) {
  require_flag(ctx, "channels_last");
  if (ctx.node.attr_int("channels_last", 0) == 0) return find_shape_rule("QLinearConv")(ctx);
  as_channels_first(ctx, "QLinearConv");
}

void nhwc_max_pool(InferContext& ctx) {
  ctx.require(ctx.node.outputs.size() <= 1, "has no Indices output");
  const DType t = ctx.has_input(0) ? ctx.input(0).dtype : DType::Undefined;
  ctx.require(t == DType::UInt8 || t == DType::Int8, std::string("input X must be uint8 or int8, is ") + dtype_name(t));
  as_channels_first(ctx, "MaxPool");
}

}  // namespace

void add_qnhwc_shape_rules(ShapeRuleTable& t) {
  t[op_key(kMicrosoftDomain, "QLinearConv")] = qlinear_conv;
  t[op_key(kMicrosoftDomain, "NhwcMaxPool")] = nhwc_max_pool;
}

}  // namespace octet::graph
