// Shape rules of ONNX Runtime's quantized NN contrib ops (domain
// com.microsoft), with ONNX Runtime's signatures:
//   QGemm(A, a_scale, a_zero_point, B, b_scale, b_zero_point, C?, y_scale?, y_zero_point?)
//   QLinearGlobalAveragePool(X, x_scale, x_zero_point, y_scale, y_zero_point)
//   QLinearAveragePool(X, x_scale, x_zero_point, y_scale, y_zero_point)
// Zero points may be omitted (0, of the data's type).
#include "graph/conv_attrs.h"
#include "graph/error.h"
#include "graph/shape_inference.h"

namespace octet::graph {

namespace {

std::string input_name(size_t i, const char* name) { return "input " + std::to_string(i) + " (" + name + ")"; }

void require_8bit(const InferContext& ctx, size_t i, const char* name) {
  const DType t = ctx.input(i).dtype;
  if (t != DType::UInt8 && t != DType::Int8)
    throw UnsupportedError(ctx.node.label() + ": " + input_name(i, name) + " is " + dtype_name(t) +
                           "; only uint8 and int8 are supported");
}

void require_float_scale(const InferContext& ctx, size_t i, const char* name) {
  ctx.require(ctx.input(i).dtype == DType::Float32,
              input_name(i, name) + " must be float32, is " + dtype_name(ctx.input(i).dtype));
}

void require_one_value(const InferContext& ctx, size_t i, const char* name) {
  const Shape& s = ctx.input(i).shape;
  ctx.require(shape_numel(s) == 1 && s.size() <= 1, input_name(i, name) + " must hold a single value, has shape " +
                                                        shape_str(s));
}

// A zero point, when given, has its data's type (ONNX Runtime's type constraint).
void require_zero_point_of(const InferContext& ctx, size_t zp, const char* name, DType data) {
  if (!ctx.has_input(zp)) return;
  ctx.require(ctx.input(zp).dtype == data,
              input_name(zp, name) + " must be " + dtype_name(data) + ", is " + dtype_name(ctx.input(zp).dtype));
}

// b_scale / b_zero_point: one value or one per column of the output.
void require_column_param(const InferContext& ctx, size_t i, const char* name, int64_t n) {
  const Shape& s = ctx.input(i).shape;
  ctx.require(s.size() <= 1 && (shape_numel(s) == 1 || s == Shape{n}),
              input_name(i, name) + " must hold one value or one per column (" + std::to_string(n) + "), has shape " +
                  shape_str(s));
}

// C broadcasts to [M, N] without growing (as Gemm's C).
void require_bias(const InferContext& ctx, int64_t m, int64_t n) {
  ctx.require(ctx.input(6).dtype == DType::Int32, input_name(6, "C") + " must be int32, is " +
                                                      dtype_name(ctx.input(6).dtype));
  const Shape& s = ctx.input(6).shape;
  const Shape target = {m, n};
  bool ok = s.size() <= 2;
  for (size_t k = 0; ok && k < s.size(); ++k) {
    const int64_t t = target[2 - s.size() + k];
    ok = s[k] == t || s[k] == 1;
  }
  ctx.require(ok, input_name(6, "C") + " " + shape_str(s) + " does not broadcast to " + shape_str(target));
}

void qgemm(InferContext& ctx) {
  for (size_t i : {0, 1, 3, 4}) ctx.input(i);  // required; zero points may be omitted
  require_8bit(ctx, 0, "A");
  require_8bit(ctx, 3, "B");
  require_float_scale(ctx, 1, "a_scale");
  require_float_scale(ctx, 4, "b_scale");
  require_zero_point_of(ctx, 2, "a_zero_point", ctx.input(0).dtype);
  require_zero_point_of(ctx, 5, "b_zero_point", ctx.input(3).dtype);
  const auto [M, N] = gemm_shape(ctx, 0, 3);
  require_one_value(ctx, 1, "a_scale");
  if (ctx.has_input(2)) require_one_value(ctx, 2, "a_zero_point");
  require_column_param(ctx, 4, "b_scale", N);
  if (ctx.has_input(5)) {
    require_column_param(ctx, 5, "b_zero_point", N);
    ctx.require(shape_numel(ctx.input(5).shape) == shape_numel(ctx.input(4).shape),
                "b_scale and b_zero_point must have the same size");
  }
  if (ctx.has_input(6)) require_bias(ctx, M, N);
  // Quantized output needs both; with neither, Y is float32 (a fused dequantize).
  ctx.require(ctx.has_input(7) == ctx.has_input(8), "y_scale and y_zero_point must be given together or not at all");
  DType y = DType::Float32;
  if (ctx.has_input(7)) {
    require_float_scale(ctx, 7, "y_scale");
    require_one_value(ctx, 7, "y_scale");
    require_8bit(ctx, 8, "y_zero_point");
    require_one_value(ctx, 8, "y_zero_point");
    y = ctx.input(8).dtype;
  }
  ctx.set_output(0, y, {M, N});
}

// The pools' common inputs: 8-bit X of rank >= 3, scalar qparams, Y of X's type.
void check_qpool_inputs(const InferContext& ctx) {
  for (size_t i : {0, 1, 3}) ctx.input(i);
  require_8bit(ctx, 0, "X");
  const DType x = ctx.input(0).dtype;
  require_float_scale(ctx, 1, "x_scale");
  require_float_scale(ctx, 3, "y_scale");
  require_one_value(ctx, 1, "x_scale");
  require_one_value(ctx, 3, "y_scale");
  require_zero_point_of(ctx, 2, "x_zero_point", x);
  require_zero_point_of(ctx, 4, "y_zero_point", x);
  if (ctx.has_input(2)) require_one_value(ctx, 2, "x_zero_point");
  if (ctx.has_input(4)) require_one_value(ctx, 4, "y_zero_point");
  require_flag(ctx, "channels_last");
  const Shape& s = ctx.input(0).shape;
  ctx.require(s.size() >= 3, "input X " + shape_str(s) + " must have rank >= 3");
}

// [N, D1..Dr, C] -> [N, C, D1..Dr] and back.
Shape channels_first(const Shape& s) {
  Shape out = {s[0], s.back()};
  out.insert(out.end(), s.begin() + 1, s.end() - 1);
  return out;
}
Shape channels_last(const Shape& s) {
  Shape out = {s[0]};
  out.insert(out.end(), s.begin() + 2, s.end());
  out.push_back(s[1]);
  return out;
}

void qglobal_average_pool(InferContext& ctx) {
  check_qpool_inputs(ctx);
  const bool last = ctx.node.attr_int("channels_last", 0) == 1;
  Shape out = ctx.input(0).shape;
  const size_t first = last ? 1 : 2, end = last ? out.size() - 1 : out.size();
  for (size_t d = first; d < end; ++d) {
    ctx.require(out[d] >= 1, "input X " + shape_str(ctx.input(0).shape) + " has an empty spatial dim");
    out[d] = 1;
  }
  ctx.set_output(0, ctx.input(0).dtype, out);
}

void qaverage_pool(InferContext& ctx) {
  check_qpool_inputs(ctx);
  require_flag(ctx, "count_include_pad");
  const bool last = ctx.node.attr_int("channels_last", 0) == 1;
  const Shape& x = ctx.input(0).shape;
  const PoolGeometry g = resolve_pool_geometry(ctx.node, last ? channels_first(x) : x);
  const Shape out = g.output_shape();
  ctx.set_output(0, ctx.input(0).dtype, last ? channels_last(out) : out);
}

}  // namespace

void add_qnn_shape_rules(ShapeRuleTable& t) {
  t[op_key(kMicrosoftDomain, "QGemm")] = qgemm;
  t[op_key(kMicrosoftDomain, "QLinearGlobalAveragePool")] = qglobal_average_pool;
  t[op_key(kMicrosoftDomain, "QLinearAveragePool")] = qaverage_pool;
}

}  // namespace octet::graph
