#include "graph/error.h"
#include "graph/lstm_attrs.h"
#include "graph/shape_inference.h"

namespace octet::graph {

namespace {

void require_float(InferContext& ctx, size_t i) {
  if (ctx.has_input(i) && ctx.input(i).dtype != DType::Float32)
    throw UnsupportedError(ctx.node.label() + ": input " + std::to_string(i) + " is " +
                           dtype_name(ctx.input(i).dtype) + "; only float32 LSTM is supported");
}

void require_shape(InferContext& ctx, size_t i, const Shape& want, const char* name) {
  if (!ctx.has_input(i)) return;
  ctx.require(ctx.input(i).shape == want, std::string("input ") + name + " must have shape " + shape_str(want) +
                                              ", has " + shape_str(ctx.input(i).shape));
}

// X [seq, batch, input] (layout 0) or [batch, seq, input] (layout 1), W [D, 4H, I],
// R [D, 4H, H], B [D, 8H], sequence_lens [batch], initial_h/c like Y_h, P [D, 3H].
void lstm_shape(InferContext& ctx) {
  const int64_t D = check_lstm_attrs(ctx);
  for (size_t i : {0, 1, 2, 3, 5, 6, 7}) require_float(ctx, i);
  const LstmShapes s = lstm_shapes(ctx, D, 2, int64_t(1) << 30);
  const int64_t H = s.hidden_size;
  require_shape(ctx, 1, {D, 4 * H, s.input_size}, "W");
  require_shape(ctx, 2, {D, 4 * H, H}, "R");
  require_shape(ctx, 3, {D, 8 * H}, "B");
  require_shape(ctx, 4, {s.batch}, "sequence_lens");
  if (ctx.has_input(4)) ctx.require_dtype(4, DType::Int32);
  require_shape(ctx, 5, s.state, "initial_h");
  require_shape(ctx, 6, s.state, "initial_c");
  require_shape(ctx, 7, {D, 3 * H}, "P");
  set_lstm_outputs(ctx, s);
}

}  // namespace

void add_recurrent_shape_rules(ShapeRuleTable& t) { t["LSTM"] = lstm_shape; }

}  // namespace octet::graph
