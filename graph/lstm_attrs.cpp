#include "graph/lstm_attrs.h"

#include <algorithm>
#include <cctype>

#include "graph/error.h"

namespace octet::graph {

namespace {

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return s;
}

int64_t lstm_directions(InferContext& ctx) {
  std::string dir = ctx.node.attr_string("direction", "forward");
  ctx.require(dir == "forward" || dir == "reverse" || dir == "bidirectional",
              "direction must be forward, reverse or bidirectional, is '" + dir + "'");
  return dir == "bidirectional" ? 2 : 1;
}

// Only the default activations have a kernel; anything else is refused
// rather than silently run with the defaults.
void check_lstm_activations(InferContext& ctx, int64_t directions) {
  if (!ctx.node.has_attr("activations")) return;
  const auto& acts = ctx.node.attrs.at("activations");
  ctx.require(acts.kind == Attribute::Kind::Strings, "attribute 'activations' must be a list of strings");
  ctx.require(acts.strings.size() == static_cast<size_t>(3 * directions),
              "attribute 'activations' must list 3 functions per direction");
  static const char* defaults[] = {"sigmoid", "tanh", "tanh"};
  for (size_t i = 0; i < acts.strings.size(); ++i)
    if (lowercase(acts.strings[i]) != defaults[i % 3])
      throw UnsupportedError(ctx.node.label() + ": LSTM activations other than Sigmoid, Tanh, Tanh are not supported (got '" +
                             acts.strings[i] + "')");
}

}  // namespace

int64_t check_lstm_attrs(InferContext& ctx) {
  const int64_t D = lstm_directions(ctx);
  check_lstm_activations(ctx, D);
  const int64_t layout = ctx.node.attr_int("layout", 0);
  ctx.require(layout == 0 || layout == 1, "layout must be 0 or 1");
  const int64_t input_forget = ctx.node.attr_int("input_forget", 0);
  ctx.require(input_forget == 0 || input_forget == 1, "input_forget must be 0 or 1");
  if (ctx.node.has_attr("clip"))
    ctx.require(ctx.node.attr_float("clip", 0) > 0, "clip must be positive");
  return D;
}

LstmShapes lstm_shapes(InferContext& ctx, int64_t directions, size_t r_hidden_axis, int64_t max_hidden) {
  LstmShapes s;
  s.directions = directions;
  s.layout = ctx.node.attr_int("layout", 0);
  ctx.require_rank(0, 3);
  ctx.require_rank(1, 3);
  ctx.require_rank(2, 3);
  const Shape& x = ctx.input(0).shape;
  s.seq = s.layout == 0 ? x[0] : x[1];
  s.batch = s.layout == 0 ? x[1] : x[0];
  s.input_size = x[2];
  ctx.require(s.input_size > 0, "X must have a non-empty input dimension");
  s.hidden_size = ctx.node.attr_int("hidden_size", ctx.input(2).shape[r_hidden_axis]);
  ctx.require(s.hidden_size > 0 && s.hidden_size <= max_hidden, "hidden_size must be positive");
  const int64_t D = directions, H = s.hidden_size;
  s.state = s.layout == 0 ? Shape{D, s.batch, H} : Shape{s.batch, D, H};
  return s;
}

void set_lstm_outputs(InferContext& ctx, const LstmShapes& s) {
  const int64_t D = s.directions, H = s.hidden_size;
  ctx.set_output(0, DType::Float32, s.layout == 0 ? Shape{s.seq, D, s.batch, H} : Shape{s.batch, s.seq, D, H});
  ctx.set_output(1, DType::Float32, s.state);
  ctx.set_output(2, DType::Float32, s.state);
}

}  // namespace octet::graph
