// quant::quantized_values on hand-built graphs: which `v_quantized` values
// it pairs with their float value, the qparams it reads, and the malformed
// qparams it refuses.
#include <catch2/catch.hpp>
#include <string>

#include "graph/error.h"
#include "quant/quantized_values.h"
#include "tests/test_graphs.h"

using namespace octet;
using graph::DType;
using graph::Graph;
using graph::Tensor;
using octet::testing::float_value;
using octet::testing::make_node;

namespace {

// x -> QuantizeLinear -> x_quantized -> DequantizeLinear -> xd -> Relu -> r
//   -> QuantizeLinear -> r_quantized (int8) -> DequantizeLinear -> y,
// plus decoys: an initializer named like a quantized value, a quantized
// value without a zero point, and a value named only "_quantized".
Graph quantized_chain() {
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {2, 3}));
  g.outputs.push_back(float_value("y", {2, 3}));
  g.initializers["x_scale"] = Tensor::scalar<float>(0.5f);
  g.initializers["x_zero_point"] = Tensor::scalar<uint8_t>(128);
  g.initializers["r_scale"] = Tensor::scalar<float>(0.25f);
  g.initializers["r_zero_point"] = Tensor::scalar<int8_t>(-3);
  g.initializers["w_quantized"] = Tensor::from<int8_t>({2}, {1, 2});
  g.initializers["w_scale"] = Tensor::scalar<float>(0.1f);
  g.initializers["w_zero_point"] = Tensor::scalar<int8_t>(0);
  g.initializers["m_scale"] = Tensor::scalar<float>(0.1f);
  g.nodes.push_back(make_node("QuantizeLinear", {"x", "x_scale", "x_zero_point"}, {"x_quantized"}));
  g.nodes.push_back(make_node("DequantizeLinear", {"x_quantized", "x_scale", "x_zero_point"}, {"xd"}));
  g.nodes.push_back(make_node("Relu", {"xd"}, {"r"}));
  g.nodes.push_back(make_node("QuantizeLinear", {"r", "r_scale", "r_zero_point"}, {"r_quantized"}));
  g.nodes.push_back(make_node("QuantizeLinear", {"r", "m_scale"}, {"m_quantized"}));
  g.nodes.push_back(make_node("QuantizeLinear", {"r", "r_scale", "r_zero_point"}, {"_quantized"}));
  g.nodes.push_back(make_node("DequantizeLinear", {"r_quantized", "r_scale", "r_zero_point"}, {"y"}));
  return g;
}

}  // namespace

TEST_CASE("quantized_values: pairs node-produced v_quantized with v and its qparams", "[quantized_values]") {
  auto found = quant::quantized_values(quantized_chain());
  REQUIRE(found.size() == 2);
  REQUIRE(found.count("x") == 1);
  CHECK(found["x"].quantized == "x_quantized");
  CHECK(found["x"].scale == 0.5f);
  CHECK(found["x"].zero_point == 128);
  CHECK(found["x"].dtype == DType::UInt8);
  REQUIRE(found.count("r") == 1);
  CHECK(found["r"].quantized == "r_quantized");
  CHECK(found["r"].scale == 0.25f);
  CHECK(found["r"].zero_point == -3);
  CHECK(found["r"].dtype == DType::Int8);
}

TEST_CASE("quantized_values: an empty or float graph has none", "[quantized_values]") {
  CHECK(quant::quantized_values(Graph{}).empty());
  Graph g;
  g.inputs.push_back(float_value("x", {2}));
  g.nodes.push_back(make_node("Relu", {"x"}, {"y"}));
  CHECK(quant::quantized_values(g).empty());
}

namespace {

// The FormatError's message, or "" when none is thrown.
std::string format_error(const Graph& g) {
  try {
    quant::quantized_values(g);
  } catch (const FormatError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("quantized_values: malformed qparams are refused by name", "[quantized_values]") {
  using Catch::Contains;
  Graph g = quantized_chain();
  g.initializers["r_scale"] = Tensor::from<float>({2}, {0.25f, 0.5f});
  CHECK_THAT(format_error(g), Contains("'r_scale'") && Contains("per-tensor"));
  g = quantized_chain();
  g.initializers["x_scale"] = Tensor::scalar<float>(0.0f);
  CHECK_THAT(format_error(g), Contains("'x_scale' is not a finite positive"));
  g = quantized_chain();
  g.initializers["x_zero_point"] = Tensor::scalar<int32_t>(5);
  CHECK_THAT(format_error(g), Contains("'x_zero_point'") && Contains("int32"));
}
