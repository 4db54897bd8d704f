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
  const int64_t layout = ctx.node.attr_int("layout", 0);
  for (size_t i : {0, 1, 2, 3, 5, 6, 7}) require_float(ctx, i);

  ctx.require_rank(0, 3);
  ctx.require_rank(1, 3);
  ctx.require_rank(2, 3);
  const Shape& x = ctx.input(0).shape;
  const int64_t seq = layout == 0 ? x[0] : x[1];
  const int64_t batch = layout == 0 ? x[1] : x[0];
  const int64_t input_size = x[2];
  ctx.require(input_size > 0, "X must have a non-empty input dimension");
  const Shape& r = ctx.input(2).shape;
  const int64_t H = ctx.node.attr_int("hidden_size", r[2]);
  ctx.require(H > 0 && H <= (int64_t(1) << 30), "hidden_size must be positive");
  require_shape(ctx, 1, {D, 4 * H, input_size}, "W");
  require_shape(ctx, 2, {D, 4 * H, H}, "R");
  require_shape(ctx, 3, {D, 8 * H}, "B");
  require_shape(ctx, 4, {batch}, "sequence_lens");
  if (ctx.has_input(4)) ctx.require_dtype(4, DType::Int32);
  Shape state = layout == 0 ? Shape{D, batch, H} : Shape{batch, D, H};
  require_shape(ctx, 5, state, "initial_h");
  require_shape(ctx, 6, state, "initial_c");
  require_shape(ctx, 7, {D, 3 * H}, "P");

  ctx.set_output(0, DType::Float32, layout == 0 ? Shape{seq, D, batch, H} : Shape{batch, seq, D, H});
  ctx.set_output(1, DType::Float32, state);
  ctx.set_output(2, DType::Float32, state);
}

}  // namespace

void add_recurrent_shape_rules(ShapeRuleTable& t) { t["LSTM"] = lstm_shape; }

}  // namespace octet::graph
