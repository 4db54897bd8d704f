// Dynamic quantization: the rewritten graph (weights transposed to [K, N]
// and quantized per column, alpha and beta folded, the fused activation as a
// Clip), and outputs against the FP32 model.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "engine/session.h"
#include "graph/error.h"
#include "graph/npy.h"
#include "graph/onnx_import.h"
#include "graph/passes.h"
#include "quant/quantize_dynamic.h"
#include "tests/quant_test_utils.h"
#include "tests/test_graphs.h"

using namespace octet;
using graph::DType;
using graph::Graph;
using graph::Node;
using graph::Tensor;
using octet::testing::float_value;
using octet::testing::make_node;
using octet::testing::op_keys;
using octet::testing::sqnr_db;
using octet::testing::values;

namespace {


// y = Relu(2 * x B^T + 0.5 * c): Gemm transB with alpha, beta and Relu fused.
Graph gemm_relu() {
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {3, 2}));
  g.outputs.push_back(float_value("y", {3, 2}));
  g.initializers["b"] = Tensor::from<float>({2, 2}, {0.5f, -1.27f, 0.254f, 0.1f});  // [N, K]
  g.initializers["c"] = Tensor::from<float>({2}, {0.2f, -0.4f});
  Node n = make_node("Gemm", {"x", "b", "c"}, {"g"});
  n.attrs["transB"] = graph::Attribute::of(int64_t{1});
  n.attrs["alpha"] = graph::Attribute::of(2.0f);
  n.attrs["beta"] = graph::Attribute::of(0.5f);
  g.nodes.push_back(n);
  g.nodes.push_back(make_node("Relu", {"g"}, {"y"}));
  return quant::prepare_for_quantization(g);
}


}  // namespace

TEST_CASE("quantize_dynamic: Gemm becomes DynamicQuantizeMatMul with folded alpha, beta and Relu", "[quantize_dynamic]") {
  quant::QuantizeSummary summary;
  const Graph q = quant::quantize_dynamic(gemm_relu(), {}, &summary);
  CHECK(op_keys(q) == std::vector<std::string>{"com.microsoft:DynamicQuantizeMatMul", "Clip"});
  CHECK(summary.int8_nodes == 1);
  // B^T * alpha = [[1, 0.508], [-2.54, 0.2]] as [K, N]; per column amax
  // 2.54 and 0.508, scales amax / 127.
  CHECK(values<int8_t>(q.initializers.at("b_quantized")) == std::vector<int8_t>{50, 127, -127, 50});
  const std::vector<float> scales = values<float>(q.initializers.at("b_scale"));
  CHECK(scales[0] == Approx(2.54f / 127));
  CHECK(scales[1] == Approx(0.508f / 127));
  CHECK(values<float>(q.initializers.at("c_bias")) == std::vector<float>{0.1f, -0.2f});
  CHECK(q.initializers.count("b") == 0);
  CHECK(q.nodes[1].inputs[1] != "");   // Relu's floor
  CHECK(q.nodes[1].inputs[2].empty());  // no ceiling
  CHECK(q.nodes[1].outputs[0] == "y");

  const Tensor x = Tensor::from<float>({3, 2}, {1.0f, -1.0f, 0.5f, 2.0f, -3.0f, 0.25f});
  const Tensor want = engine::Session(gemm_relu()).run({x})[0];
  const Tensor got = engine::Session(q).run({x})[0];
  for (int64_t i = 0; i < want.numel(); ++i) {
    CHECK(got.data<float>()[i] >= 0.0f);
    // Each product's error is at most half a step of x times |w| plus half a
    // step of w times |x|: well under 0.05 for these magnitudes.
    CHECK(got.data<float>()[i] == Approx(want.data<float>()[i]).margin(0.05));
  }
}

TEST_CASE("quantize_dynamic keeps excluded and other nodes in FP32", "[quantize_dynamic]") {
  quant::StaticQuantOptions options;
  options.exclude = {"g"};
  quant::QuantizeSummary summary;
  const Graph q = quant::quantize_dynamic(gemm_relu(), options, &summary);
  CHECK(op_keys(q) == std::vector<std::string>{"Gemm"});
  CHECK(summary.fp32_nodes == std::vector<std::string>{"Gemm 'g': excluded"});
  options.exclude = {"nope"};
  CHECK_THROWS_WITH(quant::quantize_dynamic(gemm_relu(), options), Catch::Contains("nope"));
}

TEST_CASE("quantize_dynamic: MatMul with a rank-3 input tracks FP32", "[quantize_dynamic]") {
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {2, 5, 16}));
  g.outputs.push_back(float_value("y", {2, 5, 7}));
  std::mt19937 rng(3);
  std::normal_distribution<float> normal;
  std::vector<float> w(16 * 7), xs(2 * 5 * 16);
  for (float& v : w) v = normal(rng);
  for (float& v : xs) v = normal(rng);
  g.initializers["w"] = Tensor::from<float>({16, 7}, w);
  g.nodes.push_back(make_node("MatMul", {"x", "w"}, {"y"}));
  g = quant::prepare_for_quantization(g);
  const Tensor x = Tensor::from<float>({2, 5, 16}, xs);
  const Tensor want = engine::Session(g).run({x})[0];
  const Tensor got = engine::Session(quant::quantize_dynamic(g, {})).run({x})[0];
  REQUIRE(got.shape() == want.shape());
  // Two 8-bit operands over a depth of 16: about 35 dB; 30 fails on a wrong
  // scale, a dropped zero point or a transposed weight.
  CHECK(sqnr_db(want, got) > 30.0);
}

TEST_CASE("the digits CNN with a dynamically quantized classifier matches PyTorch's top-1", "[quantize_dynamic]") {
  const std::string dir = std::string(OCTET_SOURCE_DIR) + "/models/bundled/";
  const Graph g = quant::prepare_for_quantization(graph::import_onnx_file(dir + "digits_cnn.onnx"));
  const Tensor x = graph::read_npy(dir + "digits_input.npy");
  const Tensor expected = graph::read_npy(dir + "digits_expected.npy");
  const Tensor y = engine::Session(quant::quantize_dynamic(g, {})).run({x})[0];
  CHECK(sqnr_db(expected, y) > 35.0);
  for (int64_t r = 0; r < y.dim(0); ++r) {
    const float* a = y.data<float>() + r * 10;
    const float* b = expected.data<float>() + r * 10;
    CHECK(std::max_element(a, a + 10) - a == std::max_element(b, b + 10) - b);
  }
}

namespace {

// One-direction LSTM, hidden 2, input 3: W [1, 8, 3], R [1, 8, 2].
Graph small_lstm(const std::string& direction = "forward") {
  const int64_t dirs = direction == "bidirectional" ? 2 : 1;
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {5, 1, 3}));
  g.outputs.push_back(float_value("y", {5, dirs, 1, 2}));
  std::vector<float> w(static_cast<size_t>(dirs * 8 * 3)), r(static_cast<size_t>(dirs * 8 * 2));
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.01f * static_cast<float>(i) - 0.1f;
  for (size_t i = 0; i < r.size(); ++i) r[i] = 0.3f - 0.02f * static_cast<float>(i);
  g.initializers["W"] = Tensor::from<float>({dirs, 8, 3}, w);
  g.initializers["R"] = Tensor::from<float>({dirs, 8, 2}, r);
  Node n = make_node("LSTM", {"x", "W", "R"}, {"y"});
  n.attrs["hidden_size"] = graph::Attribute::of(int64_t{2});
  n.attrs["direction"] = graph::Attribute::of(direction);
  g.nodes.push_back(n);
  return quant::prepare_for_quantization(g);
}

}  // namespace

TEST_CASE("LSTM weights go to ORT's [D, K, 4H] int8 layout with a scale per gate column", "[quantize_dynamic]") {
  for (const bool dynamic : {true, false}) {
    INFO((dynamic ? "dynamic" : "static"));
    const Graph g = small_lstm("bidirectional");
    const Graph q = dynamic ? quant::quantize_dynamic(g, {}) : quant::quantize_static(g, {}, {});
    REQUIRE(op_keys(q) == std::vector<std::string>{"com.microsoft:DynamicQuantizeLSTM"});
    const Node& n = q.nodes[0];
    REQUIRE(n.inputs.size() == 12);
    const Tensor& w = q.initializers.at(n.inputs[1]);
    const Tensor& scale = q.initializers.at(n.inputs[8]);
    CHECK(w.shape() == graph::Shape{2, 3, 8});
    CHECK(scale.shape() == graph::Shape{2, 8});
    CHECK(q.initializers.at(n.inputs[10]).shape() == graph::Shape{2, 8});
    // Every code is round(w / scale) of the transposed float weight.
    const Tensor& src = g.initializers.at("W");
    for (int64_t d = 0; d < 2; ++d)
      for (int64_t k = 0; k < 3; ++k)
        for (int64_t c = 0; c < 8; ++c) {
          const float f = src.data<float>()[(d * 8 + c) * 3 + k];
          const float s = scale.data<float>()[d * 8 + c];
          CHECK(w.data<int8_t>()[(d * 3 + k) * 8 + c] == static_cast<int8_t>(std::nearbyint(f / s)));
        }
    CHECK(n.attr_string("direction", "") == "bidirectional");
    CHECK(q.initializers.count("W") == 0);
  }
}

TEST_CASE("a quantized LSTM tracks the FP32 one in both modes", "[quantize_dynamic]") {
  for (const std::string direction : {"forward", "bidirectional"}) {
    INFO(direction);
    const Graph g = small_lstm(direction);
    std::vector<float> xs(15);
    for (size_t i = 0; i < xs.size(); ++i) xs[i] = std::sin(0.7f * static_cast<float>(i)) * 2.0f;
    const Tensor x = Tensor::from<float>({5, 1, 3}, xs);
    const Tensor want = engine::Session(g).run({x})[0];
    for (const bool dynamic : {true, false}) {
      INFO((dynamic ? "dynamic" : "static"));
      const Graph q = dynamic ? quant::quantize_dynamic(g, {}) : quant::quantize_static(g, {}, {});
      const Tensor got = engine::Session(q).run({x})[0];
      REQUIRE(got.shape() == want.shape());
      // 8-bit weights and per-row 8-bit inputs over depths of 2-3 measured
      // about 45 dB; 30 fails on a transposed or misscaled weight.
      CHECK(sqnr_db(want, got) > 30.0);
    }
  }
}
