// Hostile models (issue 10): each case a crafted or damaged graph that must
// be refused with octet::Error naming what is wrong and where, before any
// allocation it would need: shapes whose products overflow, negative dims,
// cycles, duplicate names, missing values, zero / NaN / infinite scales,
// zero points outside their type, absurd attributes, and models whose
// activations exceed the session's limit.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "engine/session.h"
#include "graph/error.h"
#include "tests/test_graphs.h"

using namespace octet;
using graph::Attribute;
using graph::DType;
using graph::Graph;
using graph::Tensor;
using octet::testing::float_value;
using octet::testing::make_node;

namespace {

// The message of the octet::Error that planning (and, when planning passes,
// one run on zero inputs) throws; "" when nothing is thrown.
std::string refusal(Graph g, engine::SessionOptions options = {}) {
  try {
    engine::Session s(std::move(g), options);
    std::vector<Tensor> inputs;
    for (const auto& v : s.inputs()) inputs.emplace_back(v.dtype, v.shape);
    s.run(inputs);
  } catch (const octet::Error& e) {
    return e.what();
  }
  return "";
}

Graph one_node(const std::string& op, graph::Shape x_shape) {
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", std::move(x_shape)));
  g.outputs.push_back(float_value("y", {}));
  g.nodes.push_back(make_node(op, {"x"}, {"y"}));
  return g;
}

// y = QuantizeLinear(x, scale, zero_point) with the given constants.
Graph quantize(Tensor scale, Tensor zero_point) {
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {1, 4}));
  g.outputs.push_back(float_value("y", {}));
  g.initializers["s"] = std::move(scale);
  g.initializers["z"] = std::move(zero_point);
  g.nodes.push_back(make_node("QuantizeLinear", {"x", "s", "z"}, {"y"}));
  return g;
}

// y = MaxPool(x) with the given attributes, x [1, 1, 5, 5].
Graph max_pool(std::map<std::string, Attribute> attrs) {
  Graph g = one_node("MaxPool", {1, 1, 5, 5});
  g.nodes[0].attrs = std::move(attrs);
  return g;
}

}  // namespace

TEST_CASE("hostile: shapes whose element count overflows 64 bits", "[hostile]") {
  const int64_t big = int64_t{1} << 40;
  CHECK_THAT(refusal(one_node("Relu", {big, big, big})), Catch::Contains("too many elements"));
  CHECK_THAT(refusal(one_node("Relu", {std::numeric_limits<int64_t>::max(), 2})), Catch::Contains("too many elements"));
}

TEST_CASE("hostile: negative dims other than symbolic ones", "[hostile]") {
  Graph g = one_node("Relu", {2, 3});
  g.initializers["w"] = Tensor(DType::Float32, {0});
  g.nodes.push_back(make_node("Reshape", {"y", "shape"}, {"z"}));
  g.initializers["shape"] = Tensor::from<int64_t>({2}, {-3, 2});
  g.outputs[0].name = "z";
  CHECK_THAT(refusal(g), Catch::Contains("Reshape") && Catch::Contains("-3"));
}

TEST_CASE("hostile: a node reading its own output, and a cycle of two", "[hostile]") {
  Graph self = one_node("Add", {2});
  self.nodes[0].inputs = {"x", "y"};
  CHECK_THAT(refusal(self), Catch::Contains("cycle") || Catch::Contains("'y'"));
  Graph two;
  two.opset = 13;
  two.inputs.push_back(float_value("x", {2}));
  two.outputs.push_back(float_value("b", {}));
  two.nodes.push_back(make_node("Add", {"x", "b"}, {"a"}));
  two.nodes.push_back(make_node("Relu", {"a"}, {"b"}));
  CHECK_THAT(refusal(two), Catch::Contains("cycle"));
}

TEST_CASE("hostile: duplicate names", "[hostile]") {
  Graph twice = one_node("Relu", {2});
  twice.nodes.push_back(make_node("Neg", {"x"}, {"y"}));
  CHECK_THAT(refusal(twice), Catch::Contains("'y'") && Catch::Contains("more than once"));
  Graph shadow = one_node("Relu", {2});
  shadow.initializers["y"] = Tensor::from<float>({2}, {1.f, 2.f});  // an initializer a node also writes
  CHECK_THAT(refusal(shadow), Catch::Contains("'y'"));
  Graph input_twice = one_node("Relu", {2});
  input_twice.inputs.push_back(float_value("x", {2}));
  CHECK_THAT(refusal(input_twice), Catch::Contains("'x'"));
}

TEST_CASE("hostile: a value nobody produces (a missing initializer)", "[hostile]") {
  Graph g = one_node("Add", {2});
  g.nodes[0].inputs = {"x", "bias"};
  CHECK_THAT(refusal(g), Catch::Contains("'bias'"));
}

TEST_CASE("hostile: zero, NaN and infinite scales", "[hostile]") {
  const Tensor zp = Tensor::from<uint8_t>({}, {128});
  for (float bad : {0.0f, -0.5f, std::nanf(""), std::numeric_limits<float>::infinity()}) {
    INFO("scale " << bad);
    CHECK_THAT(refusal(quantize(Tensor::from<float>({}, {bad}), zp)),
               Catch::Contains("QuantizeLinear") && Catch::Contains("scale"));
  }
  CHECK(refusal(quantize(Tensor::from<float>({}, {0.5f}), zp)).empty());
  // A scale that only multiplies may be 0 (a pruned channel), never negative or NaN.
  auto dequantize = [](float scale) {
    Graph g;
    g.opset = 13;
    g.inputs.push_back({"q", DType::UInt8, {1, 4}, {}, true});
    g.outputs.push_back(float_value("y", {}));
    g.initializers["s"] = Tensor::from<float>({}, {scale});
    g.nodes.push_back(make_node("DequantizeLinear", {"q", "s"}, {"y"}));
    return g;
  };
  CHECK(refusal(dequantize(0.0f)).empty());
  CHECK_THAT(refusal(dequantize(-1.0f)), Catch::Contains("DequantizeLinear") && Catch::Contains("not negative"));
  CHECK_THAT(refusal(dequantize(std::nanf(""))), Catch::Contains("DequantizeLinear") && Catch::Contains("scale"));
}

TEST_CASE("hostile: zero points outside their type", "[hostile]") {
  // An int32 zero point is ONNX's for int32 outputs only; for a uint8
  // QuantizeLinear the zero point's type decides the output, so the
  // out-of-range case is a per-channel list whose length is wrong and a
  // zero point that does not match the scale's shape.
  const Tensor scales = Tensor::from<float>({2}, {0.5f, 0.25f});
  CHECK_THAT(refusal(quantize(scales, Tensor::from<uint8_t>({3}, {1, 2, 3}))), Catch::Contains("zero"));
}

TEST_CASE("hostile: absurd window attributes", "[hostile]") {
  using V = std::vector<int64_t>;
  CHECK_THAT(refusal(max_pool({{"kernel_shape", Attribute::of(V{0, 3})}})), Catch::Contains("kernel"));
  CHECK_THAT(refusal(max_pool({{"kernel_shape", Attribute::of(V{3, 3})}, {"strides", Attribute::of(V{0, 1})}})),
             Catch::Contains("stride"));
  CHECK_THAT(refusal(max_pool({{"kernel_shape", Attribute::of(V{3, 3})}, {"pads", Attribute::of(V{9, 0, 9, 0})}})),
             Catch::Contains("pad"));
  CHECK_THAT(refusal(max_pool({{"kernel_shape", Attribute::of(V{3, 3})}, {"dilations", Attribute::of(V{-1, 1})}})),
             Catch::Contains("dilation"));
  CHECK_THAT(refusal(max_pool({{"kernel_shape", Attribute::of(V{int64_t{1} << 62, 1})}})),
             Catch::Contains("kernel"));
}

TEST_CASE("hostile: absurd convolution attributes and weights", "[hostile]") {
  using V = std::vector<int64_t>;
  auto conv = [](graph::Shape w_shape, std::map<std::string, Attribute> attrs) {
    Graph g = one_node("Conv", {1, 1, 5, 5});
    g.nodes[0].inputs.push_back("w");
    g.nodes[0].attrs = std::move(attrs);
    g.initializers["w"] = Tensor(DType::Float32, std::move(w_shape));
    return g;
  };
  CHECK_THAT(refusal(conv({1, 1, 3, 3}, {{"strides", Attribute::of(V{0, 1})}})), Catch::Contains("stride"));
  CHECK_THAT(refusal(conv({1, 1, 0, 3}, {})), Catch::Contains("Conv 'y'"));
  CHECK_THAT(refusal(conv({1, 1, 3, 3}, {{"group", Attribute::of(int64_t{0})}})), Catch::Contains("group"));
  CHECK_THAT(refusal(conv({1, 1, 9, 9}, {})), Catch::Contains("Conv 'y'"));  // a kernel larger than the input
}

TEST_CASE("hostile: activations over the session's limit are refused before allocating", "[hostile]") {
  // A 1 KiB model whose single input is 64 GiB: refused at load, not allocated.
  CHECK_THAT(refusal(one_node("Relu", {1 << 16, 1 << 18})), Catch::Contains("limit"));
  // Within the default limit, but not within a tighter one.
  engine::SessionOptions tight;
  tight.max_activation_bytes = 1 << 20;
  CHECK(refusal(one_node("Relu", {256, 512})).empty());
  CHECK_THAT(refusal(one_node("Relu", {256, 2048}), tight), Catch::Contains("limit") && Catch::Contains("1048576"));
  // A constant folded at plan time counts too: one float expanded to 2^36.
  Graph folded = one_node("Relu", {2});
  folded.initializers["one"] = Tensor::from<float>({1}, {1.f});
  folded.initializers["big"] = Tensor::from<int64_t>({2}, {1 << 18, 1 << 18});
  folded.nodes.push_back(make_node("Expand", {"one", "big"}, {"c"}));
  folded.outputs.push_back(float_value("c", {}));
  CHECK_THAT(refusal(folded), Catch::Contains("Expand 'c'") && Catch::Contains("limit"));
}
