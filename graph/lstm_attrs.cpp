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

}  // namespace octet::graph
