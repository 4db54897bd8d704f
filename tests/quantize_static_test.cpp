// Static quantization: weights and biases against hand-computed codes, the
// rewritten graph's nodes and qparams, FP32 islands and --exclude, and the
// quantized digits model against PyTorch's FP32 logits.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "engine/session.h"
#include "graph/error.h"
#include "graph/npy.h"
#include "graph/octet_format.h"
#include "graph/onnx_import.h"
#include "graph/passes.h"
#include "quant/calibrate.h"
#include "quant/quantize_static.h"
#include "quant/quantize_weights.h"
#include "tests/quant_test_utils.h"
#include "tests/test_graphs.h"

using namespace octet;
using graph::DType;
using graph::Graph;
using graph::Node;
using graph::Tensor;
using quant::Range;
using octet::testing::float_value;
using octet::testing::make_node;
using octet::testing::op_keys;
using octet::testing::sqnr_db;
using octet::testing::values;
namespace fs = std::filesystem;

namespace {


Tensor conv_weight(float a, float b) {
  return Tensor::from<float>({2, 1, 1, 1}, {a, b});
}

// x -> Conv(+Relu) -> Softmax -> Conv -> y, 1x1 convs over 2 channels.
Graph conv_softmax_conv() {
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {1, 1, 2, 2}));
  g.outputs.push_back(float_value("y", {1, 2, 2, 2}));
  g.initializers["w1"] = conv_weight(0.5f, -1.0f);
  g.initializers["b1"] = Tensor::from<float>({2}, {0.1f, 0.2f});
  g.initializers["w2"] = Tensor::from<float>({2, 2, 1, 1}, {1.0f, 0.5f, -0.25f, 2.0f});
  g.nodes.push_back(make_node("Conv", {"x", "w1", "b1"}, {"c1"}));
  g.nodes.push_back(make_node("Relu", {"c1"}, {"r1"}));
  g.nodes.push_back(make_node("Softmax", {"r1"}, {"s"}));
  g.nodes.back().attrs["axis"] = graph::Attribute::of(int64_t{1});
  g.nodes.push_back(make_node("Conv", {"s", "w2"}, {"y"}));
  return quant::prepare_for_quantization(g);
}

std::map<std::string, Range> conv_softmax_conv_ranges() {
  return {{"x", {-1.0f, 1.0f}}, {"r1", {0.0f, 2.55f}}, {"s", {0.0f, 1.0f}}, {"y", {-2.0f, 2.0f}}};
}

float scalar_float(const Graph& g, const std::string& name) { return g.initializers.at(name).data<float>()[0]; }

}  // namespace

TEST_CASE("weights quantize per channel to symmetric int8 codes", "[quantize_static]") {
  const Tensor w = Tensor::from<float>({2, 1, 1, 3}, {0.5f, -1.27f, 0.1f, 2.54f, 0.0f, -0.3f});
  SECTION("per channel: scale amax / 127") {
    const quant::QuantizedWeights q = quant::quantize_weights(w, 0, true, false);
    CHECK(q.scales[0] == Approx(0.01f));
    CHECK(q.scales[1] == Approx(0.02f));
    CHECK(values<int8_t>(q.values) == std::vector<int8_t>{50, -127, 10, 127, 0, -15});
    CHECK(q.scale.shape() == graph::Shape{2});
    CHECK(values<int8_t>(q.zero_point) == std::vector<int8_t>{0, 0});
  }
  SECTION("per tensor: one scale, -63.5 rounds to even") {
    const quant::QuantizedWeights q = quant::quantize_weights(w, 0, false, false);
    CHECK(q.scale.rank() == 0);
    CHECK(values<int8_t>(q.values) == std::vector<int8_t>{25, -64, 5, 127, 0, -15});
  }
  SECTION("reduce range: 63 levels a side") {
    const quant::QuantizedWeights q = quant::quantize_weights(w, 0, true, true);
    CHECK(values<int8_t>(q.values) == std::vector<int8_t>{25, -63, 5, 63, 0, -7});
  }
  SECTION("output channels on axis 1 (a MatMul's [K, N])") {
    const Tensor kn = Tensor::from<float>({2, 2}, {1.27f, -0.3f, -0.5f, 2.54f});
    const quant::QuantizedWeights q = quant::quantize_weights(kn, 1, true, false);
    CHECK(values<int8_t>(q.values) == std::vector<int8_t>{127, -15, -50, 127});
  }
}

TEST_CASE("bias quantizes with scale x_scale * w_scale[c]", "[quantize_static]") {
  const Tensor b = Tensor::from<float>({3}, {0.3f, -1.0f, 1e9f});
  const Tensor q = quant::quantize_bias(b, 0.1f, {0.01f, 0.02f, 1e-6f});
  CHECK(values<int32_t>(q) == std::vector<int32_t>{300, -500, std::numeric_limits<int32_t>::max()});
  CHECK_THROWS_AS(quant::quantize_bias(b, 0.1f, {0.01f}), Error);
}

TEST_CASE("quantize_static wraps an op with no INT8 kernel in dequantize and quantize", "[quantize_static]") {
  quant::QuantizeSummary summary;
  const Graph q = quant::quantize_static(conv_softmax_conv(), conv_softmax_conv_ranges(), {}, &summary);
  CHECK(op_keys(q) == std::vector<std::string>{"QuantizeLinear", "QLinearConv", "DequantizeLinear", "Softmax",
                                               "QuantizeLinear", "QLinearConv", "DequantizeLinear"});
  CHECK(summary.int8_nodes == 2);
  CHECK(summary.fp32_nodes.empty());
  CHECK(summary.no_kernel == std::map<std::string, int>{{"Softmax", 1}});
  CHECK(summary.fp32_count() == 1);
  // x in [-1, 1]: scale 2/255; real 0 sits at 1 / float(2/255) = 127.49999
  // in float32 (the division choose_qparams does), so the zero point is 127,
  // as PyTorch's qmin - round(min / scale) also gives.
  CHECK(scalar_float(q, "x_scale") == Approx(2.0f / 255));
  CHECK(q.initializers.at("x_zero_point").data<uint8_t>()[0] == 127);
  // The fused Relu's range [0, 2.55] puts real 0 at code 0, and the clamp stays.
  CHECK(scalar_float(q, "r1_scale") == Approx(0.01f));
  CHECK(q.initializers.at("r1_zero_point").data<uint8_t>()[0] == 0);
  CHECK(q.nodes[1].attr_float(graph::kActivationMin, -1.0f) == 0.0f);
  // Bias of conv 1: 0.1 / (x_scale * 0.5 / 127), per channel.
  const std::vector<int32_t> bias = values<int32_t>(q.initializers.at("b1_quantized"));
  CHECK(bias == std::vector<int32_t>{static_cast<int32_t>(std::nearbyint(0.1 / ((2.0 / 255) * (0.5 / 127)))),
                                     static_cast<int32_t>(std::nearbyint(0.2 / ((2.0 / 255) * (1.0 / 127))))});
  // The float weights are gone; only their int8 twins are stored.
  CHECK(q.initializers.count("w1") == 0);
  CHECK(q.initializers.at("w2_quantized").dtype() == DType::Int8);
  CHECK(q.outputs[0].name == "y");
}

TEST_CASE("quantize_static keeps excluded nodes in FP32", "[quantize_static]") {
  quant::StaticQuantOptions options;
  options.exclude = {"c1"};  // the Conv keeps its name when Relu's output is fused into it
  quant::QuantizeSummary summary;
  const Graph q = quant::quantize_static(conv_softmax_conv(), conv_softmax_conv_ranges(), options, &summary);
  CHECK(op_keys(q) == std::vector<std::string>{"Conv", "Softmax", "QuantizeLinear", "QLinearConv", "DequantizeLinear"});
  CHECK(summary.fp32_nodes[0] == "Conv 'c1': excluded");
  options.exclude = {"no_such_node"};
  CHECK_THROWS_WITH(quant::quantize_static(conv_softmax_conv(), conv_softmax_conv_ranges(), options),
                    Catch::Contains("no_such_node"));
}

TEST_CASE("quantize_static leaves a node without a calibrated range in FP32", "[quantize_static]") {
  auto ranges = conv_softmax_conv_ranges();
  ranges.erase("y");
  const Graph q = quant::quantize_static(conv_softmax_conv(), ranges, {});
  CHECK(op_keys(q) == std::vector<std::string>{"QuantizeLinear", "QLinearConv", "DequantizeLinear", "Softmax", "Conv"});
}

TEST_CASE("values_to_calibrate lists the activations around quantizable nodes", "[quantize_static]") {
  const auto v = quant::values_to_calibrate(conv_softmax_conv(), {});
  CHECK(v == std::vector<std::string>{"x", "r1", "s", "y"});
}

namespace {

const std::string kDigits = std::string(OCTET_SOURCE_DIR) + "/models/bundled/";

Graph quantized_digits(const quant::StaticQuantOptions& options, quant::QuantizeSummary* summary = nullptr) {
  const Graph g = quant::prepare_for_quantization(graph::import_onnx_file(kDigits + "digits_cnn.onnx"));
  engine::Session fp32(g);
  quant::StackedNpySource samples(kDigits + "digits_input.npy", fp32.inputs());
  quant::CalibrationOptions calibration;
  calibration.values = quant::values_to_calibrate(g, options);
  const auto ranges = quant::calibrate(fp32, samples, calibration);
  return quant::quantize_static(g, ranges, options, summary);
}


int top1_agreement(const Tensor& a, const Tensor& b) {
  const int64_t rows = a.dim(0), cols = a.dim(1);
  int agree = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const float* pa = a.data<float>() + r * cols;
    const float* pb = b.data<float>() + r * cols;
    agree += std::max_element(pa, pa + cols) - pa == std::max_element(pb, pb + cols) - pb;
  }
  return agree;
}

}  // namespace

TEST_CASE("the quantized digits CNN stays close to PyTorch's FP32 logits", "[quantize_static]") {
  const Tensor x = graph::read_npy(kDigits + "digits_input.npy");
  const Tensor expected = graph::read_npy(kDigits + "digits_expected.npy");
  quant::StaticQuantOptions options;
  SECTION("uint8 activations, per-channel weights") {}
  SECTION("int8 activations") { options.activations.dtype = DType::Int8; }
  SECTION("per-tensor, reduced-range weights") {
    options.per_channel = false;
    options.reduce_range = true;
  }
  quant::QuantizeSummary summary;
  const Graph q = quantized_digits(options, &summary);
  CHECK(summary.fp32_count() == 0);
  // The classifier Gemm dequantizes in its epilogue: no DequantizeLinear.
  CHECK(op_keys(q) == std::vector<std::string>{"QuantizeLinear", "QLinearConv", "QLinearConv", "MaxPool", "Flatten",
                                               "com.microsoft:QGemm"});
  engine::Session s(q);
  const Tensor y = s.run({x})[0];
  // 8-bit codes give about 6 dB per bit; four requantized layers measured
  // 30-40 dB here, so 25 dB fails on a wrong scale or a dropped bias.
  CHECK(sqnr_db(expected, y) > 25.0);
  CHECK(top1_agreement(expected, y) >= 15);
}

TEST_CASE("a quantized model saved as .octet runs bit-identically", "[quantize_static]") {
  const Graph q = quantized_digits({});
  const fs::path path = fs::temp_directory_path() / "octet_quantize_static_test.octet";
  graph::save_octet(q, path.string());
  const Tensor x = graph::read_npy(kDigits + "digits_input.npy");
  const Tensor a = engine::Session(q).run({x})[0];
  const Tensor b = engine::Session::from_file(path.string()).run({x})[0];
  fs::remove(path);
  CHECK(values<float>(a) == values<float>(b));
}

TEST_CASE("MaxPool and Flatten keep their input's qparams", "[quantize_static]") {
  const Graph q = quantized_digits({});
  auto base = [](const std::string& quantized) { return quantized.substr(0, quantized.size() - 10); };
  int checked = 0;
  for (const Node& n : q.nodes) {
    if (n.op_type != "MaxPool" && n.op_type != "Flatten") continue;
    const std::string in = base(n.inputs[0]), out = base(n.outputs[0]);
    CHECK(scalar_float(q, in + "_scale") == scalar_float(q, out + "_scale"));
    CHECK(q.initializers.at(in + "_zero_point").data<uint8_t>()[0] ==
          q.initializers.at(out + "_zero_point").data<uint8_t>()[0]);
    ++checked;
  }
  CHECK(checked == 2);
}
