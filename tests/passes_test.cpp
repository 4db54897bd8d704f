// The inference passes (graph/passes.h): each rewrite is checked twice, on
// the node list it leaves and on the numbers. The reference for the numbers
// is the unoptimized graph run node by node through engine::evaluate_node
// (the FP32 ops, no passes), against engine::Session, which optimizes. One
// Gemm fold is also checked against hand-computed folded weights.
#include <catch2/catch.hpp>
#include <cmath>

#include "engine/session.h"
#include "graph/error.h"
#include "graph/passes.h"
#include "graph/shape_inference.h"

using namespace octet;
using graph::Attribute;
using graph::DType;
using graph::Graph;
using graph::Node;
using graph::Shape;
using graph::Tensor;

namespace {

// sin(0.37 i + k) * scale over the flat index: deterministic, signed, varied.
Tensor gen(Shape shape, double k, double scale = 1.0) {
  std::vector<float> v(static_cast<size_t>(graph::shape_numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(std::sin(0.37 * i + k) * scale);
  return Tensor::from<float>(std::move(shape), v);
}

// Positive values in [lo, lo + 1): BatchNormalization variances and scales.
Tensor positive(Shape shape, double k, double lo) {
  Tensor t = gen(std::move(shape), k, 0.5);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] += static_cast<float>(lo + 0.5);
  return t;
}

Node make_node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out,
               std::map<std::string, Attribute> attrs = {}) {
  Node n;
  n.op_type = op;
  n.name = op + "_" + (out.empty() ? "" : out[0]);
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  n.attrs = std::move(attrs);
  return n;
}

graph::ValueInfo value(const std::string& name, Shape shape = {}, bool has_shape = true) {
  graph::ValueInfo v;
  v.name = name;
  v.dtype = DType::Float32;
  v.shape = std::move(shape);
  v.has_shape = has_shape;
  return v;
}

Graph with_io(std::vector<graph::ValueInfo> inputs, std::vector<std::string> outputs) {
  Graph g;
  g.opset = 13;
  g.inputs = std::move(inputs);
  for (const auto& o : outputs) g.outputs.push_back(value(o, {}, false));
  return g;
}

void add_bn(Graph& g, const std::string& x, const std::string& y, int64_t channels, float epsilon = 1e-5f) {
  g.initializers["gamma"] = positive({channels}, 1.0, 0.5);
  g.initializers["beta"] = gen({channels}, 2.0, 0.8);
  g.initializers["mean"] = gen({channels}, 3.0, 0.7);
  g.initializers["var"] = positive({channels}, 4.0, 0.2);
  g.nodes.push_back(make_node("BatchNormalization", {x, "gamma", "beta", "mean", "var"}, {y},
                              {{"epsilon", Attribute::of(epsilon)}}));
}

// x [1, 2, 5, 5] -> Conv(3x3, pad 1, 3 out channels) -> "c".
Graph conv_graph(std::vector<std::string> outputs, bool bias = true) {
  Graph g = with_io({value("x", {1, 2, 5, 5})}, std::move(outputs));
  g.initializers["w"] = gen({3, 2, 3, 3}, 0.5);
  std::vector<std::string> in{"x", "w"};
  if (bias) {
    g.initializers["b"] = gen({3}, 5.0);
    in.push_back("b");
  }
  g.nodes.push_back(make_node("Conv", in, {"c"}, {{"pads", Attribute::of(std::vector<int64_t>{1, 1, 1, 1})}}));
  return g;
}

std::vector<std::string> op_types(const Graph& g) {
  std::vector<std::string> ops;
  for (const auto& n : g.nodes) ops.push_back(n.op_type);
  return ops;
}

Graph optimized(Graph g) {
  graph::optimize_for_inference(g);
  return g;
}

// The graph as written, run op by op with no pass applied.
std::vector<Tensor> run_reference(Graph g, const std::vector<Tensor>& inputs) {
  graph::topological_sort(g);
  std::map<std::string, graph::TensorInfo> infos_in;
  std::map<std::string, Tensor> values = g.initializers;
  for (size_t i = 0; i < inputs.size(); ++i) {
    infos_in[g.inputs[i].name] = {inputs[i].dtype(), inputs[i].shape()};
    values[g.inputs[i].name] = inputs[i];
  }
  const auto infos = graph::infer_shapes(g, infos_in, nullptr);
  for (const auto& node : g.nodes) {
    std::vector<const Tensor*> in;
    for (const auto& name : node.inputs) in.push_back(name.empty() ? nullptr : &values.at(name));
    std::vector<graph::TensorInfo> out_infos;
    for (const auto& name : node.outputs) out_infos.push_back(name.empty() ? graph::TensorInfo{} : infos.at(name));
    std::vector<Tensor> outs = engine::evaluate_node(node, in, out_infos);
    for (size_t k = 0; k < outs.size(); ++k)
      if (!node.outputs[k].empty()) values[node.outputs[k]] = outs[k];
  }
  std::vector<Tensor> result;
  for (const auto& o : g.outputs) result.push_back(values.at(o.name));
  return result;
}

// Session (optimized) against the reference, within 1e-5 of the largest
// magnitude of each output.
void require_same_numbers(const Graph& g, const std::vector<Tensor>& inputs) {
  const std::vector<Tensor> want = run_reference(g, inputs);
  engine::Session session(g);
  const std::vector<Tensor> got = session.run(inputs);
  REQUIRE(got.size() == want.size());
  for (size_t k = 0; k < got.size(); ++k) {
    REQUIRE(got[k].shape() == want[k].shape());
    const float* a = got[k].data<float>();
    const float* b = want[k].data<float>();
    double scale = 0;
    for (int64_t i = 0; i < want[k].numel(); ++i) scale = std::max(scale, std::fabs(double(b[i])));
    REQUIRE(scale > 0);
    for (int64_t i = 0; i < want[k].numel(); ++i) {
      INFO("output " << k << " element " << i << ": " << a[i] << " vs " << b[i]);
      REQUIRE(std::fabs(double(a[i]) - b[i]) <= 1e-5 * scale);
    }
  }
}

std::vector<Tensor> image() { return {gen({1, 2, 5, 5}, 0.1, 2.0)}; }

float attr_or_nan(const Node& n, const char* key) { return n.attr_float(key, std::nanf("")); }

}  // namespace

TEST_CASE("BatchNormalization folds into the Conv before it") {
  for (bool bias : {true, false}) {
    Graph g = conv_graph({"y"}, bias);
    add_bn(g, "c", "y", 3);
    const Graph o = optimized(g);
    REQUIRE(op_types(o) == std::vector<std::string>{"Conv"});
    REQUIRE(o.nodes[0].outputs == std::vector<std::string>{"y"});
    REQUIRE(o.nodes[0].inputs.size() == 3);
    // The statistics and the unfolded weights are gone.
    for (const char* old : {"w", "b", "gamma", "beta", "mean", "var"}) REQUIRE(!o.is_initializer(old));
    require_same_numbers(g, image());
  }
}

TEST_CASE("Conv, BatchNormalization and Relu become one Conv with a clamp") {
  Graph g = conv_graph({"y"}, false);
  add_bn(g, "c", "bn", 3);
  g.nodes.push_back(make_node("Relu", {"bn"}, {"y"}));
  const Graph o = optimized(g);
  REQUIRE(op_types(o) == std::vector<std::string>{"Conv"});
  REQUIRE(o.nodes[0].outputs[0] == "y");
  REQUIRE(attr_or_nan(o.nodes[0], graph::kActivationMin) == 0.f);
  REQUIRE(!o.nodes[0].has_attr(graph::kActivationMax));
  require_same_numbers(g, image());
}

TEST_CASE("BatchNormalization folds into a Gemm along its output columns") {
  // A [2, 3], B [3, 4] (or [4, 3] with transB), C broadcast in several forms.
  struct Case {
    bool trans_b;
    Shape c_shape;  // empty: no C
  };
  for (const Case& c : {Case{false, {4}}, Case{true, {1, 4}}, Case{true, {2, 4}}, Case{false, {2, 1}},
                        Case{true, {}}, Case{false, {1}}}) {
    Graph g = with_io({value("a", {2, 3})}, {"y"});
    g.initializers["B"] = gen(c.trans_b ? Shape{4, 3} : Shape{3, 4}, 0.7);
    std::vector<std::string> in{"a", "B"};
    if (!c.c_shape.empty()) {
      g.initializers["C"] = gen(c.c_shape, 1.3);
      in.push_back("C");
    }
    g.nodes.push_back(make_node("Gemm", in, {"g"},
                                {{"transB", Attribute::of(int64_t(c.trans_b))},
                                 {"alpha", Attribute::of(0.5f)},
                                 {"beta", Attribute::of(2.f)}}));
    add_bn(g, "g", "y", 4);
    REQUIRE(op_types(optimized(g)) == std::vector<std::string>{"Gemm"});
    require_same_numbers(g, {gen({2, 3}, 0.2, 1.5)});
  }
}

TEST_CASE("Gemm fold gives the hand-computed weights and bias") {
  // Y = A B + C, B = [[1, 2], [3, 4]], C = [1, -1]; BN: gamma [2, 1],
  // beta [0.5, 0], mean [1, 2], var [3, 0], epsilon 1:
  // scale = gamma / sqrt(var + 1) = [1, 1]; shift = beta - mean * scale = [-0.5, -2].
  // B' = B * scale per column = B; C' = C * scale + shift = [0.5, -3].
  Graph g = with_io({value("a", {1, 2})}, {"y"});
  g.initializers["B"] = Tensor::from<float>({2, 2}, {1, 2, 3, 4});
  g.initializers["C"] = Tensor::from<float>({2}, {1, -1});
  g.nodes.push_back(make_node("Gemm", {"a", "B", "C"}, {"g"}));
  g.initializers["gamma"] = Tensor::from<float>({2}, {2, 1});
  g.initializers["beta"] = Tensor::from<float>({2}, {0.5f, 0});
  g.initializers["mean"] = Tensor::from<float>({2}, {1, 2});
  g.initializers["var"] = Tensor::from<float>({2}, {3, 0});
  g.nodes.push_back(make_node("BatchNormalization", {"g", "gamma", "beta", "mean", "var"}, {"y"},
                              {{"epsilon", Attribute::of(1.f)}}));
  const Graph o = optimized(g);
  REQUIRE(op_types(o) == std::vector<std::string>{"Gemm"});
  const Tensor& b = o.initializers.at(o.nodes[0].inputs[1]);
  const Tensor& c = o.initializers.at(o.nodes[0].inputs[2]);
  REQUIRE(std::vector<float>(b.data<float>(), b.data<float>() + 4) == std::vector<float>{1, 2, 3, 4});
  REQUIRE(std::vector<float>(c.data<float>(), c.data<float>() + 2) == std::vector<float>{0.5f, -3.f});
  // a = [1, 1]: A B = [4, 6]; + C' = [4.5, 3].
  engine::Session s(g);
  const Tensor y = s.run({Tensor::from<float>({1, 2}, {1, 1})})[0];
  REQUIRE(std::vector<float>(y.data<float>(), y.data<float>() + 2) == std::vector<float>{4.5f, 3.f});
}

TEST_CASE("Clip with constant bounds fuses into the Conv before it") {
  SECTION("bounds as initializers (ReLU6)") {
    Graph g = conv_graph({"y"});
    g.initializers["lo"] = Tensor::scalar<float>(0.f);
    g.initializers["hi"] = Tensor::scalar<float>(0.4f);
    g.nodes.push_back(make_node("Clip", {"c", "lo", "hi"}, {"y"}));
    const Graph o = optimized(g);
    REQUIRE(op_types(o) == std::vector<std::string>{"Conv"});
    REQUIRE(attr_or_nan(o.nodes[0], graph::kActivationMin) == 0.f);
    REQUIRE(attr_or_nan(o.nodes[0], graph::kActivationMax) == 0.4f);
    REQUIRE(!o.is_initializer("lo"));
    require_same_numbers(g, image());
  }
  SECTION("bounds from Constant nodes, max only") {
    Graph g = conv_graph({"y"});
    g.nodes.push_back(make_node("Constant", {}, {"hi"}, {{"value", Attribute::of(Tensor::scalar<float>(6.f))}}));
    g.nodes.push_back(make_node("Clip", {"c", "", "hi"}, {"y"}));
    const Graph o = optimized(g);
    REQUIRE(op_types(o) == std::vector<std::string>{"Conv"});
    REQUIRE(!o.nodes[0].has_attr(graph::kActivationMin));
    REQUIRE(attr_or_nan(o.nodes[0], graph::kActivationMax) == 6.f);
  }
  SECTION("before opset 11, bounds as attributes") {
    Graph g = conv_graph({"y"});
    g.opset = 9;
    g.nodes.push_back(make_node("Clip", {"c"}, {"y"}, {{"min", Attribute::of(-0.3f)}, {"max", Attribute::of(0.6f)}}));
    REQUIRE(op_types(optimized(g)) == std::vector<std::string>{"Conv"});
    require_same_numbers(g, image());
  }
}

TEST_CASE("clamps compose, and are kept apart when no single clamp is equivalent") {
  SECTION("Relu then Clip(-1, 0.5) is [0, 0.5]") {
    Graph g = conv_graph({"y"});
    g.initializers["lo"] = Tensor::scalar<float>(-1.f);
    g.initializers["hi"] = Tensor::scalar<float>(0.5f);
    g.nodes.push_back(make_node("Relu", {"c"}, {"r"}));
    g.nodes.push_back(make_node("Clip", {"r", "lo", "hi"}, {"y"}));
    const Graph o = optimized(g);
    REQUIRE(op_types(o) == std::vector<std::string>{"Conv"});
    REQUIRE(attr_or_nan(o.nodes[0], graph::kActivationMin) == 0.f);
    REQUIRE(attr_or_nan(o.nodes[0], graph::kActivationMax) == 0.5f);
    require_same_numbers(g, image());
  }
  SECTION("Clip(-5, -1) then Relu is 0 everywhere: the Relu stays") {
    Graph g = conv_graph({"y"});
    g.initializers["lo"] = Tensor::scalar<float>(-5.f);
    g.initializers["hi"] = Tensor::scalar<float>(-1.f);
    g.nodes.push_back(make_node("Clip", {"c", "lo", "hi"}, {"k"}));
    g.nodes.push_back(make_node("Relu", {"k"}, {"y"}));
    REQUIRE(op_types(optimized(g)) == std::vector<std::string>{"Conv", "Relu"});
    const std::vector<Tensor> y = engine::Session(g).run(image());
    for (int64_t i = 0; i < y[0].numel(); ++i) REQUIRE(y[0].data<float>()[i] == 0.f);
  }
}

TEST_CASE("Relu fuses into Add and MatMul") {
  Graph g = with_io({value("a", {2, 3}), value("b", {3})}, {"y", "z"});
  g.initializers["m"] = gen({3, 4}, 0.4);
  g.nodes.push_back(make_node("Add", {"a", "b"}, {"s"}));
  g.nodes.push_back(make_node("Relu", {"s"}, {"y"}));
  g.nodes.push_back(make_node("MatMul", {"a", "m"}, {"p"}));
  g.nodes.push_back(make_node("Relu", {"p"}, {"z"}));
  const Graph o = optimized(g);
  REQUIRE(op_types(o) == std::vector<std::string>{"Add", "MatMul"});
  REQUIRE(o.nodes[0].outputs[0] == "y");
  REQUIRE(o.nodes[1].outputs[0] == "z");
  require_same_numbers(g, {gen({2, 3}, 0.3), gen({3}, 1.9, 0.5)});
}

TEST_CASE("a fused Add still folds as a constant") {
  // relu(c1 + c2) is computed at plan time by the Add op, clamp included.
  Graph g = with_io({value("x", {3})}, {"y"});
  g.initializers["c1"] = Tensor::from<float>({3}, {1.f, -2.f, 0.5f});
  g.initializers["c2"] = Tensor::from<float>({3}, {-3.f, 0.f, 0.25f});
  g.nodes.push_back(make_node("Add", {"c1", "c2"}, {"c"}));
  g.nodes.push_back(make_node("Relu", {"c"}, {"r"}));
  g.nodes.push_back(make_node("Mul", {"x", "r"}, {"y"}));
  engine::Session s(g);
  REQUIRE(op_types(s.planned_graph()) == std::vector<std::string>{"Mul"});
  const Tensor y = s.run({Tensor::from<float>({3}, {1, 1, 1})})[0];
  REQUIRE(std::vector<float>(y.data<float>(), y.data<float>() + 3) == std::vector<float>{0.f, 0.f, 0.75f});
}

TEST_CASE("Identity and inference Dropout are removed, graph output names kept") {
  // x -> Conv -> Identity -> BN -> Dropout -> Relu -> Identity -> y
  Graph g = conv_graph({"y"});
  g.nodes.push_back(make_node("Identity", {"c"}, {"i1"}));
  add_bn(g, "i1", "bn", 3);
  g.initializers["ratio"] = Tensor::scalar<float>(0.3f);
  g.nodes.push_back(make_node("Dropout", {"bn", "ratio"}, {"d", ""}));
  g.nodes.push_back(make_node("Relu", {"d"}, {"r"}));
  g.nodes.push_back(make_node("Identity", {"r"}, {"y"}));
  const Graph o = optimized(g);
  REQUIRE(op_types(o) == std::vector<std::string>{"Conv"});
  REQUIRE(o.nodes[0].outputs[0] == "y");
  REQUIRE(!o.is_initializer("ratio"));
  require_same_numbers(g, image());
}

TEST_CASE("Identity chains and old-opset Dropout collapse onto their source") {
  // a + a -> Identity -> Identity -> Dropout(opset 10, mask unread) -> Mul
  Graph g = with_io({value("a", {4})}, {"y"});
  g.opset = 10;
  g.nodes.push_back(make_node("Add", {"a", "a"}, {"s"}));
  g.nodes.push_back(make_node("Identity", {"s"}, {"i1"}));
  g.nodes.push_back(make_node("Identity", {"i1"}, {"i2"}));
  g.nodes.push_back(make_node("Dropout", {"i2"}, {"d", "mask"}, {{"ratio", Attribute::of(0.5f)}}));
  g.nodes.push_back(make_node("Mul", {"d", "i1"}, {"y"}));
  const Graph o = optimized(g);
  REQUIRE(op_types(o) == std::vector<std::string>{"Add", "Mul"});
  REQUIRE(o.nodes[1].inputs == std::vector<std::string>{"s", "s"});
  require_same_numbers(g, {gen({4}, 0.6)});
}

TEST_CASE("Identity and Dropout that must stay, stay") {
  SECTION("graph input straight to graph output") {
    Graph g = with_io({value("x", {2})}, {"y"});
    g.nodes.push_back(make_node("Identity", {"x"}, {"y"}));
    REQUIRE(op_types(optimized(g)) == std::vector<std::string>{"Identity"});
  }
  SECTION("an Identity between two graph outputs") {
    Graph g = with_io({value("x", {2})}, {"n", "y"});
    g.nodes.push_back(make_node("Neg", {"x"}, {"n"}));
    g.nodes.push_back(make_node("Identity", {"n"}, {"y"}));
    REQUIRE(op_types(optimized(g)) == std::vector<std::string>{"Neg", "Identity"});
    require_same_numbers(g, {gen({2}, 0.1)});
  }
  SECTION("a Dropout whose mask is read") {
    Graph g = with_io({value("x", {2})}, {"y", "mask"});
    g.nodes.push_back(make_node("Dropout", {"x"}, {"y", "mask"}));
    REQUIRE(op_types(optimized(g)) == std::vector<std::string>{"Dropout"});
  }
  SECTION("a Dropout in training mode") {
    Graph g = with_io({value("x", {2})}, {"y"});
    g.initializers["ratio"] = Tensor::scalar<float>(0.5f);
    g.initializers["train"] = Tensor::scalar<bool>(true);
    g.nodes.push_back(make_node("Dropout", {"x", "ratio", "train"}, {"d"}));
    g.nodes.push_back(make_node("Neg", {"d"}, {"y"}));
    REQUIRE(op_types(optimized(g)) == std::vector<std::string>{"Dropout", "Neg"});
  }
}

TEST_CASE("nothing is fused when the intermediate is shared, visible or not constant") {
  SECTION("the Conv output also feeds another node") {
    Graph g = conv_graph({"y", "z"});
    add_bn(g, "c", "y", 3);
    g.nodes.push_back(make_node("Relu", {"c"}, {"z"}));
    REQUIRE(op_types(optimized(g)) == std::vector<std::string>{"Conv", "BatchNormalization", "Relu"});
    require_same_numbers(g, image());
  }
  SECTION("the Conv output is a graph output") {
    Graph g = conv_graph({"c", "y"});
    add_bn(g, "c", "bn", 3);
    g.nodes.push_back(make_node("Relu", {"bn"}, {"y"}));
    // The BN folds nowhere; its own output is private, but BN cannot carry a clamp.
    REQUIRE(op_types(optimized(g)) == std::vector<std::string>{"Conv", "BatchNormalization", "Relu"});
    require_same_numbers(g, image());
  }
  SECTION("the Add output is a graph output") {
    Graph g = with_io({value("a", {3}), value("b", {3})}, {"s", "y"});
    g.nodes.push_back(make_node("Add", {"a", "b"}, {"s"}));
    g.nodes.push_back(make_node("Relu", {"s"}, {"y"}));
    REQUIRE(op_types(optimized(g)) == std::vector<std::string>{"Add", "Relu"});
    require_same_numbers(g, {gen({3}, 0.2), gen({3}, 2.2)});
  }
  SECTION("Conv weights are a graph input") {
    Graph g = with_io({value("x", {1, 2, 5, 5}), value("w", {3, 2, 3, 3})}, {"y"});
    g.nodes.push_back(make_node("Conv", {"x", "w"}, {"c"}));
    add_bn(g, "c", "y", 3);
    REQUIRE(op_types(optimized(g)) == std::vector<std::string>{"Conv", "BatchNormalization"});
    require_same_numbers(g, {image()[0], gen({3, 2, 3, 3}, 0.5)});
  }
  SECTION("BatchNormalization statistics are a graph input") {
    Graph g = conv_graph({"y"});
    add_bn(g, "c", "y", 3);
    g.initializers.erase("mean");
    g.inputs.push_back(value("mean", {3}));
    REQUIRE(op_types(optimized(g)) == std::vector<std::string>{"Conv", "BatchNormalization"});
    require_same_numbers(g, {image()[0], gen({3}, 3.0, 0.7)});
  }
  SECTION("Clip bounds given at run time") {
    Graph g = with_io({value("x", {1, 2, 5, 5}), value("lo", {})}, {"y"});
    g.initializers["w"] = gen({3, 2, 3, 3}, 0.5);
    g.nodes.push_back(make_node("Conv", {"x", "w"}, {"c"}));
    g.nodes.push_back(make_node("Clip", {"c", "lo"}, {"y"}));
    REQUIRE(op_types(optimized(g)) == std::vector<std::string>{"Conv", "Clip"});
    require_same_numbers(g, {image()[0], Tensor::scalar<float>(-0.2f)});
  }
  SECTION("an activation after an op that cannot carry one") {
    Graph g = with_io({value("a", {3})}, {"y"});
    g.nodes.push_back(make_node("Neg", {"a"}, {"n"}));
    g.nodes.push_back(make_node("Relu", {"n"}, {"y"}));
    REQUIRE(op_types(optimized(g)) == std::vector<std::string>{"Neg", "Relu"});
  }
}
