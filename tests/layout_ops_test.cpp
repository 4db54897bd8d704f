// The data-movement ops (Concat, Split, Flatten, Reshape, Transpose,
// Squeeze, Unsqueeze, Slice, Gather, Expand, Shape, Constant, Identity,
// Dropout), each run through a one-node Session against hand-computed
// values, their errors, and the folding of exported shape arithmetic.
#include <catch2/catch.hpp>

#include <limits>
#include <numeric>

#include "engine/session.h"
#include "graph/error.h"
#include "kernels/ref/strided_copy.h"

using namespace octet;
using graph::Attribute;
using graph::DType;
using graph::Graph;
using graph::Node;
using graph::Shape;
using graph::Tensor;

namespace {

// One input of the node under test: fed at run time, or an initializer
// (shape-carrying inputs must be constants), or omitted (an empty tensor).
struct Arg {
  Tensor value;
  bool constant = false;
};
Arg in(Tensor t) { return {std::move(t), false}; }
Arg cst(Tensor t) { return {std::move(t), true}; }
Arg none() { return {}; }

Attribute attr_int(int64_t v) { return Attribute::of(v); }
Attribute attr_ints(std::vector<int64_t> v) { return Attribute::of(std::move(v)); }
Attribute attr_float(float v) { return Attribute::of(v); }
Attribute attr_tensor(Tensor t) { return Attribute::of(std::move(t)); }

graph::ValueInfo value_info(const std::string& name, const Tensor& t) {
  graph::ValueInfo v;
  v.name = name;
  v.dtype = t.dtype();
  v.shape = t.shape();
  v.has_shape = true;
  return v;
}

Graph one_node(const std::string& op, const std::vector<Arg>& args, std::map<std::string, Attribute> attrs,
               size_t outputs, int64_t opset) {
  Graph g;
  g.opset = opset;
  Node n;
  n.op_type = op;
  n.name = "n";
  n.attrs = std::move(attrs);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string name = "in" + std::to_string(i);
    if (args[i].value.empty()) {
      n.inputs.push_back("");
    } else if (args[i].constant) {
      g.initializers[name] = args[i].value;
      n.inputs.push_back(name);
    } else {
      g.inputs.push_back(value_info(name, args[i].value));
      n.inputs.push_back(name);
    }
  }
  for (size_t i = 0; i < outputs; ++i) {
    graph::ValueInfo v;
    v.name = "out" + std::to_string(i);
    g.outputs.push_back(v);
    n.outputs.push_back(v.name);
  }
  g.nodes.push_back(n);
  return g;
}

std::vector<Tensor> run_op(const std::string& op, const std::vector<Arg>& args,
                           std::map<std::string, Attribute> attrs = {}, size_t outputs = 1, int64_t opset = 13) {
  engine::Session s(one_node(op, args, std::move(attrs), outputs, opset));
  std::vector<Tensor> feeds;
  for (const auto& a : args)
    if (!a.value.empty() && !a.constant) feeds.push_back(a.value);
  return s.run(feeds);
}

template <class T>
std::vector<T> values(const Tensor& t) {
  const T* d = t.data<T>();
  return std::vector<T>(d, d + t.numel());
}

// 0, 1, 2, ... in the given dtype and shape.
template <class T>
Tensor iota(Shape shape) {
  std::vector<T> v(static_cast<size_t>(graph::shape_numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<T>(i);
  return Tensor::from<T>(std::move(shape), v);
}

Tensor ints(std::vector<int64_t> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return Tensor::from<int64_t>({n}, v);
}

}  // namespace

TEST_CASE("Concat joins along positive and negative axes, any dtype") {
  Tensor a = Tensor::from<int64_t>({2, 2}, {1, 2, 3, 4});
  Tensor b = Tensor::from<int64_t>({2, 1}, {5, 6});
  Tensor empty(DType::Int64, {2, 0});
  for (int64_t axis : {1, -1}) {
    auto y = run_op("Concat", {in(a), in(empty), in(b)}, {{"axis", attr_int(axis)}});
    REQUIRE(y[0].shape() == Shape{2, 3});
    CHECK(values<int64_t>(y[0]) == std::vector<int64_t>{1, 2, 5, 3, 4, 6});
  }
  Tensor c = Tensor::from<uint8_t>({1, 3}, {7, 8, 9});
  Tensor d = Tensor::from<uint8_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  auto y = run_op("Concat", {in(c), in(d)}, {{"axis", attr_int(0)}});
  REQUIRE(y[0].shape() == Shape{3, 3});
  CHECK(values<uint8_t>(y[0]) == std::vector<uint8_t>{7, 8, 9, 1, 2, 3, 4, 5, 6});
}

TEST_CASE("Concat rejects mismatched inputs and a bad axis") {
  Tensor a = iota<float>({2, 2});
  CHECK_THROWS_AS(run_op("Concat", {in(a), in(iota<float>({3, 3}))}, {{"axis", attr_int(1)}}), FormatError);
  CHECK_THROWS_AS(run_op("Concat", {in(a), in(iota<int32_t>({2, 2}))}, {{"axis", attr_int(1)}}), FormatError);
  CHECK_THROWS_AS(run_op("Concat", {in(a), in(a)}, {{"axis", attr_int(2)}}), FormatError);
  CHECK_THROWS_AS(run_op("Concat", {in(a), in(a)}), FormatError);  // axis is required
}

TEST_CASE("Split by equal parts, attribute, input and num_outputs") {
  Tensor x = iota<float>({2, 6});
  SECTION("equal parts by default") {
    auto y = run_op("Split", {in(x)}, {{"axis", attr_int(1)}}, 3);
    REQUIRE(y.size() == 3);
    CHECK(values<float>(y[0]) == std::vector<float>{0, 1, 6, 7});
    CHECK(values<float>(y[2]) == std::vector<float>{4, 5, 10, 11});
  }
  SECTION("sizes as attribute before opset 13") {
    auto y = run_op("Split", {in(x)}, {{"axis", attr_int(-1)}, {"split", attr_ints({2, 4})}}, 2, 11);
    REQUIRE(y[1].shape() == Shape{2, 4});
    CHECK(values<float>(y[0]) == std::vector<float>{0, 1, 6, 7});
    CHECK(values<float>(y[1]) == std::vector<float>{2, 3, 4, 5, 8, 9, 10, 11});
  }
  SECTION("sizes as input from opset 13, zero sizes allowed") {
    auto y = run_op("Split", {in(x), cst(ints({0, 1, 1}))}, {}, 3);
    CHECK(y[0].shape() == Shape{0, 6});
    CHECK(values<float>(y[2]) == std::vector<float>{6, 7, 8, 9, 10, 11});
  }
  SECTION("num_outputs from opset 18 leaves the last part smaller") {
    auto y = run_op("Split", {in(iota<int8_t>({5}))}, {{"num_outputs", attr_int(3)}}, 3, 18);
    CHECK(values<int8_t>(y[0]) == std::vector<int8_t>{0, 1});
    CHECK(values<int8_t>(y[1]) == std::vector<int8_t>{2, 3});
    CHECK(values<int8_t>(y[2]) == std::vector<int8_t>{4});
  }
  SECTION("errors") {
    CHECK_THROWS_AS(run_op("Split", {in(x), cst(ints({2, 3}))}, {{"axis", attr_int(1)}}, 2), FormatError);
    CHECK_THROWS_AS(run_op("Split", {in(x), cst(ints({3, -1, 4}))}, {{"axis", attr_int(1)}}, 3), FormatError);
    CHECK_THROWS_AS(run_op("Split", {in(x)}, {{"axis", attr_int(1)}}, 4), FormatError);  // 6 into 4
  }
}

TEST_CASE("Flatten at positive, zero and negative axes") {
  Tensor x = iota<uint8_t>({2, 3, 4});
  auto y = run_op("Flatten", {in(x)}, {{"axis", attr_int(0)}});
  CHECK(y[0].shape() == Shape{1, 24});
  y = run_op("Flatten", {in(x)}, {{"axis", attr_int(-1)}});
  CHECK(y[0].shape() == Shape{6, 4});
  CHECK(values<uint8_t>(y[0]) == values<uint8_t>(x));
  y = run_op("Flatten", {in(x)});
  CHECK(y[0].shape() == Shape{2, 12});
  CHECK_THROWS_AS(run_op("Flatten", {in(x)}, {{"axis", attr_int(4)}}), FormatError);
}

TEST_CASE("Reshape copies 0 dims, infers -1, honours allowzero") {
  Tensor x = iota<float>({2, 3, 4});
  auto y = run_op("Reshape", {in(x), cst(ints({0, -1}))});
  CHECK(y[0].shape() == Shape{2, 12});
  CHECK(values<float>(y[0]) == values<float>(x));
  y = run_op("Reshape", {in(x), cst(ints({4, 0, 2}))});  // the 0 copies input dim 1
  CHECK(y[0].shape() == Shape{4, 3, 2});
  y = run_op("Reshape", {in(Tensor(DType::Float32, {0, 3, 4})), cst(ints({3, 4, 0}))}, {{"allowzero", attr_int(1)}});
  CHECK(y[0].shape() == Shape{3, 4, 0});
}

TEST_CASE("Reshape errors") {
  Tensor x = iota<float>({2, 3, 4});
  CHECK_THROWS_AS(run_op("Reshape", {in(x), cst(ints({-1, -1}))}), FormatError);
  CHECK_THROWS_AS(run_op("Reshape", {in(x), cst(ints({5, -1}))}), FormatError);
  CHECK_THROWS_AS(run_op("Reshape", {in(x), cst(ints({2, 3, 5}))}), FormatError);
  CHECK_THROWS_AS(run_op("Reshape", {in(x), cst(ints({-2, 12}))}), FormatError);
  CHECK_THROWS_AS(run_op("Reshape", {in(x), cst(ints({0, -1}))}, {{"allowzero", attr_int(1)}}), FormatError);
}

TEST_CASE("Reshape to a shape given at run time replans for each new shape") {
  Tensor x = iota<float>({2, 3, 4});
  engine::Session s(one_node("Reshape", {in(x), in(ints({0, 0}))}, {}, 1, 13));
  CHECK(s.run(std::vector<Tensor>{x, ints({6, 4})})[0].shape() == Shape{6, 4});
  auto y = s.run(std::vector<Tensor>{x, ints({-1, 3})});
  CHECK(y[0].shape() == Shape{8, 3});
  CHECK(values<float>(y[0]) == values<float>(x));
  CHECK_THROWS_AS(s.run(std::vector<Tensor>{x, ints({5, -1})}), FormatError);
}

TEST_CASE("Transpose with default and explicit perm") {
  Tensor x = iota<int32_t>({2, 3, 4});
  auto y = run_op("Transpose", {in(x)});
  REQUIRE(y[0].shape() == Shape{4, 3, 2});
  // y[k][j][i] = x[i][j][k] = 12 i + 4 j + k
  std::vector<int32_t> want;
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i) want.push_back(12 * i + 4 * j + k);
  CHECK(values<int32_t>(y[0]) == want);

  y = run_op("Transpose", {in(x)}, {{"perm", attr_ints({1, 2, 0})}});
  REQUIRE(y[0].shape() == Shape{3, 4, 2});
  want.clear();
  for (int j = 0; j < 3; ++j)
    for (int k = 0; k < 4; ++k)
      for (int i = 0; i < 2; ++i) want.push_back(12 * i + 4 * j + k);
  CHECK(values<int32_t>(y[0]) == want);

  CHECK_THROWS_AS(run_op("Transpose", {in(x)}, {{"perm", attr_ints({0, 0, 1})}}), FormatError);
  CHECK_THROWS_AS(run_op("Transpose", {in(x)}, {{"perm", attr_ints({0, 1})}}), FormatError);
  CHECK_THROWS_AS(run_op("Transpose", {in(x)}, {{"perm", attr_ints({0, 1, 3})}}), FormatError);
}

TEST_CASE("Squeeze and Unsqueeze, axes as attribute or input") {
  Tensor x = iota<float>({1, 3, 1, 2});
  CHECK(run_op("Squeeze", {in(x)})[0].shape() == Shape{3, 2});
  CHECK(run_op("Squeeze", {in(x), cst(ints({-2}))})[0].shape() == Shape{1, 3, 2});
  CHECK(run_op("Squeeze", {in(x)}, {{"axes", attr_ints({0})}}, 1, 11)[0].shape() == Shape{3, 1, 2});
  auto y = run_op("Unsqueeze", {in(x), cst(ints({5, 0}))});
  CHECK(y[0].shape() == Shape{1, 1, 3, 1, 2, 1});
  CHECK(values<float>(y[0]) == values<float>(x));
  CHECK(run_op("Unsqueeze", {in(x)}, {{"axes", attr_ints({-1})}}, 1, 11)[0].shape() == Shape{1, 3, 1, 2, 1});

  CHECK_THROWS_AS(run_op("Squeeze", {in(x), cst(ints({1}))}), FormatError);     // dim of 3
  CHECK_THROWS_AS(run_op("Squeeze", {in(x), cst(ints({4}))}), FormatError);     // out of range
  CHECK_THROWS_AS(run_op("Squeeze", {in(x), cst(ints({0, -4}))}), FormatError);  // twice
  CHECK_THROWS_AS(run_op("Unsqueeze", {in(x), cst(ints({1, 1}))}), FormatError);
  CHECK_THROWS_AS(run_op("Unsqueeze", {in(x), cst(ints({6}))}), FormatError);
  CHECK_THROWS_AS(run_op("Unsqueeze", {in(x)}), FormatError);  // axes required from opset 13
}

TEST_CASE("Slice with negative steps, clamping and out-of-bounds starts") {
  const int64_t kMin = std::numeric_limits<int64_t>::min(), kMax = std::numeric_limits<int64_t>::max();
  Tensor x = iota<float>({10});
  SECTION("reverse every second element") {
    auto y = run_op("Slice", {in(x), cst(ints({-1})), cst(ints({kMin})), none(), cst(ints({-2}))});
    CHECK(values<float>(y[0]) == std::vector<float>{9, 7, 5, 3, 1});
  }
  SECTION("2-D, default axes and steps, ends clamped") {
    Tensor m = iota<int64_t>({3, 4});
    auto y = run_op("Slice", {in(m), cst(ints({1, 1})), cst(ints({1000, 3}))});
    REQUIRE(y[0].shape() == Shape{2, 2});
    CHECK(values<int64_t>(y[0]) == std::vector<int64_t>{5, 6, 9, 10});
    y = run_op("Slice", {in(m), cst(ints({kMax})), cst(ints({0})), cst(ints({-1})), cst(ints({-3}))});
    REQUIRE(y[0].shape() == Shape{3, 1});  // column 3 only: 3 - 3 = 0 is excluded
    CHECK(values<int64_t>(y[0]) == std::vector<int64_t>{3, 7, 11});
  }
  SECTION("a start past the end gives an empty slice") {
    auto y = run_op("Slice", {in(x), cst(ints({1000})), cst(ints({1001}))});
    CHECK(y[0].shape() == Shape{0});
    // As numpy's x[-100::-1]: a start before the first element, stepping back.
    y = run_op("Slice", {in(x), cst(ints({-100})), cst(ints({kMin})), none(), cst(ints({-1}))});
    CHECK(y[0].shape() == Shape{0});
  }
  SECTION("a step longer than the dim takes one element") {
    auto y = run_op("Slice", {in(x), cst(ints({2})), cst(ints({kMax})), cst(ints({0})), cst(ints({kMax}))});
    CHECK(values<float>(y[0]) == std::vector<float>{2});
  }
  SECTION("attributes before opset 10") {
    auto y = run_op("Slice", {in(x)}, {{"starts", attr_ints({-3})}, {"ends", attr_ints({kMax})}}, 1, 9);
    CHECK(values<float>(y[0]) == std::vector<float>{7, 8, 9});
  }
  SECTION("errors") {
    CHECK_THROWS_AS(run_op("Slice", {in(x), cst(ints({0})), cst(ints({5})), none(), cst(ints({0}))}), FormatError);
    CHECK_THROWS_AS(run_op("Slice", {in(x), cst(ints({0})), cst(ints({5, 6}))}), FormatError);
    CHECK_THROWS_AS(run_op("Slice", {in(x), cst(ints({0})), cst(ints({5})), cst(ints({1}))}), FormatError);
  }
}

TEST_CASE("Gather along an axis with 2-D, negative and int32 indices") {
  Tensor data = iota<float>({3, 4});
  auto y = run_op("Gather", {in(data), in(Tensor::from<int64_t>({2, 2}, {3, -4, 0, -1}))}, {{"axis", attr_int(1)}});
  REQUIRE(y[0].shape() == Shape{3, 2, 2});
  CHECK(values<float>(y[0]) == std::vector<float>{3, 0, 0, 3, 7, 4, 4, 7, 11, 8, 8, 11});
  y = run_op("Gather", {in(data), in(Tensor::from<int32_t>({2}, {2, -3}))});
  REQUIRE(y[0].shape() == Shape{2, 4});
  CHECK(values<float>(y[0]) == std::vector<float>{8, 9, 10, 11, 0, 1, 2, 3});
  y = run_op("Gather", {in(data), in(Tensor::scalar<int64_t>(1))});
  CHECK(y[0].shape() == Shape{4});
  CHECK(values<float>(y[0]) == std::vector<float>{4, 5, 6, 7});
}

TEST_CASE("Gather reports an out-of-range index at run time") {
  Tensor data = iota<float>({3, 4});
  engine::Session s(one_node("Gather", {in(data), in(ints({0, 0}))}, {}, 1, 13));
  std::vector<Tensor> y = s.run(std::vector<Tensor>{data, ints({2, -3})});
  CHECK(values<float>(y[0]) == std::vector<float>{8, 9, 10, 11, 0, 1, 2, 3});
  CHECK_THROWS_AS(s.run(std::vector<Tensor>{data, ints({0, 3})}), FormatError);
  CHECK_THROWS_AS(s.run(std::vector<Tensor>{data, ints({-4, 0})}), FormatError);
  CHECK_THROWS_AS(run_op("Gather", {in(data), in(ints({0}))}, {{"axis", attr_int(2)}}), FormatError);
  CHECK_THROWS_AS(run_op("Gather", {in(data), in(iota<float>({1}))}), FormatError);
}

TEST_CASE("Expand broadcasts both ways") {
  Tensor x = Tensor::from<bool>({3, 1}, {true, false, true});
  auto y = run_op("Expand", {in(x), cst(ints({2, 1, 2}))});
  REQUIRE(y[0].shape() == Shape{2, 3, 2});
  CHECK(values<bool>(y[0]) ==
        std::vector<bool>{true, true, false, false, true, true, true, true, false, false, true, true});
  Tensor z = Tensor::from<double>({3}, {1.5, 2.5, 3.5});
  y = run_op("Expand", {in(z), cst(ints({2, 1}))});
  REQUIRE(y[0].shape() == Shape{2, 3});
  CHECK(values<double>(y[0]) == std::vector<double>{1.5, 2.5, 3.5, 1.5, 2.5, 3.5});
  CHECK_THROWS_AS(run_op("Expand", {in(z), cst(ints({2}))}), FormatError);
}

TEST_CASE("Shape and Constant fold to initializers") {
  Tensor x = iota<float>({3, 4, 5});
  engine::Session s(one_node("Shape", {in(x)}, {{"start", attr_int(-2)}, {"end", attr_int(100)}}, 1, 15));
  CHECK(s.planned_graph().nodes.empty());
  CHECK(values<int64_t>(s.run({x})[0]) == std::vector<int64_t>{4, 5});
  CHECK(values<int64_t>(run_op("Shape", {in(x)}, {}, 1, 15)[0]) == std::vector<int64_t>{3, 4, 5});
  CHECK(run_op("Shape", {in(x)}, {{"start", attr_int(2)}, {"end", attr_int(1)}}, 1, 15)[0].shape() == Shape{0});

  Tensor v = Tensor::from<int8_t>({2}, {-7, 9});
  engine::Session c(one_node("Constant", {}, {{"value", attr_tensor(v)}}, 1, 13));
  CHECK(c.planned_graph().nodes.empty());
  CHECK(values<int8_t>(c.run(std::vector<Tensor>{})[0]) == std::vector<int8_t>{-7, 9});
  CHECK(values<int64_t>(run_op("Constant", {}, {{"value_ints", attr_ints({4, 5})}})[0]) ==
        std::vector<int64_t>{4, 5});
  CHECK(run_op("Constant", {}, {{"value_float", attr_float(2.5f)}})[0].data<float>()[0] == 2.5f);
  CHECK_THROWS_AS(run_op("Constant", {}), FormatError);
}

TEST_CASE("Identity and inference Dropout pass the input through") {
  Tensor x = Tensor::from<double>({2}, {-1.25, 3.5});
  CHECK(values<double>(run_op("Identity", {in(x)})[0]) == std::vector<double>{-1.25, 3.5});
  Tensor f = Tensor::from<float>({3}, {1, -2, 3});
  auto y = run_op("Dropout", {in(f)}, {}, 2);
  CHECK(values<float>(y[0]) == std::vector<float>{1, -2, 3});
  CHECK(values<bool>(y[1]) == std::vector<bool>{true, true, true});
  y = run_op("Dropout", {in(f)}, {{"ratio", attr_float(0.2f)}}, 1, 11);
  CHECK(values<float>(y[0]) == std::vector<float>{1, -2, 3});
  // training_mode with ratio 0 keeps everything, so it is still exact.
  y = run_op("Dropout", {in(f), in(Tensor::scalar<float>(0)), in(Tensor::scalar<bool>(true))}, {}, 2);
  CHECK(values<float>(y[0]) == std::vector<float>{1, -2, 3});
  CHECK(values<bool>(y[1]) == std::vector<bool>{true, true, true});
}

TEST_CASE("Dropout in training mode is unsupported") {
  Tensor f = Tensor::from<float>({3}, {1, -2, 3});
  Tensor on = Tensor::scalar<bool>(true);
  CHECK_THROWS_AS(run_op("Dropout", {in(f), in(Tensor::scalar<float>(0.5f)), in(on)}), UnsupportedError);
  CHECK_THROWS_AS(run_op("Dropout", {in(f), none(), cst(on)}), UnsupportedError);
  CHECK_THROWS_AS(run_op("Dropout", {in(f), cst(Tensor::scalar<float>(1.5f))}), FormatError);
}

TEST_CASE("exported shape arithmetic folds to a constant Reshape") {
  // y = x.reshape(x.shape[0], -1) as PyTorch exports it.
  Graph g;
  g.opset = 13;
  Tensor x = iota<float>({2, 3, 4});
  g.inputs.push_back(value_info("x", x));
  graph::ValueInfo out;
  out.name = "y";
  g.outputs.push_back(out);
  g.initializers["zero"] = Tensor::scalar<int64_t>(0);
  g.initializers["axes0"] = ints({0});
  g.initializers["minus1"] = ints({-1});
  auto add = [&g](const std::string& op, std::vector<std::string> ins, const std::string& y,
                  std::map<std::string, Attribute> attrs = {}) {
    Node n;
    n.op_type = op;
    n.name = y;
    n.inputs = std::move(ins);
    n.outputs = {y};
    n.attrs = std::move(attrs);
    g.nodes.push_back(n);
  };
  add("Shape", {"x"}, "s");
  add("Gather", {"s", "zero"}, "n", {{"axis", attr_int(0)}});
  add("Unsqueeze", {"n", "axes0"}, "n1");
  add("Concat", {"n1", "minus1"}, "target", {{"axis", attr_int(0)}});
  add("Reshape", {"x", "target"}, "y");
  engine::Session s(std::move(g));
  const Graph& planned = s.planned_graph();
  REQUIRE(planned.nodes.size() == 1);
  CHECK(planned.nodes[0].op_type == "Reshape");
  REQUIRE(planned.is_initializer("target"));
  CHECK(values<int64_t>(planned.initializers.at("target")) == std::vector<int64_t>{2, -1});
  auto y = s.run({x});
  REQUIRE(y[0].shape() == Shape{2, 12});
  CHECK(values<float>(y[0]) == values<float>(x));
}

TEST_CASE("strided_copy handles negative and zero strides over odd element sizes") {
  // Three-byte elements take the generic path.
  std::vector<uint8_t> src = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<uint8_t> dst(18, 0);
  // dst[i][j] = src[2 - j] for i < 2, j < 3: reversed, repeated rows.
  kernels::strided_copy(dst.data(), {3, 1}, src.data() + 6, {0, -1}, {2, 3}, 3);
  CHECK(dst == std::vector<uint8_t>{7, 8, 9, 4, 5, 6, 1, 2, 3, 7, 8, 9, 4, 5, 6, 1, 2, 3});
}
