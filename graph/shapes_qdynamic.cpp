// Shape rules of ONNX Runtime's dynamically quantized MatMul contrib ops,
// with ONNX Runtime's signatures:
//   DynamicQuantizeMatMul(A, B, b_scale, b_zero_point?, bias?) -> Y
//   MatMulIntegerToFloat(A, B, a_scale, b_scale, a_zero_point?,
//                        b_zero_point?, bias?) -> Y
// A [..., K] is float32 (quantized per call) for the first, 8-bit for the
// second; B 8-bit [K, N] (a constant weight in practice); a_scale and
// a_zero_point one value; b_scale / b_zero_point one value or one per
// column; bias float32 [N]; Y float32 [..., N]. ONNX Runtime also accepts a
// batched B, and documents a per-column a_scale its kernels refuse; Octet
// takes the Linear / MatMul weight form only.
#include "graph/error.h"
#include "graph/shape_inference.h"

namespace octet::graph {

namespace {

std::string input_name(size_t i, const char* name) { return "input " + std::to_string(i) + " (" + name + ")"; }

void require_float(const InferContext& ctx, size_t i, const char* name) {
  ctx.require(ctx.input(i).dtype == DType::Float32,
              input_name(i, name) + " must be float32, is " + dtype_name(ctx.input(i).dtype));
}

// b_scale / b_zero_point: one value or one per column of B.
void require_column_param(const InferContext& ctx, size_t i, const char* name, int64_t n) {
  const Shape& s = ctx.input(i).shape;
  ctx.require(s.size() <= 1 && (shape_numel(s) == 1 || s == Shape{n}),
              input_name(i, name) + " must hold one value or one per column (" + std::to_string(n) + "), has shape " +
                  shape_str(s));
}

void require_8bit(const InferContext& ctx, size_t i, const char* name) {
  const DType t = ctx.input(i).dtype;
  if (t != DType::UInt8 && t != DType::Int8)
    throw UnsupportedError(ctx.node.label() + ": " + input_name(i, name) + " is " + dtype_name(t) +
                           "; only uint8 and int8 are supported");
}

void require_zero_point_type(const InferContext& ctx, size_t i, const char* name, size_t of) {
  const DType want = ctx.input(of).dtype;
  ctx.require(ctx.input(i).dtype == want,
              input_name(i, name) + " must be " + dtype_name(want) + ", is " + dtype_name(ctx.input(i).dtype));
}

void require_one_value(const InferContext& ctx, size_t i, const char* name) {
  const Shape& s = ctx.input(i).shape;
  ctx.require(s.size() <= 1 && shape_numel(s) == 1, input_name(i, name) + " must hold one value, has shape " + shape_str(s));
}

// A [..., K] times B [K, N]: Y [..., N] float32, after checking B, the
// optional float bias at `bias` and the element type of A (float32 when
// `float_a`, else 8-bit). Returns N.
int64_t matmul_to_float_shape(InferContext& ctx, bool float_a, size_t bias) {
  if (float_a)
    require_float(ctx, 0, "A");
  else
    require_8bit(ctx, 0, "A");
  require_8bit(ctx, 1, "B");
  const Shape& a = ctx.input(0).shape;
  const Shape& w = ctx.input(1).shape;
  ctx.require(!a.empty(), input_name(0, "A") + " must have rank >= 1, is a scalar");
  ctx.require(w.size() == 2, input_name(1, "B") + " must be a [K, N] matrix, has shape " + shape_str(w));
  ctx.require(a.back() == w[0], "A " + shape_str(a) + " and B " + shape_str(w) + " differ in the inner dimension");
  const int64_t n = w[1];
  if (ctx.has_input(bias)) {
    require_float(ctx, bias, "bias");
    ctx.require(ctx.input(bias).shape == Shape{n}, input_name(bias, "bias") + " must have shape [" + std::to_string(n) +
                                                       "], has " + shape_str(ctx.input(bias).shape));
  }
  Shape y(a.begin(), a.end() - 1);
  y.push_back(n);
  ctx.set_output(0, DType::Float32, y);
  return n;
}

void dynamic_quantize_matmul(InferContext& ctx) {
  for (size_t i : {0, 1, 2}) ctx.input(i);  // required; b_zero_point and bias may be omitted
  const int64_t n = matmul_to_float_shape(ctx, true, 4);
  require_float(ctx, 2, "b_scale");
  require_column_param(ctx, 2, "b_scale", n);
  if (ctx.has_input(3)) {
    require_zero_point_type(ctx, 3, "b_zero_point", 1);
    require_column_param(ctx, 3, "b_zero_point", n);
    ctx.require(shape_numel(ctx.input(3).shape) == shape_numel(ctx.input(2).shape),
                "b_scale and b_zero_point must have the same size");
  }
}

void matmul_integer_to_float(InferContext& ctx) {
  for (size_t i : {0, 1, 2, 3}) ctx.input(i);  // required; zero points and bias may be omitted
  const int64_t n = matmul_to_float_shape(ctx, false, 6);
  require_float(ctx, 2, "a_scale");
  require_one_value(ctx, 2, "a_scale");
  require_float(ctx, 3, "b_scale");
  require_column_param(ctx, 3, "b_scale", n);
  if (ctx.has_input(4)) {
    require_zero_point_type(ctx, 4, "a_zero_point", 0);
    require_one_value(ctx, 4, "a_zero_point");
  }
  if (ctx.has_input(5)) {
    require_zero_point_type(ctx, 5, "b_zero_point", 1);
    require_column_param(ctx, 5, "b_zero_point", n);
  }
}

}  // namespace

void add_qdynamic_shape_rules(ShapeRuleTable& t) {
  t[op_key(kMicrosoftDomain, "DynamicQuantizeMatMul")] = dynamic_quantize_matmul;
  t[op_key(kMicrosoftDomain, "MatMulIntegerToFloat")] = matmul_integer_to_float;
}

}  // namespace octet::graph
