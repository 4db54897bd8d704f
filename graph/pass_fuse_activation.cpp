#include "graph/passes.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "graph/error.h"
#include "graph/rewriter.h"

namespace octet::graph {

namespace {

struct Bounds {
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
};

std::optional<float> float_scalar(Rewriter& r, const std::string& v) {
  std::optional<Tensor> t = r.constant(v);
  if (!t || t->dtype() != DType::Float32 || t->numel() != 1) return std::nullopt;
  return t->data<float>()[0];
}

// The clamp a Relu or a Clip with known bounds applies, if it is one.
std::optional<Bounds> clamp_of(Rewriter& r, const Node& n) {
  Bounds b;
  if (is_op(n, "Relu")) {
    b.lo = 0.f;
    return b;
  }
  if (!is_op(n, "Clip")) return std::nullopt;
  if (opset_before(with_opset(n, r.g), 11)) {
    b.lo = n.attr_float("min", b.lo);
    b.hi = n.attr_float("max", b.hi);
    return b;
  }
  for (size_t k : {1, 2}) {
    if (n.input(k).empty()) continue;
    std::optional<float> v = float_scalar(r, n.input(k));
    if (!v) return std::nullopt;
    (k == 1 ? b.lo : b.hi) = *v;
  }
  return b;
}

bool can_carry_activation(const Node& n) {
  return (is_op(n, "Conv") || is_op(n, "Gemm") || is_op(n, "MatMul") || is_op(n, "Add")) && n.outputs.size() == 1;
}

void fuse_one_activation(Rewriter& r, size_t i) {
  const Node& act = r.g.nodes[i];
  const std::string x = act.input(0);
  if (act.outputs.empty() || act.outputs[0].empty()) return;
  Node* p = r.producer(x);
  if (!p || !r.is_private(x) || !can_carry_activation(*p)) return;
  std::optional<Bounds> b = clamp_of(r, act);
  if (!b) return;
  // Two clamps compose into one only when the result is a proper interval
  // (with lo > hi, Clip yields hi everywhere, which no single clamp keeps).
  Bounds have;
  have.lo = p->attr_float(kActivationMin, have.lo);
  have.hi = p->attr_float(kActivationMax, have.hi);
  const Bounds both{std::max(have.lo, b->lo), std::min(have.hi, b->hi)};
  if (!(b->lo <= b->hi) || !(have.lo <= have.hi) || !(both.lo <= both.hi)) return;
  if (std::isfinite(both.lo)) p->attrs[kActivationMin] = Attribute::of(both.lo);
  if (std::isfinite(both.hi)) p->attrs[kActivationMax] = Attribute::of(both.hi);
  const std::string y = act.outputs[0];
  r.remove(i);
  r.rename_output(*p, 0, y);
}

}  // namespace

void fuse_activations(Graph& g) {
  run_pass(g, [](Rewriter& r, size_t i) {
    if (is_op(r.g.nodes[i], "Relu") || is_op(r.g.nodes[i], "Clip")) fuse_one_activation(r, i);
  });
}

}  // namespace octet::graph
