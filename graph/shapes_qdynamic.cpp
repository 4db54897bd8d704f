// Shape rule of ONNX Runtime's com.microsoft:DynamicQuantizeMatMul, with
// ONNX Runtime's signature:
//   DynamicQuantizeMatMul(A, B, b_scale, b_zero_point?, bias?) -> Y
// A float32 [..., K] (quantized per call), B 8-bit [K, N] (a constant
// weight in practice), b_scale / b_zero_point one value or one per column,
// bias float32 [N]; Y float32 [..., N]. ONNX Runtime also accepts a batched
// B; Octet takes the Linear / MatMul weight form only.
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

void dynamic_quantize_matmul(InferContext& ctx) {
  for (size_t i : {0, 1, 2}) ctx.input(i);  // required; b_zero_point and bias may be omitted
  require_float(ctx, 0, "A");
  const DType b = ctx.input(1).dtype;
  if (b != DType::UInt8 && b != DType::Int8)
    throw UnsupportedError(ctx.node.label() + ": " + input_name(1, "B") + " is " + dtype_name(b) +
                           "; only uint8 and int8 are supported");
  require_float(ctx, 2, "b_scale");
  const Shape& a = ctx.input(0).shape;
  const Shape& w = ctx.input(1).shape;
  ctx.require(!a.empty(), input_name(0, "A") + " must have rank >= 1, is a scalar");
  ctx.require(w.size() == 2, input_name(1, "B") + " must be a [K, N] matrix, has shape " + shape_str(w));
  ctx.require(a.back() == w[0], "A " + shape_str(a) + " and B " + shape_str(w) + " differ in the inner dimension");
  const int64_t n = w[1];
  require_column_param(ctx, 2, "b_scale", n);
  if (ctx.has_input(3)) {
    ctx.require(ctx.input(3).dtype == b, input_name(3, "b_zero_point") + " must be " + dtype_name(b) + ", is " +
                                             dtype_name(ctx.input(3).dtype));
    require_column_param(ctx, 3, "b_zero_point", n);
    ctx.require(shape_numel(ctx.input(3).shape) == shape_numel(ctx.input(2).shape),
                "b_scale and b_zero_point must have the same size");
  }
  if (ctx.has_input(4)) {
    require_float(ctx, 4, "bias");
    ctx.require(ctx.input(4).shape == Shape{n},
                input_name(4, "bias") + " must have shape [" + std::to_string(n) + "], has " +
                    shape_str(ctx.input(4).shape));
  }
  Shape y(a.begin(), a.end() - 1);
  y.push_back(n);
  ctx.set_output(0, DType::Float32, y);
}

}  // namespace

void add_qdynamic_shape_rules(ShapeRuleTable& t) {
  t[op_key(kMicrosoftDomain, "DynamicQuantizeMatMul")] = dynamic_quantize_matmul;
}

}  // namespace octet::graph
