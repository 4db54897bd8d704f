// ONNX quantization ops against numpy (int64 arithmetic for the integer
// products; np.round, which rounds half to even, for quantization), the
// ONNX backend test data, and hand-checked ties and saturation.
#include <catch2/catch.hpp>

#include "engine/session.h"
#include "graph/error.h"

using namespace octet;
using graph::DType;
using graph::Shape;
using graph::Tensor;

namespace {

// Runs a single node whose inputs are all graph inputs (so the op runs at
// run time, not folded); an empty tensor is an omitted input.
std::vector<Tensor> run_node(const std::string& op, const std::vector<Tensor>& inputs, size_t outputs = 1,
                             std::map<std::string, graph::Attribute> attrs = {}, int64_t opset = 13) {
  graph::Graph g;
  g.opset = opset;
  graph::Node n;
  n.op_type = op;
  n.attrs = std::move(attrs);
  std::vector<Tensor> given;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].empty()) {
      n.inputs.push_back("");
      continue;
    }
    std::string name = "in" + std::to_string(i);
    n.inputs.push_back(name);
    g.inputs.push_back({name, inputs[i].dtype(), inputs[i].shape(), {}, true});
    given.push_back(inputs[i]);
  }
  for (size_t i = 0; i < outputs; ++i) {
    n.outputs.push_back("out" + std::to_string(i));
    g.outputs.push_back({n.outputs.back(), DType::Undefined, {}, {}, false});
  }
  g.nodes.push_back(n);
  engine::Session s(g);
  return s.run(given);
}

graph::Attribute int_attr(int64_t v) {
  graph::Attribute a;
  a.kind = graph::Attribute::Kind::Int;
  a.i = v;
  return a;
}

template <class T> std::vector<T> values(const Tensor& t) {
  return {t.data<T>(), t.data<T>() + t.numel()};
}

template <class T> void require_equal(const Tensor& t, const Shape& shape, const std::vector<T>& want) {
  REQUIRE(t.shape() == shape);
  REQUIRE(values<T>(t) == want);
}

}  // namespace

TEST_CASE("QuantizeLinear rounds ties to even and saturates, per axis, int8") {
  Tensor x = Tensor::from<float>(
      {2, 3, 6}, {0.5f,  1.5f,  2.5f,  -0.5f,  -1.5f,  -2.5f,  3.5f,  1000,   -1000, 0.49f, 0.51f,  -0.51f,
                  1,     3,     5,     7,      -1,     -3,     -5,    -7,     255,   257,   -256,   -260,
                  0.25f, 0.75f, 1.25f, -0.25f, -0.75f, -1.25f, 63.75f, 64.25f, -64.25f, -64.5f, 0.125f, -0.125f});
  Tensor scale = Tensor::from<float>({3}, {1, 2, 0.5f});
  Tensor zp = Tensor::from<int8_t>({3}, {0, -3, 5});
  auto y = run_node("QuantizeLinear", {x, scale, zp}, 1, {{"axis", int_attr(1)}});
  REQUIRE(y[0].dtype() == DType::Int8);
  require_equal<int8_t>(y[0], {2, 3, 6},
                        {0,  2,  2,  0,    -2,   -2,   -1,  127, -128, -3,   -3,   -3, 7,  11,  15,   19,   3,  -1,
                         -5, -7, 127, 127, -128, -128, -3,  -3,  -2,   -3,   -3,   -4, 127, 127, -123, -124, 5,  5});

  SECTION("negative axis is the same axis") {
    auto y2 = run_node("QuantizeLinear", {x, scale, zp}, 1, {{"axis", int_attr(-2)}});
    REQUIRE(values<int8_t>(y2[0]) == values<int8_t>(y[0]));
  }
  SECTION("DequantizeLinear inverts it per axis") {
    auto d = run_node("DequantizeLinear", {y[0], scale, zp}, 1, {{"axis", int_attr(1)}});
    REQUIRE(d[0].dtype() == DType::Float32);
    require_equal<float>(d[0], {2, 3, 6},
                         {0,  2,  2,  0,   -2,  -2,   4,  260, -250, 0,  0,  0,  1,   3,   5,   7,   -1,    -3,
                          -5, -7, 127, 127, -128, -128, 0,  0,   2,    0,  0,  -2, 61, 61, -64, -64.5f, 0, 0});
  }
}

TEST_CASE("QuantizeLinear uint8: ONNX backend data and the default zero point") {
  Tensor x = Tensor::from<float>({6}, {0, 2, 3, 1000, -254, -1000});
  auto y = run_node("QuantizeLinear", {x, Tensor::scalar<float>(2), Tensor::scalar<uint8_t>(128)});
  require_equal<uint8_t>(y[0], {6}, {128, 129, 130, 255, 1, 0});
  // No zero point: uint8 with zero point 0; 3 / 2 = 1.5 rounds to 2, negatives saturate at 0.
  auto y2 = run_node("QuantizeLinear", {x, Tensor::scalar<float>(2)});
  REQUIRE(y2[0].dtype() == DType::UInt8);
  require_equal<uint8_t>(y2[0], {6}, {0, 1, 2, 255, 0, 0});
}

TEST_CASE("DequantizeLinear of int32 and uint8, per tensor") {
  auto d = run_node("DequantizeLinear", {Tensor::from<int32_t>({3}, {-2147483647, 0, 1000}), Tensor::scalar<float>(0.5f)});
  require_equal<float>(d[0], {3}, {-1073741824.0f, 0, 500});
  auto d8 = run_node("DequantizeLinear",
                     {Tensor::from<uint8_t>({4}, {0, 3, 128, 255}), Tensor::scalar<float>(2), Tensor::scalar<uint8_t>(128)});
  require_equal<float>(d8[0], {4}, {-256, -250, 0, 254});
  REQUIRE_THROWS_AS(run_node("DequantizeLinear", {Tensor::from<int32_t>({1}, {5}), Tensor::scalar<float>(1),
                                                  Tensor::scalar<int32_t>(3)}),
                    FormatError);
}

TEST_CASE("DynamicQuantizeLinear: ONNX backend data") {
  struct Case {
    Tensor x;
    std::vector<uint8_t> y;
    float scale;
    uint8_t zp;
  };
  std::vector<Case> cases = {
      {Tensor::from<float>({6}, {0, 2, -3, -2.5f, 1.34f, 0.5f}), {153, 255, 0, 26, 221, 179}, 0.019607843831181526f, 153},
      {Tensor::from<float>({6}, {-1, -2.1f, -1.3f, -2.5f, -3.34f, -4}), {191, 121, 172, 96, 42, 0}, 0.01568627543747425f, 255},
      {Tensor::from<float>({3, 4}, {1, 2.1f, 1.3f, 2.5f, 3.34f, 4, 1.5f, 2.6f, 3.9f, 4, 3, 2.345f}),
       {64, 134, 83, 159, 213, 255, 96, 166, 249, 255, 191, 149},
       0.01568627543747425f,
       0}};
  for (const auto& c : cases) {
    auto out = run_node("DynamicQuantizeLinear", {c.x}, 3, {}, 11);
    require_equal<uint8_t>(out[0], c.x.shape(), c.y);
    REQUIRE(out[1].shape() == Shape{});
    REQUIRE(out[1].data<float>()[0] == c.scale);
    REQUIRE(out[2].data<uint8_t>()[0] == c.zp);
  }
  SECTION("all zeros give scale 1, zero point 0") {
    auto out = run_node("DynamicQuantizeLinear", {Tensor::from<float>({2}, {0, 0})}, 3, {}, 11);
    REQUIRE(out[1].data<float>()[0] == 1.0f);
    REQUIRE(values<uint8_t>(out[0]) == std::vector<uint8_t>{0, 0});
  }
}

TEST_CASE("MatMulInteger broadcasts batches with per-row and per-column zero points") {
  Tensor a = Tensor::from<int8_t>({2, 1, 3, 5}, {47,  68,  -103, 118, -61, 83, 23,  -25, -36, 57,
                                                 14,  -105, -56, -39, -18, -86, 90, 8,   39,  102,
                                                 -60, 48,   -1,  7,   44,  -128, -53, -73, 122, -122});
  Tensor b = Tensor::from<uint8_t>({4, 5, 2}, {19,  188, 44,  191, 69,  56,  152, 183, 181, 112, 251, 189, 192, 34,
                                               56,  201, 206, 38,  4,   238, 137, 87,  227, 195, 72,  83,  176, 1,
                                               192, 144, 118, 159, 93,  172, 92,  252, 71,  23,  10,  233});
  Tensor a_zp = Tensor::from<int8_t>({3}, {-128, 5, 127});
  Tensor b_zp = Tensor::from<uint8_t>({2}, {255, 0});
  auto y = run_node("MatMulInteger", {a, b, a_zp, b_zp}, 1, {}, 10);
  REQUIRE(y[0].dtype() == DType::Int32);
  require_equal<int32_t>(
      y[0], {2, 4, 3, 2},
      {-117602, 124258,  -16251,  14743,  137486,  -122422, -46894,  70058,  -6519,   20142,  96014,  -106846,
       -54368,  65414,   -4255,   15253,  75568,   -91306,  -121481, 89106,  -13908,  19111,  148963, -141590,
       -115427, 113471,  4291,    391,    154301,  -122323, -106879, 103772, -11142,  -2671,  114904, -153967,
       -63631,  90739,   4949,    7850,   87812,   -109746, -150316, 135877, -7006,   4682,   158620, -180037});

  SECTION("ONNX backend data, 2-D") {
    auto y2 = run_node("MatMulInteger",
                       {Tensor::from<uint8_t>({4, 3}, {11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0}),
                        Tensor::from<uint8_t>({3, 2}, {1, 4, 2, 5, 3, 6}), Tensor::from<uint8_t>({1}, {12}),
                        Tensor::from<uint8_t>({1}, {0})},
                       1, {}, 10);
    require_equal<int32_t>(y2[0], {4, 2}, {-38, -83, -44, -98, -50, -113, -56, -128});
  }
  SECTION("zero points are optional; 1-D operands drop their dim") {
    auto y3 = run_node("MatMulInteger", {Tensor::from<uint8_t>({3}, {1, 2, 3}), Tensor::from<int8_t>({3}, {-1, 4, -128})},
                       1, {}, 10);
    require_equal<int32_t>(y3[0], {}, {-1 + 8 - 384});
  }
  SECTION("a zero point of the wrong size is a format error") {
    REQUIRE_THROWS_AS(run_node("MatMulInteger", {a, b, Tensor::from<int8_t>({2}, {1, 2})}, 1, {}, 10), FormatError);
  }
}

TEST_CASE("MatMulInteger is exact for 255 against -128 at depth 1024") {
  const int64_t K = 1024;
  auto y = run_node("MatMulInteger",
                    {Tensor::from<uint8_t>({2, K}, std::vector<uint8_t>(2 * K, 255)),
                     Tensor::from<int8_t>({K, 3}, std::vector<int8_t>(K * 3, -128))},
                    1, {}, 10);
  require_equal<int32_t>(y[0], {2, 3}, std::vector<int32_t>(6, -33423360));
}

TEST_CASE("QLinearMatMul per-tensor: ONNX backend data") {
  auto y = run_node("QLinearMatMul",
                    {Tensor::from<uint8_t>({2, 4}, {208, 236, 0, 238, 3, 214, 255, 29}), Tensor::from<float>({1}, {0.0066f}),
                     Tensor::from<uint8_t>({1}, {113}),
                     Tensor::from<uint8_t>({4, 3}, {152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247}),
                     Tensor::from<float>({1}, {0.00705f}), Tensor::from<uint8_t>({1}, {114}),
                     Tensor::from<float>({1}, {0.0107f}), Tensor::from<uint8_t>({1}, {118})},
                    1, {}, 10);
  require_equal<uint8_t>(y[0], {2, 3}, {168, 115, 255, 1, 66, 151});
}

TEST_CASE("QLinearMatMul per-row a and per-column b, int8 output") {
  // numpy: acc in int64, multiplier float32(a_s[m] * b_s[n]) / y_s, np.rint, + zp, clip.
  auto y = run_node("QLinearMatMul",
                    {Tensor::from<uint8_t>({3, 4}, {35, 192, 61, 135, 151, 92, 247, 224, 149, 100, 163, 225}),
                     Tensor::from<float>({3}, {0.02f, 0.05f, 0.011f}), Tensor::from<uint8_t>({3}, {128, 0, 255}),
                     Tensor::from<int8_t>({4, 2}, {-61, -5, 91, 97, -109, 27, -124, -109}),
                     Tensor::from<float>({2}, {0.003f, 0.017f}), Tensor::from<int8_t>({2}, {0, -7}),
                     Tensor::scalar<float>(0.04f), Tensor::scalar<int8_t>(-10)},
                    1, {}, 10);
  REQUIRE(y[0].dtype() == DType::Int8);
  require_equal<int8_t>(y[0], {3, 2}, {17, 20, -128, -107, -5, -87});
}

namespace {

graph::Attribute ints_attr(std::vector<int64_t> v) {
  graph::Attribute a;
  a.kind = graph::Attribute::Kind::Ints;
  a.ints = std::move(v);
  return a;
}

// Conv attributes of the grouped, strided, dilated, asymmetrically padded case.
std::map<std::string, graph::Attribute> grouped_conv_attrs() {
  return {{"group", int_attr(2)},
          {"strides", ints_attr({2, 1})},
          {"pads", ints_attr({1, 0, 2, 1})},
          {"dilations", ints_attr({1, 2})}};
}

Tensor grouped_x() {
  return Tensor::from<uint8_t>(
      {2, 4, 5, 6},
      {106, 152, 249, 131, 184, 200, 0,   21,  253, 147, 202, 107, 249, 169, 138, 149, 119, 166, 224, 148, 172, 93,
       167, 142, 248, 26,  81,  218, 150, 66,  2,   191, 60,  129, 179, 90,  69,  104, 110, 97,  157, 106, 152, 251,
       62,  7,   248, 171, 33,  123, 79,  176, 37,  20,  94,  49,  149, 127, 206, 244, 28,  119, 54,  0,   192, 233,
       18,  116, 191, 165, 184, 184, 199, 165, 253, 174, 33,  113, 1,   85,  117, 119, 202, 235, 124, 228, 99,  219,
       144, 255, 80,  160, 144, 242, 18,  75,  183, 96,  223, 141, 165, 158, 48,  189, 33,  52,  241, 252, 242, 2,
       156, 36,  90,  232, 172, 176, 59,  202, 182, 240, 228, 91,  241, 21,  113, 56,  104, 39,  29,  160, 176, 9,
       33,  239, 247, 188, 216, 55,  11,  212, 138, 112, 208, 76,  68,  44,  44,  251, 19,  144, 120, 226, 167, 178,
       193, 35,  173, 242, 52,  1,   18,  191, 2,   215, 227, 148, 62,  209, 22,  220, 235, 135, 185, 225, 171, 32,
       252, 92,  60,  144, 27,  53,  107, 8,   20,  8,   152, 206, 76,  19,  100, 137, 26,  178, 60,  133, 212, 247,
       95,  233, 106, 81,  9,   32,  141, 254, 44,  71,  92,  36,  125, 170, 200, 252, 26,  152, 148, 62,  172, 158,
       145, 116, 32,  181, 86,  39,  60,  95,  32,  215, 88,  161, 124, 85,  51,  90,  207, 92,  11,  246});
}

Tensor grouped_w() {
  return Tensor::from<int8_t>(
      {6, 2, 2, 3}, {105, 124, -111, 51,  -57, -115, -33, 68,  127, 94,  -65, -87, -115, 77,  -32, 88,  -68, 47,
                     36,  55,  106,  56,  85,  70,   -41, 92,  -116, 28, -17, -18, 10,   11,  -93, 85,  92,  -79,
                     -56, 89,  -94,  -117, -39, 120, 89,  59,  4,   -43, 93,  -128, 56,  -34, 45,  71,  -31, 98,
                     21,  34,  122,  110, -99, 42,   -121, 94, 30,  -52, 75,  118, 39,  -71, 49,  117, 103, -20});
}

const Tensor kGroupedWZp = Tensor::from<int8_t>({6}, {0, -3, 5, 127, -128, 1});

}  // namespace

TEST_CASE("QLinearConv is exact for 255 against -128 (64 channels, 3x3, padded)") {
  // numpy int64: interior taps sum 255 * -128 * 576 = -18800640.
  auto y = run_node("QLinearConv",
                    {Tensor::from<uint8_t>({1, 64, 4, 4}, std::vector<uint8_t>(64 * 16, 255)), Tensor::scalar<float>(0.05f),
                     Tensor::scalar<uint8_t>(0), Tensor::from<int8_t>({2, 64, 3, 3}, std::vector<int8_t>(2 * 576, -128)),
                     Tensor::from<float>({2}, {0.0001f, 0.00002f}), Tensor::from<int8_t>({2}, {0, 0}),
                     Tensor::scalar<float>(0.5f), Tensor::scalar<uint8_t>(150)},
                    1, {{"pads", ints_attr({1, 1, 1, 1})}}, 10);
  require_equal<uint8_t>(y[0], {1, 2, 4, 4}, {66,  25,  25,  66,  25,  0,   0,   25,  25,  0,   0,
                                              25,  66,  25,  25,  66,  133, 125, 125, 133, 125, 112,
                                              112, 125, 125, 112, 112, 125, 133, 125, 125, 133});
  SECTION("ConvInteger gives the accumulators") {
    auto acc = run_node("ConvInteger",
                        {Tensor::from<uint8_t>({1, 64, 4, 4}, std::vector<uint8_t>(64 * 16, 255)),
                         Tensor::from<int8_t>({1, 64, 3, 3}, std::vector<int8_t>(576, -128))},
                        1, {{"pads", ints_attr({1, 1, 1, 1})}}, 10);
    require_equal<int32_t>(acc[0], {1, 1, 4, 4},
                           {-8355840,  -12533760, -12533760, -8355840,  -12533760, -18800640, -18800640, -12533760,
                            -12533760, -18800640, -18800640, -12533760, -8355840,  -12533760, -12533760, -8355840});
  }
}

TEST_CASE("QLinearConv grouped, strided, dilated, padded, per-channel, with bias, int8 out") {
  auto y = run_node("QLinearConv",
                    {grouped_x(), Tensor::scalar<float>(0.03f), Tensor::scalar<uint8_t>(131), grouped_w(),
                     Tensor::from<float>({6}, {0.01f, 0.02f, 0.005f, 0.03f, 0.008f, 0.015f}), kGroupedWZp,
                     Tensor::scalar<float>(0.7f), Tensor::scalar<int8_t>(-5),
                     Tensor::from<int32_t>({6}, {2852, 3469, -2858, 3745, 3924, -3942})},
                    1, grouped_conv_attrs(), 10);
  require_equal<int8_t>(
      y[0], {2, 6, 4, 3},
      {-15, -3, -7,  -3, -3,  1,  -6, -19, -5,  -4, -4,  -4,  -17, 3,   4,   28, 8,   -2,  -7,  -28, -8,  -2,
       -2,  -2, -11, -4, -6,  -7, -4, -4,  -6,  -9, -4,  -6,  -6,  -6,  96,  38, 13,  -68, -85, -25, -4,  -119,
       23,  0,  0,   0,  -19, -1, -7, 5,   14,  7,  1,   26,  -10, -4,  -4,  -4, -5,  5,   -8,  -14, -7,  -17,
       1,   18, 0,   -8, -8,  -8, -7, 8,   -1,  -36, 2,  -2,  2,   -3,  8,   -4, -4,  -4,  5,   0,   14,  -35,
       27,  7,  16,  -18, 9,  -2, -2, -2,  -6,  -1, -3,  -7,  -1,  -3,  -3,  -11, -3, -6,  -6,  -6,  71,  31,
       21,  94, -22, 29, 123, -45, 39, 0,  0,   0,  -26, -17, -4,  -18, 8,   -12, -40, -1, -14, -4,  -4,  -4,
       -8,  -9, -14, -17, -18, -6, -16, -42, -15, -8, -8, -8});
}

TEST_CASE("ConvInteger grouped with per-channel weight zero points") {
  auto y = run_node("ConvInteger", {grouped_x(), grouped_w(), Tensor::scalar<uint8_t>(131), kGroupedWZp}, 1,
                    grouped_conv_attrs(), 10);
  require_equal<int32_t>(
      y[0], {2, 6, 4, 3},
      {-25783, 2473,   -6797,  691,    1249,   11025,  -5928,  -35039, -2723,  0,      0,      0,      -17650,
       5732,   7328,   34962,  11672,  347,    -5541,  -30465, -7315,  0,      0,      0,      -24919, 6966,
       44,     -6250,  6592,   5700,   -997,   -13545, 6819,   0,      0,      0,      74530,  29536,  10294,
       -52494, -66268, -19382, -2842,  -92174, 17858,  0,      0,      0,      -45151, 8558,   -9589,  24491,
       51712,  29876,  12167,  86201,  -19583, 0,      0,      0,      4681,   18738,  -1423,  -10089, 1178,
       -15209, 12932,  40350,  11721,  0,      0,      0,      -8021,  27082,  5990,   -75335, 13599,  4373,
       13946,  853,    28459,  0,      0,      0,      7822,   2493,   18760,  -38110, 33960,  10012,  21581,
       -18439, 12818,  0,      0,      0,      -2731,  22978,  11200,  -5200,  20037,  10009,  14331,  -24812,
       11187,  0,      0,      0,      55586,  24212,  16122,  73246,  -16968, 22675,  95938,  -34877, 30183,
       0,      0,      0,      -65387, -38890, -2166,  -40407, 33528,  -23698, -106046, 8665,  -30097, 0,
       0,      0,      -704,   -2934,  -9648,  -15005, -16277, 1672,   -13012, -54364, -11125, 0,      0,
       0});
  SECTION("a weight zero point per channel of the wrong count is a format error") {
    REQUIRE_THROWS_AS(run_node("ConvInteger", {grouped_x(), grouped_w(), Tensor::scalar<uint8_t>(131),
                                               Tensor::from<int8_t>({4}, {0, 0, 0, 0})},
                               1, grouped_conv_attrs(), 10),
                      FormatError);
  }
}

TEST_CASE("quantized ops refuse malformed inputs with a format error") {
  Tensor x = Tensor::from<uint8_t>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor w = Tensor::from<int8_t>({1, 1, 1, 1}, {1});
  SECTION("QLinearConv without its x zero point") {
    REQUIRE_THROWS_AS(run_node("QLinearConv", {x, Tensor::scalar<float>(1), Tensor(), w, Tensor::scalar<float>(1),
                                               Tensor::scalar<int8_t>(0), Tensor::scalar<float>(1),
                                               Tensor::scalar<uint8_t>(0)},
                               1, {}, 10),
                      FormatError);
  }
  SECTION("a zero point whose type differs from its tensor") {
    REQUIRE_THROWS_AS(run_node("DequantizeLinear", {x, Tensor::scalar<float>(1), Tensor::scalar<int8_t>(0)}),
                      FormatError);
  }
  SECTION("per-axis scale of the wrong length") {
    REQUIRE_THROWS_AS(run_node("QuantizeLinear", {Tensor::from<float>({2, 3}, {1, 2, 3, 4, 5, 6}),
                                                  Tensor::from<float>({2}, {1, 1})},
                               1, {{"axis", int_attr(1)}}),
                      FormatError);
  }
  SECTION("per-axis axis out of range") {
    REQUIRE_THROWS_AS(run_node("QuantizeLinear", {Tensor::from<float>({2, 3}, {1, 2, 3, 4, 5, 6}),
                                                  Tensor::from<float>({3}, {1, 1, 1})},
                               1, {{"axis", int_attr(2)}}),
                      FormatError);
  }
  SECTION("QLinearMatMul inner dimensions differ") {
    REQUIRE_THROWS_AS(run_node("QLinearMatMul",
                               {Tensor::from<uint8_t>({2, 3}, {1, 2, 3, 4, 5, 6}), Tensor::scalar<float>(1),
                                Tensor::scalar<uint8_t>(0), Tensor::from<uint8_t>({2, 2}, {1, 2, 3, 4}),
                                Tensor::scalar<float>(1), Tensor::scalar<uint8_t>(0), Tensor::scalar<float>(1),
                                Tensor::scalar<uint8_t>(0)},
                               1, {}, 10),
                      FormatError);
  }
}

TEST_CASE("a single zero point with per-channel scales, and the reverse, equal the repeated values") {
  // ONNX lets either of a weight's scale and zero point be one value while
  // the other is per channel. The per-channel runs above are checked against
  // numpy; here the broadcast forms must give their bits.
  const Tensor six_scales = Tensor::from<float>({6}, {0.01f, 0.02f, 0.005f, 0.03f, 0.008f, 0.015f});
  const Tensor six_zps = Tensor::from<int8_t>({6}, {3, 3, 3, 3, 3, 3});
  auto conv = [&](const Tensor& w_scale, const Tensor& w_zp) {
    return run_node("QLinearConv",
                    {grouped_x(), Tensor::scalar<float>(0.03f), Tensor::scalar<uint8_t>(131), grouped_w(), w_scale,
                     w_zp, Tensor::scalar<float>(0.7f), Tensor::scalar<int8_t>(-5)},
                    1, grouped_conv_attrs(), 10)[0];
  };
  SECTION("QLinearConv, one zero point") {
    REQUIRE(values<int8_t>(conv(six_scales, Tensor::scalar<int8_t>(3))) == values<int8_t>(conv(six_scales, six_zps)));
  }
  SECTION("QLinearConv, one scale") {
    const Tensor repeated = Tensor::from<float>({6}, std::vector<float>(6, 0.02f));
    REQUIRE(values<int8_t>(conv(Tensor::scalar<float>(0.02f), kGroupedWZp)) ==
            values<int8_t>(conv(repeated, kGroupedWZp)));
  }
  auto matmul = [&](const Tensor& a_scale, const Tensor& a_zp, const Tensor& b_scale, const Tensor& b_zp) {
    return run_node("QLinearMatMul",
                    {Tensor::from<uint8_t>({3, 4}, {35, 192, 61, 135, 151, 92, 247, 224, 149, 100, 163, 225}), a_scale,
                     a_zp, Tensor::from<int8_t>({4, 2}, {-61, -5, 91, 97, -109, 27, -124, -109}), b_scale, b_zp,
                     Tensor::scalar<float>(0.04f), Tensor::scalar<int8_t>(-10)},
                    1, {}, 10)[0];
  };
  SECTION("QLinearMatMul, per-row a_scale with one a_zero_point, one b_scale with per-column b_zero_point") {
    const Tensor a_scale = Tensor::from<float>({3}, {0.02f, 0.05f, 0.011f});
    const Tensor b_zp = Tensor::from<int8_t>({2}, {0, -7});
    const Tensor got = matmul(a_scale, Tensor::scalar<uint8_t>(128), Tensor::scalar<float>(0.003f), b_zp);
    const Tensor want = matmul(a_scale, Tensor::from<uint8_t>({3}, {128, 128, 128}),
                               Tensor::from<float>({2}, {0.003f, 0.003f}), b_zp);
    REQUIRE(values<int8_t>(got) == values<int8_t>(want));
  }
  SECTION("shapes that are neither equal nor one value are a format error") {
    REQUIRE_THROWS_AS(matmul(Tensor::from<float>({3}, {0.02f, 0.05f, 0.011f}), Tensor::from<uint8_t>({2}, {1, 2}),
                             Tensor::scalar<float>(0.003f), Tensor::scalar<int8_t>(0)),
                      FormatError);
  }
}
