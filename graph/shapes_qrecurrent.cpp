// Shape rule of ONNX Runtime's com.microsoft:DynamicQuantizeLSTM, with
// ONNX Runtime's signature:
//   DynamicQuantizeLSTM(X, W, R, B?, sequence_lens?, initial_h?, initial_c?, P?,
//                       W_scale, W_zero_point?, R_scale, R_zero_point?) -> Y?, Y_h?, Y_c?
// As ONNX LSTM, except W [D, I, 4H] and R [D, H, 4H] are 8-bit and
// transposed (input rows, gate columns), with scales / zero points of shape
// [D] (per direction) or [D, 4H] (per column). Attributes as ONNX LSTM.
#include "graph/error.h"
#include "graph/lstm_attrs.h"
#include "graph/shape_inference.h"

namespace octet::graph {

namespace {

constexpr const char* kInputNames[] = {"X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P",
                                       "W_scale", "W_zero_point", "R_scale", "R_zero_point"};

std::string input_name(size_t i) { return "input " + std::to_string(i) + " (" + kInputNames[i] + ")"; }

void require_float(InferContext& ctx, size_t i) {
  if (ctx.has_input(i))
    ctx.require(ctx.input(i).dtype == DType::Float32,
                input_name(i) + " must be float32, is " + dtype_name(ctx.input(i).dtype));
}

void require_shape(InferContext& ctx, size_t i, const Shape& want) {
  if (ctx.has_input(i))
    ctx.require(ctx.input(i).shape == want,
                input_name(i) + " must have shape " + shape_str(want) + ", has " + shape_str(ctx.input(i).shape));
}

DType weight_dtype(InferContext& ctx) {
  const DType w = ctx.input(1).dtype;
  if (w != DType::Int8 && w != DType::UInt8)
    throw UnsupportedError(ctx.node.label() + ": " + input_name(1) + " is " + dtype_name(w) +
                           "; only int8 and uint8 are supported");
  ctx.require(ctx.input(2).dtype == w, input_name(2) + " must have W's type " + dtype_name(w) + ", is " +
                                           dtype_name(ctx.input(2).dtype));
  return w;
}

// A scale (per direction [D] or per column [D, 4H]) and its zero point,
// which must match it in shape and have the weight's type.
void check_weight_qparams(InferContext& ctx, size_t scale, DType w, int64_t D, int64_t H) {
  require_float(ctx, scale);
  const Shape& s = ctx.input(scale).shape;
  ctx.require(s == Shape{D} || s == Shape{D, 4 * H}, input_name(scale) + " must have shape [" + std::to_string(D) +
                                                         "] or [" + std::to_string(D) + ", " + std::to_string(4 * H) +
                                                         "], has " + shape_str(s));
  const size_t zp = scale + 1;
  if (!ctx.has_input(zp)) return;
  ctx.require(ctx.input(zp).dtype == w,
              input_name(zp) + " must have W's type " + std::string(dtype_name(w)) + ", is " +
                  dtype_name(ctx.input(zp).dtype));
  require_shape(ctx, zp, s);
}

void dynamic_quantize_lstm(InferContext& ctx) {
  const int64_t D = check_lstm_attrs(ctx);
  for (size_t i : {0, 1, 2, 8, 10}) ctx.input(i);  // required
  for (size_t i : {0, 3, 5, 6, 7}) require_float(ctx, i);
  const DType w = weight_dtype(ctx);
  const LstmShapes s = lstm_shapes(ctx, D, 1, int64_t(1) << 28);
  const int64_t H = s.hidden_size;
  require_shape(ctx, 1, {D, s.input_size, 4 * H});
  require_shape(ctx, 2, {D, H, 4 * H});
  require_shape(ctx, 3, {D, 8 * H});
  require_shape(ctx, 4, {s.batch});
  if (ctx.has_input(4)) ctx.require_dtype(4, DType::Int32);
  require_shape(ctx, 5, s.state);
  require_shape(ctx, 6, s.state);
  require_shape(ctx, 7, {D, 3 * H});
  check_weight_qparams(ctx, 8, w, D, H);
  check_weight_qparams(ctx, 10, w, D, H);
  set_lstm_outputs(ctx, s);
}

}  // namespace

void add_qrecurrent_shape_rules(ShapeRuleTable& t) {
  t[op_key(kMicrosoftDomain, "DynamicQuantizeLSTM")] = dynamic_quantize_lstm;
}

}  // namespace octet::graph
