#pragma once
// Testing a prepared op (fast path) against the reference OpFn it replaces:
// a one-node graph whose non-runtime inputs are initializers (so the session
// prepares it), run through find_prepare directly and through Session with
// OCTET_ISA forced, at every ISA level this CPU runs, bit for bit against
// engine::evaluate_node on the same inputs. Also the 8-bit test data those
// cases are built from.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/op_registry.h"
#include "engine/session.h"
#include "graph/error.h"
#include "graph/graph.h"
#include "graph/shape_inference.h"
#include "kernels/isa.h"

namespace octet::testing {

// OCTET_ISA set for the lifetime of the object, the previous value restored.
class ScopedIsa {
 public:
  explicit ScopedIsa(kernels::Isa isa) {
    const char* old = std::getenv("OCTET_ISA");
    had_ = old != nullptr;
    if (had_) old_ = old;
    setenv("OCTET_ISA", kernels::isa_name(isa), 1);
  }
  ~ScopedIsa() {
    if (had_)
      setenv("OCTET_ISA", old_.c_str(), 1);
    else
      unsetenv("OCTET_ISA");
  }
  ScopedIsa(const ScopedIsa&) = delete;
  ScopedIsa& operator=(const ScopedIsa&) = delete;

 private:
  bool had_ = false;
  std::string old_;
};

// A one-node graph named "node": the inputs listed in `runtime` are graph
// inputs, the others initializers; an empty tensor is an omitted input, an
// empty output name an omitted output. `domain` is "" for ONNX ops,
// graph::kMicrosoftDomain for the contrib ops.
struct NodeCase {
  std::string op, domain;
  std::vector<graph::Tensor> inputs;
  std::map<std::string, graph::Attribute> attrs;
  std::vector<size_t> runtime = {0};
  std::vector<std::string> outputs = {"y"};

  bool is_runtime(size_t i) const { return std::find(runtime.begin(), runtime.end(), i) != runtime.end(); }

  graph::Graph graph() const {
    graph::Graph g;
    g.opset = 13;
    graph::Node n;
    n.op_type = op;
    n.domain = domain;
    n.name = "node";
    n.attrs = attrs;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (inputs[i].empty()) {
        n.inputs.push_back("");
        continue;
      }
      std::string name = "in" + std::to_string(i);
      n.inputs.push_back(name);
      if (is_runtime(i))
        g.inputs.push_back({name, inputs[i].dtype(), inputs[i].shape(), {}, true});
      else
        g.initializers[name] = inputs[i];
    }
    n.outputs = outputs;
    for (const auto& o : outputs)
      if (!o.empty()) g.outputs.push_back({o, graph::DType::Undefined, {}, {}, false});
    g.nodes.push_back(n);
    return g;
  }

  std::vector<graph::Tensor> runtime_inputs() const {
    std::vector<graph::Tensor> v;
    for (size_t i : runtime) v.push_back(inputs[i]);
    return v;
  }

  // The inputs as an op sees them: null for an omitted one.
  std::vector<const graph::Tensor*> input_ptrs() const {
    std::vector<const graph::Tensor*> in;
    for (const auto& t : inputs) in.push_back(t.empty() ? nullptr : &t);
    return in;
  }
};

// Types and shapes of every value, as the session's plan sees them.
inline std::map<std::string, graph::TensorInfo> infos_of(graph::Graph& g) {
  std::map<std::string, graph::TensorInfo> in;
  for (const auto& v : g.inputs) in[v.name] = {v.dtype, v.shape};
  return graph::infer_shapes(g, in, nullptr);
}

inline std::vector<graph::TensorInfo> output_infos(const NodeCase& c,
                                                   const std::map<std::string, graph::TensorInfo>& infos) {
  std::vector<graph::TensorInfo> out;
  for (const auto& o : c.outputs) out.push_back(o.empty() ? graph::TensorInfo{} : infos.at(o));
  return out;
}

// The reference OpFn's output 0, found by the node's op_key.
inline graph::Tensor reference(const NodeCase& c) {
  graph::Graph g = c.graph();
  auto infos = infos_of(g);
  return engine::evaluate_node(g.nodes[0], c.input_ptrs(), output_infos(c, infos))[0];
}

// Output 0 of a Session built with OCTET_ISA forced to `isa`.
inline graph::Tensor run_session(const NodeCase& c, kernels::Isa isa) {
  std::unique_ptr<engine::Session> s;
  {
    ScopedIsa forced(isa);
    s = std::make_unique<engine::Session>(c.graph());
  }
  REQUIRE(s->isa() == isa);
  // A first run on other data: the second must not depend on what the
  // prepared op's reused buffers held.
  std::vector<graph::Tensor> other = c.runtime_inputs();
  for (graph::Tensor& t : other) {
    t = t.clone();
    std::memset(t.raw(), 0x5a, t.nbytes());
  }
  s->run(other);
  return s->run(c.runtime_inputs())[0];
}

// The node's prepared op at `isa` (null when its prepare refuses it) and,
// when there is one, its output 0.
inline std::unique_ptr<engine::PreparedOp> prepare_direct(const NodeCase& c, kernels::Isa isa, graph::Tensor* out) {
  graph::Graph g = c.graph();
  auto infos = infos_of(g);
  const graph::Node& n = g.nodes[0];
  engine::PrepareFn fn = engine::find_prepare(graph::op_key(n));
  REQUIRE(fn != nullptr);
  engine::PrepareContext ctx{n, {}, {}, {}, isa};
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    ctx.constants.push_back(c.inputs[i].empty() || c.is_runtime(i) ? nullptr : &c.inputs[i]);
    ctx.inputs.push_back(c.inputs[i].empty() ? graph::TensorInfo{} : infos.at(n.inputs[i]));
  }
  ctx.outputs = output_infos(c, infos);
  auto op = fn(ctx);
  if (!op) return op;
  *out = graph::Tensor(ctx.outputs[0].dtype, ctx.outputs[0].shape);
  engine::OpContext octx(n, c.input_ptrs(), {out});
  op->run(octx);
  return op;
}

// The shape rule's error for the node, empty when it accepts it.
inline std::string shape_error(const NodeCase& nc) {
  graph::Graph g = nc.graph();
  try {
    infos_of(g);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

inline bool same_bits(const graph::Tensor& a, const graph::Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

// At every level: the prepared op exists exactly when `fast` says and gives
// the reference's bits, and so does the session either way.
inline void check_case(const NodeCase& c, bool fast) {
  const graph::Tensor want = reference(c);
  for (kernels::Isa isa : kernels::supported_isas()) {
    INFO("ISA " << kernels::isa_name(isa));
    graph::Tensor direct;
    auto op = prepare_direct(c, isa, &direct);
    REQUIRE((op != nullptr) == fast);
    if (op) REQUIRE(same_bits(direct, want));
    REQUIRE(same_bits(run_session(c, isa), want));
  }
}

// ---- 8-bit test data ----
// Each test file passes its own seeded engine, so its data does not depend
// on which other files' tests ran first.

enum class Fill { Random, Max, Min };

template <class T> graph::Tensor filled(std::mt19937& rng, const graph::Shape& shape, Fill fill) {
  graph::Tensor t(graph::dtype_of<T>(), shape);
  std::uniform_int_distribution<int> d(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
  T* p = t.data<T>();
  for (int64_t i = 0; i < t.numel(); ++i)
    p[i] = fill == Fill::Random ? static_cast<T>(d(rng))
                                : (fill == Fill::Max ? std::numeric_limits<T>::max() : std::numeric_limits<T>::min());
  return t;
}

// A uint8 or int8 tensor: random, or every element the type's max or min.
inline graph::Tensor filled(std::mt19937& rng, graph::DType t, const graph::Shape& shape, Fill fill = Fill::Random) {
  return t == graph::DType::UInt8 ? filled<uint8_t>(rng, shape, fill) : filled<int8_t>(rng, shape, fill);
}

// A uint8 or int8 zero point `v` (per tensor, or repeated over `shape`).
inline graph::Tensor zero_point(graph::DType t, int32_t v, graph::Shape shape = {}) {
  const auto n = static_cast<size_t>(graph::shape_numel(shape));
  if (t == graph::DType::UInt8)
    return graph::Tensor::from<uint8_t>(shape, std::vector<uint8_t>(n, static_cast<uint8_t>(v)));
  return graph::Tensor::from<int8_t>(shape, std::vector<int8_t>(n, static_cast<int8_t>(v)));
}

// Element i of an 8-bit or int32 tensor, widened.
inline int64_t int_at(const graph::Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case graph::DType::UInt8: return t.data<uint8_t>()[i];
    case graph::DType::Int8: return t.data<int8_t>()[i];
    default: return t.data<int32_t>()[i];
  }
}

inline std::vector<float> random_floats(std::mt19937& rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

// An int32 tensor (a bias) uniform in [-range, range].
inline graph::Tensor random_ints(std::mt19937& rng, const graph::Shape& shape, int32_t range) {
  std::uniform_int_distribution<int32_t> d(-range, range);
  std::vector<int32_t> v(static_cast<size_t>(graph::shape_numel(shape)));
  for (auto& x : v) x = d(rng);
  return graph::Tensor::from<int32_t>(shape, v);
}

}  // namespace octet::testing
