// QDQ import (quant/import_qdq.h) on hand-built QDQ groups: what fuses,
// what stays FP32 and why, and a float bias quantized to x_scale * w_scale.
// The round trip of export-qdq models is in export_qdq_test.cpp.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/session.h"
#include "quant/import_qdq.h"
#include "tests/quant_test_utils.h"

using namespace octet;
using graph::Attribute;
using graph::DType;
using graph::Graph;
using graph::Node;
using graph::Tensor;
using octet::testing::op_keys;
using octet::testing::sqnr_db;

namespace {

Node node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out) {
  Node n;
  n.op_type = op;
  n.name = op + "_" + out[0];
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

// x [1, 2, 4, 4] float -> QuantizeLinear -> DequantizeLinear -> "xd", the
// start of each test graph.
Graph quantized_input() {
  Graph g;
  g.opset = 13;
  graph::ValueInfo x;
  x.name = "x";
  x.dtype = DType::Float32;
  x.shape = {1, 2, 4, 4};
  g.inputs = {x};
  g.initializers["xs"] = Tensor::scalar<float>(0.05f);
  g.initializers["xz"] = Tensor::scalar<uint8_t>(128);
  g.nodes.push_back(node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"}));
  g.nodes.push_back(node("DequantizeLinear", {"xq", "xs", "xz"}, {"xd"}));
  return g;
}

// x [1, 2, 4, 4] float -> Q -> DQ -> Conv 3x3 pad 1 (w int8 per channel
// axis 0, bias float) -> Q -> DQ -> "y". `extra_reader` adds a second
// reader of the Conv's float output (a graph output).
Graph qdq_conv(bool extra_reader, int64_t weight_axis = 0) {
  Graph g = quantized_input();
  std::vector<int8_t> w(3 * 2 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(static_cast<int>(i * 37 % 255) - 127);
  g.initializers["wq"] = Tensor::from<int8_t>({3, 2, 3, 3}, w);
  g.initializers["ws"] = Tensor::from<float>({3}, {0.01f, 0.02f, 0.015f});
  g.initializers["wz"] = Tensor::from<int8_t>({3}, {0, 0, 0});
  g.initializers["b"] = Tensor::from<float>({3}, {0.1234f, -0.5f, 0.02f});
  g.initializers["ys"] = Tensor::scalar<float>(0.1f);
  g.initializers["yz"] = Tensor::scalar<uint8_t>(100);
  Node dw = node("DequantizeLinear", {"wq", "ws", "wz"}, {"wd"});
  dw.attrs["axis"] = Attribute::of(weight_axis);
  g.nodes.push_back(dw);
  Node conv = node("Conv", {"xd", "wd", "b"}, {"c"});
  conv.attrs["pads"] = Attribute::of(std::vector<int64_t>{1, 1, 1, 1});
  g.nodes.push_back(conv);
  g.nodes.push_back(node("QuantizeLinear", {"c", "ys", "yz"}, {"cq"}));
  g.nodes.push_back(node("DequantizeLinear", {"cq", "ys", "yz"}, {"y"}));
  graph::ValueInfo y;
  y.name = "y";
  g.outputs = {y};
  if (extra_reader) {
    graph::ValueInfo c;
    c.name = "c";
    g.outputs.push_back(c);
  }
  return g;
}

Tensor input() {
  std::vector<float> v(32);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(std::sin(0.7 * i)) * 3.0f;
  return Tensor::from<float>({1, 2, 4, 4}, v);
}

}  // namespace

TEST_CASE("QDQ import fuses a Conv group and quantizes its float bias to x_scale * w_scale", "[import_qdq]") {
  const Graph qdq = qdq_conv(false);
  Graph g = qdq;
  const quant::QdqImportReport r = quant::import_qdq(g);
  CHECK(r.fused == std::vector<std::string>{"Conv_c"});
  CHECK(r.left_float.empty());
  CHECK(op_keys(g) == std::vector<std::string>{"QuantizeLinear", "QLinearConv", "DequantizeLinear"});
  const Node& conv = g.nodes[1];
  REQUIRE(conv.inputs.size() == 9);
  const Tensor& bias = g.initializers.at(conv.inputs[8]);
  REQUIRE(bias.dtype() == DType::Int32);
  // round_half_even(b / (0.05 * w_scale)), in float as the scales are.
  const float b[3] = {0.1234f, -0.5f, 0.02f}, ws[3] = {0.01f, 0.02f, 0.015f};
  for (int c = 0; c < 3; ++c)
    CHECK(bias.data<int32_t>()[c] == static_cast<int32_t>(std::nearbyint(double(b[c]) / double(0.05f * ws[c]))));
  CHECK(conv.inputs[6] == "ys");
  CHECK(conv.inputs[7] == "yz");
  // The float ops between DequantizeLinear and QuantizeLinear compute the
  // same codes but for float rounding: within a code now and then.
  const Tensor x = input();
  CHECK(sqnr_db(engine::Session(qdq).run({x})[0], engine::Session(g).run({x})[0]) > 40.0);
}

TEST_CASE("QDQ import leaves a group FP32 and says why when it does not match", "[import_qdq]") {
  SECTION("the float output has a second reader") {
    Graph g = qdq_conv(true);
    const quant::QdqImportReport r = quant::import_qdq(g);
    CHECK(r.fused.empty());
    REQUIRE(r.left_float.size() == 1);
    CHECK(r.left_float[0].find("exactly one QuantizeLinear") != std::string::npos);
    CHECK(op_keys(g) == op_keys(qdq_conv(true)));
  }
  SECTION("weights per channel along the input channels") {
    Graph g = qdq_conv(false, 1);
    const quant::QdqImportReport r = quant::import_qdq(g);
    REQUIRE(r.left_float.size() == 1);
    CHECK(r.left_float[0].find("axis other than 0") != std::string::npos);
  }
  SECTION("a scale that is not a constant") {
    Graph g = qdq_conv(false);
    g.initializers.erase("ws");
    graph::ValueInfo ws;
    ws.name = "ws";
    ws.dtype = DType::Float32;
    ws.shape = {3};
    g.inputs.push_back(ws);
    const quant::QdqImportReport r = quant::import_qdq(g);
    REQUIRE(r.left_float.size() == 1);
    CHECK(r.left_float[0].find("not a constant") != std::string::npos);
  }
}

TEST_CASE("QDQ import leaves a graph without DequantizeLinear as it is", "[import_qdq]") {
  Graph g = qdq_conv(false);
  g.nodes = {node("Relu", {"x"}, {"y"})};
  const Graph before = g;
  const quant::QdqImportReport r = quant::import_qdq(g);
  CHECK(r.fused.empty());
  CHECK(r.left_float.empty());
  CHECK(op_keys(g) == op_keys(before));
}

// Eager-mode QAT exports put MaxPool and Flatten between the fake
// quantizers: DQ -> MaxPool -> Flatten -> Gemm. The DequantizeLinear moves
// below them onto the 8-bit codes, and the Gemm group fuses.
TEST_CASE("QDQ import moves DequantizeLinear below MaxPool and Flatten", "[import_qdq]") {
  Graph g = quantized_input();
  std::vector<int8_t> w(3 * 8);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(static_cast<int>(i * 53 % 255) - 127);
  g.initializers["wq"] = Tensor::from<int8_t>({3, 8}, w);
  g.initializers["ws"] = Tensor::scalar<float>(0.02f);
  g.initializers["wz"] = Tensor::scalar<int8_t>(0);
  g.initializers["b"] = Tensor::from<float>({3}, {0.25f, -0.125f, 0.5f});
  g.initializers["ys"] = Tensor::scalar<float>(0.1f);
  g.initializers["yz"] = Tensor::scalar<uint8_t>(120);
  Node pool = node("MaxPool", {"xd"}, {"p"});
  pool.attrs["kernel_shape"] = Attribute::of(std::vector<int64_t>{2, 2});
  pool.attrs["strides"] = Attribute::of(std::vector<int64_t>{2, 2});
  g.nodes.push_back(pool);
  g.nodes.push_back(node("Flatten", {"p"}, {"f"}));
  g.nodes.push_back(node("DequantizeLinear", {"wq", "ws", "wz"}, {"wd"}));
  Node gemm = node("Gemm", {"f", "wd", "b"}, {"g"});
  gemm.attrs["transB"] = Attribute::of(int64_t{1});
  g.nodes.push_back(gemm);
  g.nodes.push_back(node("QuantizeLinear", {"g", "ys", "yz"}, {"gq"}));
  g.nodes.push_back(node("DequantizeLinear", {"gq", "ys", "yz"}, {"y"}));
  graph::ValueInfo y;
  y.name = "y";
  g.outputs = {y};
  const Graph qdq = g;
  const quant::QdqImportReport r = quant::import_qdq(g);
  CHECK(r.fused == std::vector<std::string>{"Gemm_g"});
  CHECK(op_keys(g) ==
        std::vector<std::string>{"QuantizeLinear", "MaxPool", "Flatten", "com.microsoft:QGemm", "DequantizeLinear"});
  const Tensor in = input();
  CHECK(sqnr_db(engine::Session(qdq).run({in})[0], engine::Session(g).run({in})[0]) > 40.0);
}

namespace {

// xd [1, 2, 4, 4] -> MatMul
// with B [4, 3] (int8 per column) -> "y", a float graph output nobody
// quantizes, as ONNX Runtime's quantizer leaves a model's last MatMul.
Graph qdq_matmul_float_output(std::vector<int64_t> b_shape) {
  Graph g = quantized_input();
  const int64_t count = b_shape[0] * (b_shape.size() > 1 ? b_shape[1] : 1);
  std::vector<int8_t> b(static_cast<size_t>(count));
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<int8_t>(static_cast<int>(i * 53 % 255) - 127);
  g.initializers["bq"] = Tensor::from<int8_t>(b_shape, b);
  g.initializers["bs"] = b_shape.size() > 1 ? Tensor::from<float>({3}, {0.01f, 0.03f, 0.002f}) : Tensor::scalar<float>(0.01f);
  g.initializers["bz"] = b_shape.size() > 1 ? Tensor::from<int8_t>({3}, {0, 0, 0}) : Tensor::scalar<int8_t>(0);
  g.nodes.push_back(node("DequantizeLinear", {"bq", "bs", "bz"}, {"bd"}));
  g.nodes.push_back(node("MatMul", {"xd", "bd"}, {"y"}));
  graph::ValueInfo y;
  y.name = "y";
  g.outputs = {y};
  return g;
}

}  // namespace

TEST_CASE("QDQ import makes a float-output MatMul MatMulIntegerToFloat", "[import_qdq]") {
  const Graph qdq = qdq_matmul_float_output({4, 3});
  Graph g = qdq;
  const quant::QdqImportReport r = quant::import_qdq(g);
  CHECK(r.fused == std::vector<std::string>{"MatMul_y"});
  CHECK(op_keys(g) == std::vector<std::string>{"QuantizeLinear", "com.microsoft:MatMulIntegerToFloat"});
  // The same products: the integer sum scaled once against the float sum of
  // dequantized terms, which rounds each term (a few ulp of the largest).
  const Tensor x = input(), want = engine::Session(qdq).run({x})[0], got = engine::Session(g).run({x})[0];
  REQUIRE(got.shape() == want.shape());
  float largest = 0;
  for (int64_t i = 0; i < want.numel(); ++i) largest = std::max(largest, std::abs(want.data<float>()[i]));
  for (int64_t i = 0; i < want.numel(); ++i) CHECK(std::abs(got.data<float>()[i] - want.data<float>()[i]) <= 1e-6f * largest);
  SECTION("a 1-D B stays FP32, with the reason") {
    Graph v = qdq_matmul_float_output({4});
    const quant::QdqImportReport rv = quant::import_qdq(v);
    REQUIRE(rv.left_float.size() == 1);
    CHECK(rv.left_float[0].find("constant [K, N] B") != std::string::npos);
  }
}
