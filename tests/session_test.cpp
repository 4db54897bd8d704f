// Session planning and running: shapes checked at the door, constants folded
// away at plan time, symbolic dims planned per input shape.
#include <catch2/catch.hpp>

#include "engine/session.h"
#include "graph/error.h"
#include "tests/test_graphs.h"

using namespace octet;
using graph::DType;
using graph::Graph;
using graph::Node;
using graph::Tensor;

using octet::testing::float_value;
using octet::testing::make_node;

namespace {

// y = Relu(x + (c1 + c2)): the constant sum must be folded at plan time.
Graph relu_of_sum(graph::Shape x_shape) {
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", x_shape));
  g.outputs.push_back(float_value("y", {}));
  g.initializers["c1"] = Tensor::from<float>({3}, {1.f, -2.f, 0.5f});
  g.initializers["c2"] = Tensor::from<float>({3}, {-1.f, 0.f, 0.25f});
  g.nodes.push_back(make_node("Add", {"c1", "c2"}, {"c"}));
  g.nodes.push_back(make_node("Add", {"x", "c"}, {"s"}));
  g.nodes.push_back(make_node("Relu", {"s"}, {"y"}));
  return g;
}

}  // namespace

TEST_CASE("constant subgraphs are folded at plan time") {
  engine::Session s(relu_of_sum({2, 3}));
  // c1 + c2 is folded into the initializer c, and the Relu is fused into the
  // remaining Add (graph/passes.h), so one node is left.
  const graph::Graph& planned = s.planned_graph();
  REQUIRE(planned.nodes.size() == 1);
  REQUIRE(planned.nodes[0].op_type == "Add");
  REQUIRE(planned.is_initializer("c"));
  Tensor x = Tensor::from<float>({2, 3}, {1.f, 1.f, 1.f, -1.f, 3.f, -1.f});
  std::vector<Tensor> y = s.run({x});
  REQUIRE(y.size() == 1);
  REQUIRE(y[0].shape() == graph::Shape{2, 3});
  const float* d = y[0].data<float>();
  std::vector<float> got(d, d + 6);
  // x + [0, -2, 0.75], then max(0, .)
  REQUIRE(got == std::vector<float>{1.f, 0.f, 1.75f, 0.f, 1.f, 0.f});
}

TEST_CASE("inputs are checked against the model's declared type and shape") {
  engine::Session s(relu_of_sum({2, 3}));
  REQUIRE_THROWS_WITH(s.run({Tensor(DType::Float32, {3, 2})}), Catch::Contains("input 'x' must have shape [2, 3]"));
  REQUIRE_THROWS_WITH(s.run({Tensor(DType::Int64, {2, 3})}), Catch::Contains("must be float32"));
  REQUIRE_THROWS_WITH(s.run(std::vector<Tensor>{}), Catch::Contains("takes 1 inputs, 0 given"));
  std::map<std::string, Tensor> named{{"z", Tensor(DType::Float32, {2, 3})}};
  REQUIRE_THROWS_WITH(s.run(named), Catch::Contains("missing input 'x'"));
}

TEST_CASE("symbolic dims are planned at the first run and replanned on a new shape") {
  engine::Session s(relu_of_sum({-1, 3}));
  REQUIRE_THROWS_AS(s.planned_graph(), Error);
  REQUIRE(s.run({Tensor(DType::Float32, {4, 3})})[0].shape() == graph::Shape{4, 3});
  REQUIRE(s.run({Tensor(DType::Float32, {1, 3})})[0].shape() == graph::Shape{1, 3});
  REQUIRE_THROWS_WITH(s.run({Tensor(DType::Float32, {1, 4})}), Catch::Contains("must have shape [?, 3]"));
}

TEST_CASE("unknown operators are refused at plan time, naming the node") {
  Graph g = relu_of_sum({2, 3});
  g.nodes.push_back(make_node("FancyOp", {"y"}, {"z"}));
  g.outputs[0].name = "z";
  REQUIRE_THROWS_WITH(engine::Session(g), Catch::Contains("FancyOp 'z'") && Catch::Contains("not supported"));
}

TEST_CASE("a dangling input is reported by name") {
  Graph g = relu_of_sum({2, 3});
  g.nodes[2].inputs[0] = "nowhere";
  REQUIRE_THROWS_WITH(engine::Session(g), Catch::Contains("'nowhere'"));
}

TEST_CASE("an integer input that carries a shape is planned from its value at each run") {
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {2, 3, 4}));
  graph::ValueInfo shape_in = float_value("shape", {2});
  shape_in.dtype = DType::Int64;
  g.inputs.push_back(shape_in);
  g.outputs.push_back(float_value("y", {}));
  g.nodes.push_back(make_node("Reshape", {"x", "shape"}, {"y"}));
  engine::Session s(g);
  REQUIRE_THROWS_AS(s.planned_graph(), Error);  // needs the value: planned at the first run

  Tensor x(DType::Float32, {2, 3, 4});
  for (int i = 0; i < 24; ++i) x.data<float>()[i] = static_cast<float>(i);
  Tensor y = s.run(std::vector<Tensor>{x, Tensor::from<int64_t>({2}, {4, -1})})[0];
  REQUIRE(y.shape() == graph::Shape{4, 6});
  REQUIRE(y.data<float>()[23] == 23.f);
  REQUIRE(s.run(std::vector<Tensor>{x, Tensor::from<int64_t>({2}, {-1, 12})})[0].shape() == graph::Shape{2, 12});
  REQUIRE_THROWS_AS(s.run(std::vector<Tensor>{x, Tensor::from<int64_t>({2}, {5, -1})}), octet::FormatError);
}

TEST_CASE("intermediates share one arena; outputs a caller holds survive the next run", "[arena]") {
  // y = Relu(Relu(Relu(Relu(x)))) through 3 float [2, 1000] intermediates:
  // at most two are alive at once, so the arena holds two.
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {2, 1000}));
  g.outputs.push_back(float_value("y", {}));
  const std::vector<std::string> names = {"x", "a", "b", "c", "y"};
  for (size_t i = 0; i + 1 < names.size(); ++i) g.nodes.push_back(make_node("Neg", {names[i]}, {names[i + 1]}));
  engine::Session s(std::move(g));
  CHECK(s.arena_bytes() == 2 * 8000);
  std::vector<float> ones(2000, 1.f), twos(2000, 2.f);
  const Tensor y1 = s.run({Tensor::from<float>({2, 1000}, ones)})[0];
  const Tensor y2 = s.run({Tensor::from<float>({2, 1000}, twos)})[0];
  CHECK(y1.data<float>()[1999] == 1.f);  // four negations
  CHECK(y2.data<float>()[0] == 2.f);
  CHECK(y1.raw() != y2.raw());
}

TEST_CASE("a plan whose intermediates are all empty still runs on real pointers", "[arena]") {
  // [2, 0] values take no arena bytes; the kernels' memcpy / memset of 0
  // bytes must still get non-null pointers (UBSan checks it in the
  // sanitized build).
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {2, 0}));
  g.outputs.push_back(float_value("y", {}));
  g.nodes.push_back(make_node("Neg", {"x"}, {"a"}));
  g.nodes.push_back(make_node("Relu", {"a"}, {"b"}));
  g.nodes.push_back(make_node("Neg", {"b"}, {"y"}));
  engine::Session s(std::move(g));
  CHECK(s.arena_bytes() == 0);
  const std::vector<Tensor> y = s.run({Tensor(DType::Float32, {2, 0})});
  CHECK(y[0].shape() == graph::Shape{2, 0});
}
