#include "graph/passes.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "graph/error.h"
#include "graph/layout_attrs.h"

namespace octet::graph {

namespace {

bool is_op(const Node& n, const char* op) { return n.op_type == op && n.domain.empty(); }
bool is_constant_node(const Node& n) { return is_op(n, "Constant"); }

// The bookkeeping every pass needs: how many node inputs read each value,
// which node produces it, and which nodes are gone. Removed nodes are only
// marked, so indices stay valid until finish() compacts the list in order.
class Rewriter {
 public:
  explicit Rewriter(Graph& graph) : g(graph), dead_(graph.nodes.size(), false) {
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      for (const auto& in : g.nodes[i].inputs)
        if (!in.empty()) ++uses_[in];
      for (const auto& out : g.nodes[i].outputs)
        if (!out.empty()) producer_[out] = i;
    }
    for (const auto& v : g.outputs) outputs_.insert(v.name);
  }

  Graph& g;

  size_t size() const { return g.nodes.size(); }
  bool live(size_t i) const { return !dead_[i]; }
  int uses(const std::string& v) const {
    auto it = uses_.find(v);
    return it == uses_.end() ? 0 : it->second;
  }
  bool is_graph_output(const std::string& v) const { return outputs_.count(v) != 0; }
  // A value a rewrite may make disappear: one reader, not seen from outside.
  bool is_private(const std::string& v) const { return uses(v) == 1 && !is_graph_output(v); }

  Node* producer(const std::string& v) {
    auto it = producer_.find(v);
    return it == producer_.end() || dead_[it->second] ? nullptr : &g.nodes[it->second];
  }

  // The value when it is an initializer or the output of a Constant node.
  std::optional<Tensor> constant(const std::string& v) {
    auto init = g.initializers.find(v);
    if (init != g.initializers.end()) return init->second;
    const Node* p = producer(v);
    if (p && is_constant_node(*p)) return constant_value(*p);
    return std::nullopt;
  }

  void remove(size_t i) {
    dead_[i] = true;
    for (const auto& in : g.nodes[i].inputs)
      if (!in.empty() && --uses_[in] == 0) orphans_.insert(in);
  }

  // `p` takes over `name`, which its removed consumer used to produce.
  void rename_output(Node& p, size_t k, const std::string& name) {
    p.outputs[k] = name;
    producer_[name] = static_cast<size_t>(&p - g.nodes.data());
  }

  void replace_uses(const std::string& from, const std::string& to) {
    for (size_t i = 0; i < g.nodes.size(); ++i)
      if (!dead_[i])
        for (auto& in : g.nodes[i].inputs)
          if (in == from) {
            in = to;
            --uses_[from];
            ++uses_[to];
          }
  }

  // Swaps a node input for a new initializer; the old one may be orphaned.
  void replace_input(Node& n, size_t k, const std::string& name, Tensor value) {
    if (n.inputs.size() <= k) n.inputs.resize(k + 1);
    const std::string old = n.inputs[k];
    if (!old.empty() && --uses_[old] == 0) orphans_.insert(old);
    g.initializers[name] = std::move(value);
    n.inputs[k] = name;
    ++uses_[name];
  }

  // A value name no node, input, output or initializer uses yet.
  std::string fresh_name(const std::string& base) {
    for (int k = 0;; ++k) {
      std::string name = base + (k == 0 ? "" : "_" + std::to_string(k));
      bool taken = g.initializers.count(name) || producer_.count(name) || uses_.count(name) ||
                   outputs_.count(name);
      for (const auto& v : g.inputs) taken = taken || v.name == name;
      if (!taken) return name;
    }
  }

  // Drops the initializers and Constant nodes this pass left unread, then
  // compacts the node list (order kept, so it stays topological).
  void finish() {
    for (const auto& v : orphans_) {
      if (uses(v) != 0 || is_graph_output(v)) continue;
      g.initializers.erase(v);
      auto it = producer_.find(v);
      if (it == producer_.end() || dead_[it->second]) continue;
      const Node& p = g.nodes[it->second];
      if (is_constant_node(p) && p.outputs.size() == 1 && p.outputs[0] == v) dead_[it->second] = true;
    }
    std::vector<Node> kept;
    for (size_t i = 0; i < g.nodes.size(); ++i)
      if (!dead_[i]) kept.push_back(std::move(g.nodes[i]));
    g.nodes = std::move(kept);
  }

 private:
  std::vector<bool> dead_;
  std::map<std::string, int> uses_;
  std::map<std::string, size_t> producer_;
  std::set<std::string> outputs_;
  std::set<std::string> orphans_;
};

// Nodes are stamped with their opset only by infer_shapes, which runs after
// these passes; until then the graph's opset is the node's.
Node with_opset(const Node& n, const Graph& g) {
  Node copy = n;
  if (copy.opset == 0) copy.opset = g.opset;
  return copy;
}

bool has_fused_activation(const Node& n) { return n.has_attr(kActivationMin) || n.has_attr(kActivationMax); }

// ---- Identity and Dropout ----

bool is_inference_dropout(Rewriter& r, const Node& n) {
  if (!is_op(n, "Dropout")) return false;
  if (n.outputs.size() > 1 && !n.outputs[1].empty() && (r.uses(n.outputs[1]) || r.is_graph_output(n.outputs[1])))
    return false;  // the mask is read
  if (n.has_attr("is_test") && n.attr_int("is_test", 1) == 0) return false;
  std::optional<Tensor> ratio, training;
  if (!n.input(1).empty() && !(ratio = r.constant(n.input(1)))) return false;
  if (!n.input(2).empty() && !(training = r.constant(n.input(2)))) return false;
  try {
    check_dropout_inference(with_opset(n, r.g), ratio ? &*ratio : nullptr, training ? &*training : nullptr);
    return true;
  } catch (const Error&) {
    return false;  // training or malformed: the op reports it at run time
  }
}

void remove_pass_through(Rewriter& r, size_t i) {
  Node& n = r.g.nodes[i];
  const std::string x = n.input(0), y = n.outputs.empty() ? "" : n.outputs[0];
  if (x.empty() || y.empty()) return;
  if (!r.is_graph_output(y)) {
    r.remove(i);
    r.replace_uses(y, x);
    return;
  }
  // y must keep its name: the producer of x is renamed to y instead.
  Node* p = r.producer(x);
  if (!p || r.is_graph_output(x)) return;
  r.remove(i);
  r.replace_uses(x, y);
  for (size_t k = 0; k < p->outputs.size(); ++k)
    if (p->outputs[k] == x) r.rename_output(*p, k, y);
}

// ---- BatchNormalization folding ----

struct BnScale {
  std::vector<double> scale, shift;  // y = x * scale + shift, per channel
};

// The per-channel affine map of an inference BatchNormalization whose
// parameters are float initializers of `channels` elements.
std::optional<BnScale> bn_affine(const Graph& g, const Node& bn, int64_t channels) {
  if (bn.attr_int("training_mode", 0) != 0 || (bn.has_attr("is_test") && bn.attr_int("is_test", 1) == 0) ||
      bn.attr_int("spatial", 1) != 1)
    return std::nullopt;
  for (size_t k = 1; k < bn.outputs.size(); ++k)
    if (!bn.outputs[k].empty()) return std::nullopt;
  const float* p[4];
  for (size_t k = 0; k < 4; ++k) {
    auto it = g.initializers.find(bn.input(k + 1));
    if (it == g.initializers.end() || it->second.dtype() != DType::Float32 || it->second.numel() != channels)
      return std::nullopt;
    p[k] = it->second.data<float>();
  }
  const double eps = bn.attr_float("epsilon", 1e-5f);
  BnScale s;
  for (int64_t c = 0; c < channels; ++c) {
    const double k = p[0][c] / std::sqrt(static_cast<double>(p[3][c]) + eps);
    s.scale.push_back(k);
    s.shift.push_back(p[1][c] - p[2][c] * k);
  }
  return s;
}

const Tensor* float_initializer(const Graph& g, const std::string& name) {
  auto it = g.initializers.find(name);
  return it == g.initializers.end() || it->second.dtype() != DType::Float32 ? nullptr : &it->second;
}

// Conv weight [M, C/group, k...]: each output channel's filter is one run.
bool fold_into_conv(Rewriter& r, Node& conv, const Node& bn) {
  const Tensor* w = float_initializer(r.g, conv.input(1));
  if (!w || w->rank() < 2 || w->dim(0) == 0) return false;
  const int64_t m = w->dim(0), per_channel = w->numel() / m;
  const Tensor* b = conv.input(2).empty() ? nullptr : float_initializer(r.g, conv.input(2));
  if (!conv.input(2).empty() && (!b || b->numel() != m)) return false;
  std::optional<BnScale> s = bn_affine(r.g, bn, m);
  if (!s) return false;
  Tensor w2(DType::Float32, w->shape()), b2(DType::Float32, {m});
  const float* wd = w->data<float>();
  for (int64_t c = 0; c < m; ++c) {
    for (int64_t j = 0; j < per_channel; ++j)
      w2.data<float>()[c * per_channel + j] = static_cast<float>(wd[c * per_channel + j] * s->scale[c]);
    const double bias = b ? b->data<float>()[c] : 0.0;
    b2.data<float>()[c] = static_cast<float>(bias * s->scale[c] + s->shift[c]);
  }
  r.replace_input(conv, 1, r.fresh_name(conv.input(1) + "_bn_folded"), w2);
  r.replace_input(conv, 2, r.fresh_name((b ? conv.input(2) : conv.input(1)) + "_bn_folded_bias"), b2);
  return true;
}

// Gemm Y = alpha * A' B' + beta * C, [rows, N]: BatchNormalization's channel
// axis (1) is Y's columns, so column j of B' and of C scale by scale[j].
bool fold_into_gemm(Rewriter& r, Node& gemm, const Node& bn) {
  const Tensor* b = float_initializer(r.g, gemm.input(1));
  if (!b || b->rank() != 2) return false;
  const bool tb = gemm.attr_int("transB", 0) == 1;
  const int64_t n = tb ? b->dim(0) : b->dim(1), k = tb ? b->dim(1) : b->dim(0);
  const Tensor* c = gemm.input(2).empty() ? nullptr : float_initializer(r.g, gemm.input(2));
  if (!gemm.input(2).empty() && !c) return false;
  // C broadcasts to [rows, N]: as [c_rows, c_cols] with c_cols 1 or N.
  int64_t c_rows = 1, c_cols = 1;
  if (c) {
    if (c->rank() > 2) return false;
    if (c->rank() >= 1) c_cols = c->dim(c->rank() - 1);
    if (c->rank() == 2) c_rows = c->dim(0);
    if (c_cols != 1 && c_cols != n) return false;
  }
  std::optional<BnScale> s = bn_affine(r.g, bn, n);
  if (!s) return false;
  Tensor b2(DType::Float32, b->shape());
  const float* bd = b->data<float>();
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const int64_t at = tb ? j * k + i : i * n + j;
      b2.data<float>()[at] = static_cast<float>(bd[at] * s->scale[j]);
    }
  Tensor c2 = c_rows == 1 ? Tensor(DType::Float32, {n}) : Tensor(DType::Float32, {c_rows, n});
  const double beta = gemm.attr_float("beta", 1.f);
  for (int64_t i = 0; i < c_rows; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const double cv = c ? beta * c->data<float>()[i * c_cols + (c_cols == 1 ? 0 : j)] : 0.0;
      c2.data<float>()[i * n + j] = static_cast<float>(cv * s->scale[j] + s->shift[j]);
    }
  r.replace_input(gemm, 1, r.fresh_name(gemm.input(1) + "_bn_folded"), b2);
  r.replace_input(gemm, 2, r.fresh_name((c ? gemm.input(2) : gemm.input(1)) + "_bn_folded_bias"), c2);
  gemm.attrs["beta"] = Attribute::of(1.f);
  return true;
}

void fold_one_batch_norm(Rewriter& r, size_t i) {
  const Node& bn = r.g.nodes[i];
  const std::string x = bn.input(0);
  if (bn.outputs.empty() || bn.outputs[0].empty()) return;
  Node* p = r.producer(x);
  if (!p || !r.is_private(x) || p->outputs.size() != 1 || has_fused_activation(*p)) return;
  const bool folded =
      (is_op(*p, "Conv") && fold_into_conv(r, *p, bn)) || (is_op(*p, "Gemm") && fold_into_gemm(r, *p, bn));
  if (!folded) return;
  const std::string y = bn.outputs[0];
  r.remove(i);
  r.rename_output(*p, 0, y);
}

// ---- activation fusion ----

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

template <class Step>
void run_pass(Graph& g, Step step) {
  Rewriter r(g);
  for (size_t i = 0; i < r.size(); ++i)
    if (r.live(i)) step(r, i);
  r.finish();
}

}  // namespace

void remove_identities(Graph& g) {
  run_pass(g, [](Rewriter& r, size_t i) {
    const Node& n = r.g.nodes[i];
    if (is_op(n, "Identity") || is_inference_dropout(r, n)) remove_pass_through(r, i);
  });
}

void fold_batch_norm(Graph& g) {
  run_pass(g, [](Rewriter& r, size_t i) {
    if (is_op(r.g.nodes[i], "BatchNormalization")) fold_one_batch_norm(r, i);
  });
}

void fuse_activations(Graph& g) {
  run_pass(g, [](Rewriter& r, size_t i) {
    if (is_op(r.g.nodes[i], "Relu") || is_op(r.g.nodes[i], "Clip")) fuse_one_activation(r, i);
  });
}

void optimize_for_inference(Graph& g) {
  remove_identities(g);
  fold_batch_norm(g);
  fuse_activations(g);
}

}  // namespace octet::graph
