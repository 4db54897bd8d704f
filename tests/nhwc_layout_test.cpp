// graph::keep_int8_nhwc and the channels-last ops it introduces: a session
// that keeps INT8 chains NHWC gives the bits of one that does not, the
// rewritten graph transposes only at a chain's boundaries, and the prepared
// NHWC conv and max pool give their reference ops' bits at every ISA.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "engine/session.h"
#include "graph/npy.h"
#include "graph/onnx_import.h"
#include "graph/passes.h"
#include "graph/shape_inference.h"
#include "quant/calibrate.h"
#include "quant/quantize_static.h"
#include "quant/sample_source.h"
#include "tests/prepared_op_harness.h"
#include "tests/quant_test_utils.h"
#include "tests/test_graphs.h"

using namespace octet;
using namespace octet::testing;
using graph::Attribute;
using graph::DType;
using graph::Graph;
using graph::Shape;
using graph::Tensor;

namespace {

std::mt19937& rng() {
  static std::mt19937 r(6);
  return r;
}

Tensor random_tensor(const Shape& shape, float lo, float hi) {
  return Tensor::from<float>(shape, random_floats(rng(), static_cast<size_t>(graph::shape_numel(shape)), lo, hi));
}

// FP32: conv+relu -> conv, + residual -> maxpool -> global average pool ->
// flatten -> gemm, batch 2.
Graph residual_cnn() {
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", {2, 4, 8, 8}));
  g.outputs.push_back({"y", DType::Undefined, {}, {}, false});
  g.initializers["w1"] = random_tensor({8, 4, 3, 3}, -0.5f, 0.5f);
  g.initializers["b1"] = random_tensor({8}, -0.2f, 0.2f);
  g.initializers["w2"] = random_tensor({8, 8, 3, 3}, -0.3f, 0.3f);
  g.initializers["b2"] = random_tensor({8}, -0.2f, 0.2f);
  g.initializers["wg"] = random_tensor({3, 8}, -1.0f, 1.0f);
  g.initializers["bg"] = random_tensor({3}, -0.1f, 0.1f);
  graph::Node c1 = make_node("Conv", {"x", "w1", "b1"}, {"c1"});
  c1.attrs["pads"] = Attribute::of(std::vector<int64_t>{1, 1, 1, 1});
  graph::Node c2 = make_node("Conv", {"r1", "w2", "b2"}, {"c2"});
  c2.attrs["pads"] = Attribute::of(std::vector<int64_t>{1, 1, 1, 1});
  graph::Node pool = make_node("MaxPool", {"a"}, {"m"});
  pool.attrs["kernel_shape"] = Attribute::of(std::vector<int64_t>{2, 2});
  pool.attrs["strides"] = Attribute::of(std::vector<int64_t>{2, 2});
  graph::Node gemm = make_node("Gemm", {"f", "wg", "bg"}, {"y"});
  gemm.attrs["transB"] = Attribute::of(int64_t{1});
  g.nodes = {c1, make_node("Relu", {"c1"}, {"r1"}), c2, make_node("Add", {"c2", "r1"}, {"a"}), pool,
             make_node("GlobalAveragePool", {"m"}, {"p"}), make_node("Flatten", {"p"}, {"f"}), gemm};
  return g;
}

// Ranges from one FP32 run on x (the graph input's too: observers skip it).
std::map<std::string, quant::Range> observed_ranges(const Graph& g, const Tensor& x) {
  std::map<std::string, quant::Range> ranges;
  auto note = [&ranges](const std::string& name, const Tensor& t) {
    if (t.dtype() != DType::Float32 || t.numel() == 0) return;
    const float* p = t.data<float>();
    const auto mm = std::minmax_element(p, p + t.numel());
    ranges[name] = {*mm.first, *mm.second};
  };
  engine::Session fp32(g, {false});
  fp32.run({x}, note);
  note(g.inputs[0].name, x);
  return ranges;
}

Graph quantized_residual_cnn(DType activations, const Tensor& x) {
  const Graph g = quant::prepare_for_quantization(residual_cnn());
  quant::StaticQuantOptions options;
  options.activations.dtype = activations;
  return quant::quantize_static(g, observed_ranges(g, x), options);
}

const std::string kDigits = std::string(OCTET_SOURCE_DIR) + "/models/bundled/";

Graph quantized_digits(DType activations) {
  const Graph g = quant::prepare_for_quantization(graph::import_onnx_file(kDigits + "digits_cnn.onnx"));
  quant::StaticQuantOptions options;
  options.activations.dtype = activations;
  engine::Session fp32(g);
  quant::StackedNpySource samples(kDigits + "digits_input.npy", fp32.inputs());
  quant::CalibrationOptions calibration;
  calibration.values = quant::values_to_calibrate(g, options);
  return quant::quantize_static(g, quant::calibrate(fp32, samples, calibration), options);
}

int count_op(const Graph& g, const std::string& key) {
  const auto keys = op_keys(g);
  return static_cast<int>(std::count(keys.begin(), keys.end(), key));
}

// The session's output with and without the layout pass, bit for bit, and
// proof that the pass did run.
void check_bit_identical(const Graph& q, const Tensor& x) {
  engine::Session nchw(q, {false});
  engine::Session nhwc(q);
  const Tensor want = nchw.run({x})[0];
  const Tensor got = nhwc.run({x})[0];
  CHECK(count_op(nchw.planned_graph(), "com.microsoft:QLinearConv") == 0);
  CHECK(count_op(nhwc.planned_graph(), "com.microsoft:QLinearConv") == count_op(q, "QLinearConv"));
  CHECK(count_op(nhwc.planned_graph(), "QLinearConv") == 0);
  REQUIRE(same_bits(want, got));
}

}  // namespace

TEST_CASE("keeping INT8 chains NHWC changes no bit of a model's output", "[nhwc]") {
  const DType act = GENERATE(DType::UInt8, DType::Int8);
  INFO("activations " << graph::dtype_name(act));
  SECTION("the quantized digits CNN") {
    const Graph q = quantized_digits(act);
    check_bit_identical(q, graph::read_npy(kDigits + "digits_input.npy"));
  }
  SECTION("a residual CNN with max and global average pools") {
    const Tensor x = random_tensor({2, 4, 8, 8}, -1.0f, 1.0f);
    const Graph q = quantized_residual_cnn(act, x);
    check_bit_identical(q, x);
    check_bit_identical(q, random_tensor({2, 4, 8, 8}, -1.5f, 1.5f));  // saturating inputs
  }
}

TEST_CASE("keep_int8_nhwc transposes only at the chain's boundaries", "[nhwc]") {
  const Tensor x = random_tensor({2, 4, 8, 8}, -1.0f, 1.0f);
  Graph q = quantized_residual_cnn(DType::UInt8, x);
  REQUIRE(op_keys(q) == std::vector<std::string>{"QuantizeLinear", "QLinearConv", "QLinearConv",
                                                 "com.microsoft:QLinearAdd", "MaxPool",
                                                 "com.microsoft:QLinearGlobalAveragePool", "Flatten",
                                                 "com.microsoft:QGemm"});
  std::map<std::string, graph::TensorInfo> in = {{"x", {DType::Float32, {2, 4, 8, 8}}}};
  const auto infos = graph::infer_shapes(q, in, nullptr);
  REQUIRE(graph::keep_int8_nhwc(q, infos));
  // One transpose after QuantizeLinear (uint8), one before Flatten; the
  // residual's second reader (the add) takes the NHWC value directly.
  CHECK(op_keys(q) == std::vector<std::string>{"QuantizeLinear", "Transpose", "com.microsoft:QLinearConv",
                                               "com.microsoft:QLinearConv", "com.microsoft:QLinearAdd",
                                               "com.microsoft:NhwcMaxPool",
                                               "com.microsoft:QLinearGlobalAveragePool", "Transpose", "Flatten",
                                               "com.microsoft:QGemm"});
  CHECK(q.nodes[1].attr_ints("perm") == std::vector<int64_t>{0, 2, 3, 1});
  CHECK(q.nodes[7].attr_ints("perm") == std::vector<int64_t>{0, 3, 1, 2});
  CHECK(q.nodes[1].inputs[0] == q.nodes[0].outputs[0]);
  CHECK(q.nodes[8].inputs[0] == q.nodes[7].outputs[0]);
  CHECK(q.nodes[2].attr_int("channels_last", 0) == 1);
  CHECK(q.nodes[6].attr_int("channels_last", 0) == 1);
  const auto after = graph::infer_shapes(q, in, nullptr);
  CHECK(after.at(q.nodes[4].outputs[0]).shape == Shape{2, 8, 8, 8});
  CHECK(after.at(q.nodes[5].outputs[0]).shape == Shape{2, 4, 4, 8});
  CHECK(after.at(q.nodes[7].outputs[0]).shape == Shape{2, 8, 1, 1});

  SECTION("a graph without a QLinearConv is left alone") {
    Graph fp32 = residual_cnn();
    const auto fp32_infos = graph::infer_shapes(fp32, in, nullptr);
    const auto before = op_keys(fp32);
    CHECK_FALSE(graph::keep_int8_nhwc(fp32, fp32_infos));
    CHECK(op_keys(fp32) == before);
  }
}

namespace {

// x [n, h, w, c] NHWC, 8-bit.
NodeCase nhwc_conv(DType x_type, Shape x_shape, int64_t m, Shape kernel, std::map<std::string, Attribute> attrs,
                   int64_t group = 1) {
  const int64_t c = x_shape.back();
  const Shape w_shape = {m, c / group, kernel[0], kernel[1]};
  const float x_scale = 0.02f;
  const float y_scale = x_scale * 0.006f * 55.0f * std::sqrt(static_cast<float>(graph::shape_numel(w_shape) / m));
  NodeCase nc;
  nc.op = "QLinearConv";
  nc.domain = graph::kMicrosoftDomain;
  nc.attrs = std::move(attrs);
  nc.attrs["channels_last"] = Attribute::of(int64_t{1});
  if (group != 1) nc.attrs["group"] = Attribute::of(group);
  const bool u8 = x_type == DType::UInt8;
  nc.inputs = {filled(rng(), x_type, x_shape),
               Tensor::scalar<float>(x_scale),
               zero_point(x_type, u8 ? 121 : -7),
               filled(rng(), DType::Int8, w_shape),
               Tensor::from<float>({m}, random_floats(rng(), static_cast<size_t>(m), 0.004f, 0.008f)),
               zero_point(DType::Int8, 0, {m}),
               Tensor::scalar<float>(y_scale),
               zero_point(x_type, u8 ? 128 : 3),
               random_ints(rng(), {m}, 20000)};
  return nc;
}

}  // namespace

TEST_CASE("prepared NHWC QLinearConv is bit-exact with its reference at every level", "[nhwc]") {
  const DType t = GENERATE(DType::UInt8, DType::Int8);
  INFO("x " << graph::dtype_name(t));
  using Ints = std::vector<int64_t>;
  SECTION("3x3 padded, batch 2") {
    check_case(nhwc_conv(t, {2, 9, 7, 5}, 6, {3, 3}, {{"pads", Attribute::of(Ints{1, 1, 1, 1})}}), true);
  }
  SECTION("1x1 pointwise") { check_case(nhwc_conv(t, {1, 6, 5, 16}, 24, {1, 1}, {}), true); }
  SECTION("3x3 depthwise, strided") {
    check_case(nhwc_conv(t, {1, 10, 9, 8}, 8, {3, 3},
                         {{"pads", Attribute::of(Ints{1, 1, 1, 1})}, {"strides", Attribute::of(Ints{2, 2})}}, 8),
               true);
  }
  SECTION("fused ReLU clamp") {
    NodeCase nc = nhwc_conv(t, {1, 6, 6, 4}, 5, {3, 3}, {});
    nc.attrs[graph::kActivationMin] = Attribute::of(0.0f);
    check_case(nc, true);
  }
}

TEST_CASE("prepared NhwcMaxPool is bit-exact with its reference at every level", "[nhwc]") {
  using Ints = std::vector<int64_t>;
  NodeCase nc;
  nc.op = "NhwcMaxPool";
  nc.domain = graph::kMicrosoftDomain;
  SECTION("2x2 stride 2, batch 2") {
    nc.inputs = {filled(rng(), DType::UInt8, {2, 8, 6, 5})};
    nc.attrs = {{"kernel_shape", Attribute::of(Ints{2, 2})}, {"strides", Attribute::of(Ints{2, 2})}};
    check_case(nc, true);
  }
  SECTION("3x3 padded, ceil mode") {
    nc.inputs = {filled(rng(), DType::UInt8, {1, 9, 7, 17})};
    nc.attrs = {{"kernel_shape", Attribute::of(Ints{3, 3})}, {"strides", Attribute::of(Ints{2, 2})},
                {"pads", Attribute::of(Ints{1, 1, 1, 1})}, {"ceil_mode", Attribute::of(int64_t{1})}};
    check_case(nc, true);
  }
  SECTION("int8 runs the reference op") {
    nc.inputs = {filled(rng(), DType::Int8, {1, 5, 5, 3})};
    nc.attrs = {{"kernel_shape", Attribute::of(Ints{2, 2})}};
    check_case(nc, false);
  }
}

TEST_CASE("the NHWC reference ops are the NCHW ops on transposed data", "[nhwc]") {
  // An independent check of the reference OpFns: the NHWC node's output,
  // transposed, equals the ONNX node's on the transposed input.
  NodeCase nhwc = nhwc_conv(DType::UInt8, {1, 5, 6, 3}, 4, {3, 3}, {});
  NodeCase nchw = nhwc;
  nchw.domain = "";
  nchw.attrs.erase("channels_last");
  const Tensor& x = nhwc.inputs[0];
  Tensor x_nchw(DType::UInt8, {1, 3, 5, 6});
  for (int64_t h = 0; h < 5; ++h)
    for (int64_t w = 0; w < 6; ++w)
      for (int64_t c = 0; c < 3; ++c) x_nchw.data<uint8_t>()[(c * 5 + h) * 6 + w] = x.data<uint8_t>()[(h * 6 + w) * 3 + c];
  nchw.inputs[0] = x_nchw;
  const Tensor a = reference(nhwc), b = reference(nchw);
  REQUIRE(a.shape() == Shape{1, 3, 4, 4});
  REQUIRE(b.shape() == Shape{1, 4, 3, 4});
  for (int64_t h = 0; h < 3; ++h)
    for (int64_t w = 0; w < 4; ++w)
      for (int64_t m = 0; m < 4; ++m)
        REQUIRE(a.data<uint8_t>()[(h * 4 + w) * 4 + m] == b.data<uint8_t>()[(m * 3 + h) * 4 + w]);
}

TEST_CASE("prepared 8-bit NCHW <-> NHWC Transpose is bit-exact with the reference", "[nhwc]") {
  using Ints = std::vector<int64_t>;
  NodeCase nc;
  nc.op = "Transpose";
  SECTION("to NHWC, int8") {
    nc.inputs = {filled(rng(), DType::Int8, {2, 37, 5, 9})};
    nc.attrs = {{"perm", Attribute::of(Ints{0, 2, 3, 1})}};
    check_case(nc, true);
  }
  SECTION("to NHWC, three channels (an image), every pixel-count tail of the 4-pixel steps") {
    for (int64_t w : {1, 2, 3, 4, 5, 6, 7, 8, 9}) {
      nc.inputs = {filled(rng(), DType::UInt8, {2, 3, 3, w})};
      nc.attrs = {{"perm", Attribute::of(Ints{0, 2, 3, 1})}};
      check_case(nc, true);
    }
  }
  SECTION("to NCHW, uint8") {
    nc.inputs = {filled(rng(), DType::UInt8, {2, 6, 7, 40})};
    nc.attrs = {{"perm", Attribute::of(Ints{0, 3, 1, 2})}};
    check_case(nc, true);
  }
  SECTION("other permutations run the reference op") {
    nc.inputs = {filled(rng(), DType::UInt8, {2, 3, 4, 5})};
    nc.attrs = {{"perm", Attribute::of(Ints{0, 1, 3, 2})}};
    check_case(nc, false);
  }
}
