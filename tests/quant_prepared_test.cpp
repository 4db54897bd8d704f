// The prepared INT8 ops (engine/ops/q*_prepared.cpp) against the reference
// ops they replace, bit for bit, at every ISA level this CPU runs: each
// case is a one-node graph whose weights and quantization parameters are
// initializers (so the session prepares it), run through Session with
// OCTET_ISA forced, and compared with engine::evaluate_node (the plain
// reference OpFn) on the same inputs. find_prepare is also called directly
// to prove the fast path is taken where it should be and refused where the
// kernels have no exact rewrite.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>

#include "graph/onnx_import.h"
#include "prepared_op_harness.h"

using namespace octet;
using namespace octet::testing;
using graph::Attribute;
using graph::DType;
using graph::Shape;
using graph::Tensor;

namespace {

std::mt19937& rng() {
  static std::mt19937 g(20241126);
  return g;
}

// One QLinearConv / ConvInteger configuration.
struct Conv {
  int64_t n = 1, c = 4, m = 4, group = 1;
  Shape in = {6, 6}, kernel = {3, 3}, strides, pads, dilations;
  DType x = DType::UInt8, w = DType::Int8, y = DType::UInt8;
  int32_t x_zp = 0, y_zp = 0, w_zp = -1;  // w_zp -1: the symmetric one (0 for int8, 128 for uint8)
  bool per_channel = false, bias = false;
  Fill x_fill = Fill::Random, w_fill = Fill::Random;
  float gain = 1;  // > 1 saturates more outputs
  int32_t bias_range = 40000;

  std::map<std::string, Attribute> attrs() const {
    std::map<std::string, Attribute> a;
    if (group != 1) a["group"] = Attribute::of(group);
    if (!strides.empty()) a["strides"] = Attribute::of(strides);
    if (!pads.empty()) a["pads"] = Attribute::of(pads);
    if (!dilations.empty()) a["dilations"] = Attribute::of(dilations);
    return a;
  }
  Shape x_shape() const {
    Shape s = {n, c};
    s.insert(s.end(), in.begin(), in.end());
    return s;
  }
  Shape w_shape() const {
    Shape s = {m, c / group};
    s.insert(s.end(), kernel.begin(), kernel.end());
    return s;
  }
  int32_t weight_zp() const { return w_zp >= 0 || w == DType::Int8 ? std::max(w_zp, 0) : 128; }
  int64_t depth() const { return graph::shape_numel(w_shape()) / m; }

  NodeCase qlinear() const {
    const float x_scale = 0.02f;
    std::vector<float> w_scale = random_floats(rng(), per_channel ? m : 1, 0.002f, 0.01f);
    // Spread outputs over the range: |acc| is about 74^2 sqrt(depth) for random data.
    const float y_scale = x_scale * 0.006f * 55.0f * std::sqrt(static_cast<float>(depth())) / gain;
    NodeCase nc;
    nc.op = "QLinearConv";
    nc.attrs = attrs();
    Shape ch = per_channel ? Shape{m} : Shape{};
    nc.inputs = {filled(rng(), x, x_shape(), x_fill),
                 Tensor::scalar<float>(x_scale),
                 zero_point(x, x_zp),
                 filled(rng(), w, w_shape(), w_fill),
                 Tensor::from<float>(ch, w_scale),
                 zero_point(w, weight_zp(), ch),
                 Tensor::scalar<float>(y_scale),
                 zero_point(y, y_zp)};
    if (bias) nc.inputs.push_back(random_ints(rng(), {m}, bias_range));
    return nc;
  }

  NodeCase integer() const {
    NodeCase nc;
    nc.op = "ConvInteger";
    nc.attrs = attrs();
    nc.inputs = {filled(rng(), x, x_shape(), x_fill), filled(rng(), w, w_shape(), w_fill), zero_point(x, x_zp),
                 zero_point(w, weight_zp(), per_channel ? Shape{m} : Shape{})};
    return nc;
  }
};

struct MatMul {
  Shape a = {5, 7}, b = {7, 9};
  DType a_type = DType::UInt8, b_type = DType::Int8, y_type = DType::UInt8;
  int32_t a_zp = 0, y_zp = 0, b_zp = -1;
  bool per_column = false;
  Fill a_fill = Fill::Random, b_fill = Fill::Random;
  float gain = 1;

  int32_t weight_zp() const { return b_zp >= 0 || b_type == DType::Int8 ? std::max(b_zp, 0) : 128; }
  int64_t n() const { return b.size() == 2 ? b[1] : 1; }

  NodeCase qlinear() const {
    const float a_scale = 0.03f;
    std::vector<float> b_scale = random_floats(rng(), per_column ? n() : 1, 0.002f, 0.01f);
    const float y_scale = a_scale * 0.006f * 55.0f * std::sqrt(static_cast<float>(b[0])) / gain;
    Shape cols = per_column ? Shape{n()} : Shape{};
    NodeCase nc;
    nc.op = "QLinearMatMul";
    nc.inputs = {filled(rng(), a_type, a, a_fill),
                 Tensor::scalar<float>(a_scale),
                 zero_point(a_type, a_zp),
                 filled(rng(), b_type, b, b_fill),
                 Tensor::from<float>(cols, b_scale),
                 zero_point(b_type, weight_zp(), cols),
                 Tensor::scalar<float>(y_scale),
                 zero_point(y_type, y_zp)};
    return nc;
  }

  NodeCase integer() const {
    NodeCase nc;
    nc.op = "MatMulInteger";
    nc.inputs = {filled(rng(), a_type, a, a_fill), filled(rng(), b_type, b, b_fill), zero_point(a_type, a_zp),
                 zero_point(b_type, weight_zp(), per_column ? Shape{n()} : Shape{})};
    return nc;
  }
};

}  // namespace

TEST_CASE("prepared QLinearConv is bit-exact with the reference at every level") {
  Conv c;
  SECTION("3x3 padded, per channel, bias") {
    c.c = 3, c.m = 5, c.in = {9, 8}, c.pads = {1, 1, 1, 1}, c.per_channel = true, c.bias = true, c.x_zp = 117;
  }
  SECTION("1x1 pointwise, batch 2") { c.n = 2, c.c = 8, c.m = 12, c.in = {5, 7}, c.kernel = {1, 1}, c.x_zp = 3; }
  SECTION("1x1 strided and 1x1 padded") {
    c.c = 5, c.m = 3, c.in = {7, 6}, c.kernel = {1, 1}, c.strides = {2, 2}, c.bias = true;
    SECTION("padded") { c.pads = {1, 0, 0, 1}; }
  }
  SECTION("3x3 stride 2, asymmetric padding, int8 x and y, no bias") {
    c.c = 4, c.m = 6, c.in = {11, 10}, c.strides = {2, 2}, c.pads = {0, 1, 2, 1};
    c.x = DType::Int8, c.y = DType::Int8, c.x_zp = -5, c.y_zp = 7, c.per_channel = true;
  }
  SECTION("grouped, dilated") {
    c.c = 6, c.m = 9, c.group = 3, c.in = {10, 9}, c.dilations = {2, 2}, c.pads = {2, 2, 2, 2}, c.bias = true;
    c.per_channel = true, c.x_zp = 200;
  }
  SECTION("depthwise 3x3 stride 1 and 2") {
    c.c = 16, c.m = 16, c.group = 16, c.in = {7, 9}, c.pads = {1, 1, 1, 1}, c.per_channel = true, c.bias = true;
    c.x_zp = 128;
    SECTION("stride 2") { c.strides = {2, 2}; }
  }
  SECTION("depthwise 5x5 stride 2, odd channels, int8 x") {
    c.c = 7, c.m = 7, c.group = 7, c.in = {12, 11}, c.kernel = {5, 5}, c.strides = {2, 2}, c.pads = {2, 2, 2, 2};
    c.x = DType::Int8, c.x_zp = 10, c.per_channel = true;
  }
  SECTION("depth multiplier 2") { c.c = 3, c.m = 6, c.group = 3, c.in = {6, 5}, c.pads = {1, 1, 1, 1}; }
  SECTION("1-D") { c.c = 4, c.m = 6, c.in = {11}, c.kernel = {3}, c.pads = {1, 2}, c.bias = true, c.x_zp = 99; }
  SECTION("uint8 weights with zero point 128, per channel") {
    c.w = DType::UInt8, c.c = 5, c.m = 4, c.in = {6, 7}, c.per_channel = true, c.pads = {1, 1, 1, 1}, c.bias = true;
  }
  SECTION("batch 3, int8 x, many pixels and channels (tiles and tails)") {
    c.n = 3, c.c = 13, c.m = 70, c.in = {23, 21}, c.pads = {1, 1, 1, 1}, c.x = DType::Int8, c.x_zp = 21;
    c.per_channel = true, c.bias = true;
  }
  SECTION("deep: 3x3 over 64 channels") { c.c = 64, c.m = 33, c.in = {5, 5}, c.pads = {1, 1, 1, 1}, c.bias = true; }
  SECTION("extreme: x 255, w -128, zero points 0, saturating") {
    c.c = 32, c.m = 9, c.in = {5, 6}, c.pads = {1, 1, 1, 1}, c.x_fill = Fill::Max, c.w_fill = Fill::Min, c.gain = 50;
    SECTION("int8 output") { c.y = DType::Int8; }
    SECTION("zero point 255, x 0") { c.x_fill = Fill::Min, c.x_zp = 255, c.y_zp = 255; }
    SECTION("uint8 w 255 (zero point 128: +127), int8 x -128") {
      c.w = DType::UInt8, c.w_fill = Fill::Max, c.x = DType::Int8, c.x_fill = Fill::Min, c.x_zp = 127;
    }
    SECTION("depthwise") { c.m = 32, c.group = 32, c.bias = true; }
  }
  SECTION("bias near the int32 limits: sums wrap as in the reference") {
    c.c = 16, c.m = 24, c.in = {5, 5}, c.pads = {1, 1, 1, 1}, c.bias = true, c.x_zp = 250, c.per_channel = true;
    c.bias_range = std::numeric_limits<int32_t>::max();
    SECTION("depthwise") { c.m = 16, c.group = 16; }
  }
  check_case(c.qlinear(), true);
}

TEST_CASE("prepared ConvInteger is bit-exact with the reference at every level") {
  Conv c;
  SECTION("padded, x zero point") { c.c = 3, c.m = 4, c.in = {7, 7}, c.pads = {1, 1, 1, 1}, c.x_zp = 12; }
  SECTION("grouped, strided, int8 x") {
    c.c = 4, c.m = 6, c.group = 2, c.in = {9, 8}, c.strides = {2, 1}, c.x = DType::Int8, c.x_zp = -3;
  }
  SECTION("depthwise, uint8 weights with zero point 128 per channel") {
    c.c = 8, c.m = 8, c.group = 8, c.in = {6, 6}, c.pads = {1, 1, 1, 1}, c.w = DType::UInt8, c.per_channel = true;
  }
  SECTION("extreme") { c.c = 40, c.m = 5, c.in = {4, 4}, c.x_fill = Fill::Max, c.w_fill = Fill::Min; }
  check_case(c.integer(), true);
}

TEST_CASE("prepared QLinearMatMul is bit-exact with the reference at every level") {
  MatMul mm;
  SECTION("2-D") {}
  SECTION("2-D, per column, int8 a and y") {
    mm.a = {13, 31}, mm.b = {31, 17}, mm.per_column = true, mm.a_type = DType::Int8, mm.y_type = DType::Int8;
    mm.a_zp = -7, mm.y_zp = 3;
  }
  SECTION("batched 3-D a, 2-D b") { mm.a = {3, 4, 19}, mm.b = {19, 10}, mm.a_zp = 140, mm.per_column = true; }
  SECTION("odd sizes past a tile") { mm.a = {37, 129}, mm.b = {129, 67}, mm.a_zp = 33, mm.per_column = true; }
  SECTION("M = 1, wide") { mm.a = {1, 300}, mm.b = {300, 70}, mm.a_zp = 90; }
  SECTION("1-D a and b") { mm.a = {23}, mm.b = {23}, mm.a_zp = 4; }
  SECTION("uint8 b with zero point 128") { mm.b_type = DType::UInt8, mm.a = {6, 40}, mm.b = {40, 5}, mm.per_column = true; }
  SECTION("extreme, saturating") {
    mm.a = {5, 200}, mm.b = {200, 9}, mm.a_fill = Fill::Max, mm.b_fill = Fill::Min, mm.gain = 30;
    SECTION("int8 output") { mm.y_type = DType::Int8; }
    SECTION("a 0 with zero point 255") { mm.a_fill = Fill::Min, mm.a_zp = 255, mm.y_zp = 255; }
  }
  check_case(mm.qlinear(), true);
}

TEST_CASE("prepared MatMulInteger is bit-exact with the reference at every level") {
  MatMul mm;
  SECTION("2-D, a zero point") { mm.a_zp = 77; }
  SECTION("3-D int8 a") { mm.a = {2, 5, 33}, mm.b = {33, 6}, mm.a_type = DType::Int8, mm.a_zp = 100; }
  SECTION("uint8 b with zero point 128 per column") { mm.b_type = DType::UInt8, mm.per_column = true; }
  SECTION("extreme") { mm.a = {3, 129}, mm.b = {129, 4}, mm.a_fill = Fill::Max, mm.b_fill = Fill::Min; }
  check_case(mm.integer(), true);
  SECTION("omitted zero points") {
    NodeCase nc = mm.integer();
    nc.inputs.resize(2);
    check_case(nc, true);
  }
}

TEST_CASE("nodes the INT8 kernels cannot take exactly run the reference op") {
  SECTION("int8 weights with a non-zero zero point") {
    Conv c;
    c.w_zp = 3, c.pads = {1, 1, 1, 1};
    check_case(c.qlinear(), false);
    MatMul mm;
    mm.b_zp = 5;
    check_case(mm.integer(), false);
  }
  SECTION("uint8 weights with zero point 0 (omitted)") {
    Conv c;
    c.w = DType::UInt8;
    NodeCase nc = c.integer();
    nc.inputs.resize(3);
    check_case(nc, false);
  }
  SECTION("uint8 weights with per-channel zero points not all 128") {
    MatMul mm;
    mm.b_type = DType::UInt8, mm.per_column = true;
    NodeCase nc = mm.qlinear();
    nc.inputs[5].data<uint8_t>()[2] = 127;
    check_case(nc, false);
  }
  SECTION("a per-row zero point for MatMulInteger") {
    MatMul mm;
    NodeCase nc = mm.integer();
    nc.inputs[2] = Tensor::from<uint8_t>({5}, {1, 2, 3, 4, 5});
    check_case(nc, false);
  }
  SECTION("weights that are not constant") {
    MatMul mm;
    NodeCase nc = mm.qlinear();
    nc.runtime = {0, 3};
    check_case(nc, false);
  }
  SECTION("a zero point that is not constant") {
    Conv c;
    NodeCase nc = c.qlinear();
    nc.runtime = {0, 2};
    check_case(nc, false);
  }
  SECTION("an output multiplier that overflows float (a tiny finite y_scale)") {
    Conv c;
    NodeCase nc = c.qlinear();
    nc.inputs[6] = Tensor::scalar<float>(std::numeric_limits<float>::denorm_min());
    check_case(nc, false);
    MatMul mm;
    NodeCase nm = mm.qlinear();
    nm.inputs[6] = Tensor::scalar<float>(std::numeric_limits<float>::denorm_min());
    check_case(nm, false);
  }
  SECTION("a batched constant b") {
    MatMul mm;
    mm.a = {2, 3, 4}, mm.b = {2, 4, 5};
    check_case(mm.qlinear(), false);
  }
  SECTION("a 3-D convolution") {
    Conv c;
    c.in = {4, 4, 4}, c.kernel = {2, 2, 2};
    check_case(c.qlinear(), false);
  }
}

#ifdef OCTET_NODE_TEST_DIR
// The ONNX backend data with every input but the first made an
// initializer, so the session prepares what it can.
TEST_CASE("the ONNX quantized-op node tests pass with constant weights at every level") {
  namespace fs = std::filesystem;
  for (const char* name : {"test_qlinearconv", "test_qlinearmatmul_2D", "test_qlinearmatmul_3D",
                           "test_convinteger_with_padding", "test_convinteger_without_padding", "test_matmulinteger"}) {
    fs::path dir = fs::path(OCTET_NODE_TEST_DIR) / name;
    if (!fs::exists(dir / "model.onnx")) continue;  // generated by the build's onnx_node_test_data
    INFO(name);
    graph::Graph model = graph::import_onnx_file((dir / "model.onnx").string());
    fs::path set = dir / "test_data_set_0";
    std::vector<Tensor> inputs;
    for (size_t i = 0; i < model.inputs.size(); ++i)
      inputs.push_back(graph::read_tensor_proto_file((set / ("input_" + std::to_string(i) + ".pb")).string()));
    Tensor want = graph::read_tensor_proto_file((set / "output_0.pb").string());
    graph::Graph g = model;
    g.inputs.resize(1);
    for (size_t i = 1; i < inputs.size(); ++i) g.initializers[model.inputs[i].name] = inputs[i];
    for (kernels::Isa isa : kernels::supported_isas()) {
      INFO("ISA " << kernels::isa_name(isa));
      std::unique_ptr<engine::Session> s;
      {
        ScopedIsa forced(isa);
        s = std::make_unique<engine::Session>(g);
      }
      REQUIRE(same_bits(s->run({inputs[0]})[0], want));
    }
  }
}
#endif
