#pragma once
// What every graph pass shares (graph/pass_*.cpp): a Rewriter that keeps
// value use counts and producers while a pass marks nodes dead and rewires
// inputs, and run_pass, which walks the nodes once in order. Internal to
// graph/.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/layout_attrs.h"
#include "graph/passes.h"

namespace octet::graph {

inline bool is_op(const Node& n, const char* op) { return n.op_type == op && n.domain.empty(); }
inline bool is_constant_node(const Node& n) { return is_op(n, "Constant"); }

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
inline Node with_opset(const Node& n, const Graph& g) {
  Node copy = n;
  if (copy.opset == 0) copy.opset = g.opset;
  return copy;
}

inline bool has_fused_activation(const Node& n) { return n.has_attr(kActivationMin) || n.has_attr(kActivationMax); }

template <class Step>
void run_pass(Graph& g, Step step) {
  Rewriter r(g);
  for (size_t i = 0; i < r.size(); ++i)
    if (r.live(i)) step(r, i);
  r.finish();
}

}  // namespace octet::graph
