#include "graph/conv_attrs.h"
#include "graph/error.h"
#include "graph/matmul_dims.h"
#include "graph/shape_inference.h"

namespace octet::graph {

namespace {

bool is_8bit(DType t) { return t == DType::UInt8 || t == DType::Int8; }

void require_8bit(InferContext& ctx, size_t i) {
  DType t = ctx.input(i).dtype;
  if (!is_8bit(t))
    throw UnsupportedError(ctx.node.label() + ": input " + std::to_string(i) + " is " + dtype_name(t) +
                           "; only uint8 and int8 are supported");
}

void require_float_input(InferContext& ctx, size_t i) {
  DType t = ctx.input(i).dtype;
  if (t != DType::Float32)
    throw UnsupportedError(ctx.node.label() + ": input " + std::to_string(i) + " is " + dtype_name(t) +
                           "; only float32 is supported");
}

// A zero point shares its tensor's type (ONNX type constraint).
void require_zero_point_type(InferContext& ctx, size_t zp, size_t of) {
  if (!ctx.has_input(zp)) return;
  ctx.require(ctx.input(zp).dtype == ctx.input(of).dtype,
              "zero point (input " + std::to_string(zp) + ") must have the type of input " + std::to_string(of));
}

// QuantizeLinear / DequantizeLinear: the zero point also has its scale's
// shape (the spec's words). The integer ops allow either one to be a single
// value while the other is per channel.
void require_zero_point_like_scale(InferContext& ctx, size_t zp, size_t of, size_t scale) {
  require_zero_point_type(ctx, zp, of);
  if (ctx.has_input(zp))
    ctx.require(shape_numel(ctx.input(zp).shape) == shape_numel(ctx.input(scale).shape),
                "zero point (input " + std::to_string(zp) + ") and scale (input " + std::to_string(scale) +
                    ") must have the same size");
}

void require_scalar_param(InferContext& ctx, size_t i) {
  if (!ctx.has_input(i)) return;
  ctx.require(shape_numel(ctx.input(i).shape) == 1, "input " + std::to_string(i) + " must hold a single value");
}

// Per-tensor (one value) or per-axis (1-D, one value per entry of x's axis).
void check_axis_params(InferContext& ctx, size_t scale) {
  if (ctx.node.attr_int("block_size", 0) != 0)
    throw UnsupportedError(ctx.node.label() + ": blocked quantization (block_size) is not supported");
  const Shape& s = ctx.input(scale).shape;
  if (shape_numel(s) == 1 && s.size() <= 1) return;
  const Shape& x = ctx.input(0).shape;
  ctx.require(s.size() == 1, "scale must be a scalar or a 1-D tensor, has shape " + shape_str(s));
  int64_t axis = normalize_axis(ctx.node.attr_int("axis", 1), static_cast<int64_t>(x.size()), ctx.node.label());
  ctx.require(s[0] == x[axis], "per-axis scale has " + std::to_string(s[0]) + " values for axis " +
                                   std::to_string(axis) + " of size " + std::to_string(x[axis]));
}

void quantize_linear_shape(InferContext& ctx) {
  DType x = ctx.input(0).dtype;
  if (x != DType::Float32 && x != DType::Int32)
    throw UnsupportedError(ctx.node.label() + ": input is " + dtype_name(x) + "; only float32 and int32 are supported");
  require_float_input(ctx, 1);
  DType out = DType::UInt8;
  if (ctx.has_input(2)) {
    require_8bit(ctx, 2);
    out = ctx.input(2).dtype;
    ctx.require(shape_numel(ctx.input(2).shape) == shape_numel(ctx.input(1).shape),
                "zero point and scale must have the same size");
  }
  check_axis_params(ctx, 1);
  ctx.set_output(0, out, ctx.input(0).shape);
}

void dequantize_linear_shape(InferContext& ctx) {
  DType x = ctx.input(0).dtype;
  if (!is_8bit(x) && x != DType::Int32)
    throw UnsupportedError(ctx.node.label() + ": input is " + dtype_name(x) + "; only uint8, int8 and int32 are supported");
  require_float_input(ctx, 1);
  require_zero_point_like_scale(ctx, 2, 0, 1);
  check_axis_params(ctx, 1);
  ctx.set_output(0, DType::Float32, ctx.input(0).shape);
}

void dynamic_quantize_linear_shape(InferContext& ctx) {
  require_float_input(ctx, 0);
  ctx.set_output(0, DType::UInt8, ctx.input(0).shape);
  ctx.set_output(1, DType::Float32, {});
  ctx.set_output(2, DType::UInt8, {});
}

void check_matmul_param(InferContext& ctx, size_t param, size_t operand, bool is_a) {
  if (ctx.has_input(param)) matmul_param_layout(ctx.input(operand).shape, ctx.input(param).shape, is_a, ctx.node.label());
}

// A scale and its zero point: the same shape, or one of them a single value.
void require_same_or_single(InferContext& ctx, size_t scale, size_t zp, const std::string& what) {
  const Shape &s = ctx.input(scale).shape, &z = ctx.input(zp).shape;
  ctx.require(s == z || shape_numel(s) == 1 || shape_numel(z) == 1,
              what + " must have the same shape or one of them a single value, have " + shape_str(s) + " and " +
                  shape_str(z));
}

// MatMulInteger(A, B, a_zero_point?, b_zero_point?) -> int32
void matmul_integer_shape(InferContext& ctx) {
  require_8bit(ctx, 0);
  require_8bit(ctx, 1);
  require_zero_point_type(ctx, 2, 0);
  require_zero_point_type(ctx, 3, 1);
  MatMulDims d = matmul_dims(ctx.input(0).shape, ctx.input(1).shape, ctx.node.label());
  check_matmul_param(ctx, 2, 0, true);
  check_matmul_param(ctx, 3, 1, false);
  ctx.set_output(0, DType::Int32, d.output);
}

// QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp)
void qlinear_matmul_shape(InferContext& ctx) {
  for (size_t i = 0; i < 8; ++i) ctx.input(i);  // all eight are required
  require_8bit(ctx, 0);
  require_8bit(ctx, 3);
  require_8bit(ctx, 7);
  for (size_t s : {1, 4, 6}) require_float_input(ctx, s);
  require_zero_point_type(ctx, 2, 0);
  require_zero_point_type(ctx, 5, 3);
  MatMulDims d = matmul_dims(ctx.input(0).shape, ctx.input(3).shape, ctx.node.label());
  for (size_t i : {1, 2}) check_matmul_param(ctx, i, 0, true);
  for (size_t i : {4, 5}) check_matmul_param(ctx, i, 3, false);
  require_same_or_single(ctx, 1, 2, "a_scale and a_zero_point");
  require_same_or_single(ctx, 4, 5, "b_scale and b_zero_point");
  require_scalar_param(ctx, 6);
  require_scalar_param(ctx, 7);
  ctx.set_output(0, ctx.input(7).dtype, d.output);
}

// A per-output-channel parameter of a conv: one value, or [M].
void require_channel_param(InferContext& ctx, size_t i, int64_t channels) {
  if (!ctx.has_input(i)) return;
  const Shape& s = ctx.input(i).shape;
  ctx.require(shape_numel(s) == 1 || s == Shape{channels},
              "input " + std::to_string(i) + " must hold one value or one per output channel (" +
                  std::to_string(channels) + "), has shape " + shape_str(s));
}

// ConvInteger(x, w, x_zero_point?, w_zero_point?) -> int32
void conv_integer_shape(InferContext& ctx) {
  require_8bit(ctx, 0);
  require_8bit(ctx, 1);
  require_zero_point_type(ctx, 2, 0);
  require_zero_point_type(ctx, 3, 1);
  ConvGeometry g = resolve_conv_geometry(ctx.node, ctx.input(0).shape, ctx.input(1).shape);
  require_scalar_param(ctx, 2);
  require_channel_param(ctx, 3, g.out_channels);
  ctx.set_output(0, DType::Int32, g.output_shape());
}

// QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B?)
void qlinear_conv_shape(InferContext& ctx) {
  for (size_t i = 0; i < 8; ++i) ctx.input(i);  // all but the bias are required
  require_8bit(ctx, 0);
  require_8bit(ctx, 3);
  require_8bit(ctx, 7);
  for (size_t s : {1, 4, 6}) require_float_input(ctx, s);
  require_zero_point_type(ctx, 2, 0);
  require_zero_point_type(ctx, 5, 3);
  ConvGeometry g = resolve_conv_geometry(ctx.node, ctx.input(0).shape, ctx.input(3).shape);
  for (size_t i : {1, 2, 6, 7}) require_scalar_param(ctx, i);
  require_channel_param(ctx, 4, g.out_channels);
  require_channel_param(ctx, 5, g.out_channels);
  if (ctx.has_input(8)) {
    ctx.require_dtype(8, DType::Int32);
    ctx.require(ctx.input(8).shape == Shape{g.out_channels},
                "bias must have shape [" + std::to_string(g.out_channels) + "], has " + shape_str(ctx.input(8).shape));
  }
  ctx.set_output(0, ctx.input(7).dtype, g.output_shape());
}

}  // namespace

void add_quant_shape_rules(ShapeRuleTable& t) {
  t["QuantizeLinear"] = quantize_linear_shape;
  t["DequantizeLinear"] = dequantize_linear_shape;
  t["DynamicQuantizeLinear"] = dynamic_quantize_linear_shape;
  t["MatMulInteger"] = matmul_integer_shape;
  t["QLinearMatMul"] = qlinear_matmul_shape;
  t["ConvInteger"] = conv_integer_shape;
  t["QLinearConv"] = qlinear_conv_shape;
}

}  // namespace octet::graph
