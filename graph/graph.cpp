#include "graph/graph.h"

#include <map>
#include <set>

#include "graph/error.h"

namespace octet::graph {

namespace {
const Attribute* find_attr(const Node& n, const std::string& key, Attribute::Kind kind) {
  auto it = n.attrs.find(key);
  if (it == n.attrs.end()) return nullptr;
  if (it->second.kind != kind)
    throw FormatError(n.label() + ": attribute '" + key + "' has the wrong type");
  return &it->second;
}
template <class Set> Attribute make_attr(Attribute::Kind kind, Set set) {
  Attribute a;
  a.kind = kind;
  set(a);
  return a;
}

}  // namespace

Attribute Attribute::of(int64_t v) { return make_attr(Kind::Int, [&](Attribute& a) { a.i = v; }); }
Attribute Attribute::of(float v) { return make_attr(Kind::Float, [&](Attribute& a) { a.f = v; }); }
Attribute Attribute::of(const std::string& v) { return make_attr(Kind::String, [&](Attribute& a) { a.s = v; }); }
Attribute Attribute::of(std::vector<int64_t> v) {
  return make_attr(Kind::Ints, [&](Attribute& a) { a.ints = std::move(v); });
}
Attribute Attribute::of(std::vector<float> v) {
  return make_attr(Kind::Floats, [&](Attribute& a) { a.floats = std::move(v); });
}
Attribute Attribute::of(graph::Tensor v) { return make_attr(Kind::Tensor, [&](Attribute& a) { a.t = std::move(v); }); }

int64_t Node::attr_int(const std::string& key, int64_t fallback) const {
  const Attribute* a = find_attr(*this, key, Attribute::Kind::Int);
  return a ? a->i : fallback;
}

float Node::attr_float(const std::string& key, float fallback) const {
  const Attribute* a = find_attr(*this, key, Attribute::Kind::Float);
  return a ? a->f : fallback;
}

std::string Node::attr_string(const std::string& key, const std::string& fallback) const {
  const Attribute* a = find_attr(*this, key, Attribute::Kind::String);
  return a ? a->s : fallback;
}

std::vector<int64_t> Node::attr_ints(const std::string& key, std::vector<int64_t> fallback) const {
  const Attribute* a = find_attr(*this, key, Attribute::Kind::Ints);
  return a ? a->ints : fallback;
}

std::vector<float> Node::attr_floats(const std::string& key, std::vector<float> fallback) const {
  const Attribute* a = find_attr(*this, key, Attribute::Kind::Floats);
  return a ? a->floats : fallback;
}

const Tensor& Node::attr_tensor(const std::string& key) const {
  const Attribute* a = find_attr(*this, key, Attribute::Kind::Tensor);
  if (!a) throw FormatError(label() + ": missing tensor attribute '" + key + "'");
  return a->t;
}

std::string op_key(const std::string& domain, const std::string& op_type) {
  return domain.empty() || domain == "ai.onnx" ? op_type : domain + ":" + op_type;
}

std::string op_key(const Node& node) { return op_key(node.domain, node.op_type); }

std::string Node::label() const {
  return op_type + " '" + (name.empty() ? (outputs.empty() ? std::string() : outputs[0]) : name) + "'";
}

const std::string& Node::input(size_t i) const {
  static const std::string none;
  return i < inputs.size() ? inputs[i] : none;
}

namespace {

// Every value has one source, as ONNX requires: a graph input, an
// initializer or one output of one node.
void check_single_sources(const Graph& g) {
  std::map<std::string, std::string> source;  // value -> what produces it
  auto claim = [&](const std::string& name, const std::string& by) {
    if (name.empty()) return;
    const auto [it, fresh] = source.emplace(name, by);
    if (!fresh) throw FormatError("value '" + name + "' is produced more than once: by " + it->second + " and by " + by);
  };
  for (const auto& v : g.inputs) claim(v.name, "graph input '" + v.name + "'");
  for (const auto& kv : g.initializers) claim(kv.first, "initializer '" + kv.first + "'");
  for (const auto& n : g.nodes)
    for (const auto& out : n.outputs) claim(out, n.label());
}

}  // namespace

void topological_sort(Graph& g) {
  check_single_sources(g);
  // Kahn's algorithm, taking nodes in file order when several are ready, so a
  // file that is already sorted keeps its order.
  std::map<std::string, std::vector<size_t>> consumers;
  std::set<std::string> ready;
  for (const auto& v : g.inputs) ready.insert(v.name);
  for (const auto& kv : g.initializers) ready.insert(kv.first);
  std::vector<size_t> waiting(g.nodes.size(), 0);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    std::set<std::string> distinct;
    for (const auto& in : g.nodes[i].inputs)
      if (!in.empty() && !ready.count(in) && distinct.insert(in).second) {
        consumers[in].push_back(i);
        ++waiting[i];
      }
  }
  std::set<size_t> queue;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (waiting[i] == 0) queue.insert(i);
  std::vector<Node> sorted;
  sorted.reserve(g.nodes.size());
  std::vector<bool> placed(g.nodes.size(), false);
  while (!queue.empty()) {
    size_t i = *queue.begin();
    queue.erase(queue.begin());
    placed[i] = true;
    for (const auto& out : g.nodes[i].outputs) {
      if (out.empty() || !ready.insert(out).second) continue;
      for (size_t c : consumers[out])
        if (--waiting[c] == 0) queue.insert(c);
    }
    sorted.push_back(g.nodes[i]);
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (placed[i]) continue;
    for (const auto& in : g.nodes[i].inputs)
      if (!in.empty() && !ready.count(in))
        throw FormatError(g.nodes[i].label() + ": input '" + in +
                          "' is produced by no node, graph input or initializer (or only by a cycle)");
  }
  g.nodes = std::move(sorted);
  for (const auto& out : g.outputs)
    if (!ready.count(out.name))
      throw FormatError("graph output '" + out.name + "' is produced by no node");
}

}  // namespace octet::graph
