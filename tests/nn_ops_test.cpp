// Conv, Gemm, MatMul, the pools and the normalizations against PyTorch 1.13
// (float64, then rounded to float) and numpy: inputs are the deterministic
// gen(shape, k) = sin(0.37 i + k) * 0.6 over the flat index i; asymmetric pads
// were applied with F.pad before an unpadded torch op. Then the attribute
// checks: bad models must fail with octet::FormatError at plan time.
#include <catch2/catch.hpp>
#include <cmath>

#include "engine/session.h"
#include "graph/conv_attrs.h"
#include "graph/error.h"

using namespace octet;
using graph::Attribute;
using graph::DType;
using graph::Shape;
using graph::Tensor;

namespace {

Tensor gen(Shape shape, double k) {
  std::vector<float> v(static_cast<size_t>(graph::shape_numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(std::sin(0.37 * i + k) * 0.6);
  return Tensor::from<float>(std::move(shape), v);
}

Attribute ints(std::vector<int64_t> v) { return Attribute::of(std::move(v)); }
Attribute one_int(int64_t v) { return Attribute::of(v); }
Attribute one_float(float v) { return Attribute::of(v); }
Attribute text(const std::string& v) { return Attribute::of(v); }

// A one-node graph: the first input is a graph input, the others
// initializers (an empty tensor: the input is omitted).
struct OneNode {
  std::string op;
  std::map<std::string, Attribute> attrs;
  std::vector<Tensor> inputs;
  size_t num_outputs = 1;
  int64_t opset = 17;

  graph::Graph graph() const {
    graph::Graph g;
    g.opset = opset;
    graph::Node n;
    n.op_type = op;
    n.name = "n";
    n.attrs = attrs;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const std::string name = inputs[i].empty() ? "" : "in" + std::to_string(i);
      n.inputs.push_back(name);
      if (name.empty()) continue;
      if (i == 0) g.inputs.push_back({name, inputs[i].dtype(), inputs[i].shape(), {}, true});
      else g.initializers[name] = inputs[i];
    }
    for (size_t i = 0; i < num_outputs; ++i) {
      n.outputs.push_back("out" + std::to_string(i));
      g.outputs.push_back({n.outputs.back(), DType::Undefined, {}, {}, false});
    }
    g.nodes.push_back(n);
    return g;
  }
  std::vector<Tensor> run() const {
    engine::Session s(graph());
    return s.run({inputs[0]});
  }
};

template <class T>
void require_values(const Tensor& got, const Shape& shape, const std::vector<T>& want, double tol = 1e-5) {
  REQUIRE(got.shape() == shape);
  REQUIRE(static_cast<size_t>(got.numel()) == want.size());
  const T* d = got.data<T>();
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("element " << i);
    if (std::is_floating_point<T>::value)
      REQUIRE(std::abs(double(d[i]) - double(want[i])) <= tol * (1 + std::abs(double(want[i]))));
    else
      REQUIRE(d[i] == want[i]);
  }
}

// [1, 6, 3, 6]
const std::vector<float> kConv2dExpected = {1.854033f, 1.789191f, 1.556032f, 1.186113f, 0.7295002f, 0.5735163f, 0.6844482f, 0.9023474f, 1.07196f, 1.170328f, 1.18414f, 0.9567499f, -0.2205494f, 0.1788005f, 0.6277921f, 1.065656f, 1.433131f, 0.9995964f, 0.3026114f, 0.5266559f, 0.736044f, 0.9024359f, 1.003311f, 0.7404085f, -0.9731896f, -0.7126785f, -0.2990856f, 0.211611f, 0.750291f, 0.6344485f, 0.4093561f, 0.04120867f, -0.2758922f, -0.4990284f, -0.5979995f, -0.1863877f, -1.01164f, -1.067349f, -0.9468543f, -0.6664648f, -0.2641298f, 0.03331314f, 0.8444105f, 0.4863391f, 0.09418662f, -0.2789709f, -0.5826284f, -0.2929069f, 1.005507f, 0.8042448f, 0.5258745f, 0.2080722f, -0.106149f, 0.1059108f, 0.8896876f, 0.7915037f, 0.5887586f, 0.3088929f, -0.01021484f, -0.01958536f, 1.019161f, 1.082124f, 1.001192f, 0.7873182f, 0.4694499f, 0.2403024f, -0.773471f, -0.3443407f, 0.1339596f, 0.5966943f, 0.9812343f, 0.5852187f, 0.3811531f, 0.6437655f, 0.7922878f, 0.806618f, 0.6848167f, 0.2157542f, -1.60195f, -1.350928f, -0.9440246f, -0.436311f, 0.1034956f, 0.05343067f, -0.6366043f, -0.7601987f, -0.8078633f, -0.773147f, -0.6607485f, -0.5093457f, -1.573374f, -1.616493f, -1.493663f, -1.221507f, -0.8368625f, -0.5751053f, -0.635806f, -0.8338355f, -0.9718446f, -1.031155f, -1.003738f, -0.7476523f, 0.6374057f, 0.2747773f, -0.1778763f, -0.6592906f, -1.104309f, -0.7897576f};
// [2, 2, 5]
const std::vector<float> kConv1dSameUpper = {0.2501201f, 0.3612131f, 0.4241558f, 0.2652384f, 0.2229611f, -0.6870725f, -0.9065822f, -0.6214863f, -0.01131405f, 0.1164838f, -0.4359963f, -0.4300691f, -0.3200693f, -0.04265301f, -0.1410344f, 0.7334502f, 0.7274567f, 0.1692597f, -0.4774708f, -0.3854264f};
// [2, 2, 5]
const std::vector<float> kConv1dSameLower = {0.1870564f, 0.2523503f, 0.4211873f, 0.3697168f, 0.2595763f, -0.4528375f, -0.8709713f, -0.8194914f, -0.339366f, 0.08710666f, -0.3628032f, -0.399637f, -0.4022935f, -0.1945252f, -0.1133572f, 0.5067134f, 0.8755534f, 0.4809021f, -0.1652912f, -0.4853472f};
// [2, 2, 3, 2]
const std::vector<float> kConvPointwise = {0.7831561f, 0.77059f, 0.7214008f, 0.642246f, 0.5438389f, 0.4394984f, -0.4305027f, -0.3289183f, -0.2166526f, -0.1089003f, -0.02024524f, 0.03731362f, 0.2672853f, 0.2243295f, 0.2186843f, 0.251114f, 0.3172291f, 0.4080815f, 0.0324481f, -0.02927229f, -0.1208671f, -0.2299395f, -0.341727f, -0.4410997f};
// [1, 2, 3, 4, 3]
const std::vector<float> kConv3dDepthwise = {-0.01573076f, -0.009673366f, 0.003227298f, 0.006786379f, 0.2379529f, 0.3893281f, 0.1671784f, 0.5206412f, 0.4828066f, 0.1418892f, 0.2250654f, 0.04004291f, 0.1565686f, 0.2926544f, 0.4886247f, 0.2602157f, 0.4490033f, 0.6204623f, 0.397775f, 0.6996101f, 0.5965865f, 0.09353476f, 0.173176f, -0.08990425f, -0.3625164f, -0.6534314f, -0.5653361f, -0.373309f, -0.6583912f, -0.5117587f, -0.01739993f, -0.03992185f, 0.2214216f, 0.3578348f, 0.6228878f, 0.708674f, -0.01038245f, -0.1345898f, -0.1513685f, -0.2284557f, -0.6574243f, -0.6527532f, -0.2069543f, -0.3909595f, -0.1692693f, 0.04440652f, 0.309735f, 0.5022181f, -0.3039202f, -0.5481374f, -0.6312613f, -0.3661587f, -0.6379031f, -0.6838072f, -0.2754188f, -0.5042786f, -0.3031441f, 0.1212224f, 0.1894365f, 0.4142142f, 0.2610096f, 0.4676567f, 0.2774448f, 0.2195882f, 0.4088545f, 0.182979f, -0.1879399f, -0.3091451f, -0.5087869f, -0.3867274f, -0.6837844f, -0.6354549f};
// [3, 5]
const std::vector<float> kGemmExpected = {1.053719f, 1.310995f, 1.043913f, 0.8973276f, 1.023687f, 0.9793154f, 1.345109f, 1.124503f, 0.8778278f, 0.9395606f, 0.8888748f, 1.346712f, 1.215234f, 0.8926781f, 0.8515222f};
// [2, 4]
const std::vector<float> kMatMulVecBatch = {-0.09723683f, -0.1877874f, -0.2529218f, -0.2838244f, 0.2848593f, 0.2578476f, 0.1959374f, 0.107508f};
// [2, 3, 2, 2]
const std::vector<float> kMatMulBroadcast = {0.4833382f, 0.4367965f, 0.8236872f, 0.8450453f, -0.3226744f, -0.4317012f, -0.3281281f, -0.5897967f, -0.09319114f, 0.08517537f, -0.4269461f, -0.1319195f, 0.2491858f, 0.3147218f, -0.6020806f, -0.565156f, 0.03086257f, -0.09281858f, 0.3555749f, 0.507251f, -0.2865019f, -0.2024944f, 0.1721534f, -0.04816345f};
// [1, 2, 4, 3]
const std::vector<float> kMaxPoolExpected = {0.5756249f, 0.5756249f, 0.3109369f, 0.5982145f, 0.5982145f, 0.5982145f, 0.5982145f, 0.5982145f, 0.5982145f, 0.5982145f, 0.5982145f, 0.5982145f, -0.3316528f, 0.01635324f, 0.01635324f, 0.2968354f, 0.2968354f, 0.01635324f, 0.5992529f, 0.5992529f, 0.4627125f, 0.5992529f, 0.5992529f, 0.4627125f};
// [1, 2, 4, 3]
const std::vector<int64_t> kMaxPoolIndices = {22, 22, 24, 38, 38, 38, 38, 38, 38, 38, 38, 38, 78, 68, 68, 92, 92, 68, 106, 106, 108, 106, 106, 108};
// [1, 2, 4, 3]
const std::vector<int64_t> kMaxPoolIndicesColMajor = {11, 11, 27, 29, 29, 29, 29, 29, 29, 29, 29, 29, 67, 97, 97, 69, 69, 97, 71, 71, 87, 71, 71, 87};
// [1, 1, 4, 3]
const std::vector<float> kAvgPoolExclude = {0.3502475f, 0.3381065f, 0.1768525f, -0.07345175f, -0.08808694f, -0.06846185f, 0.08963315f, 0.07738792f, 0.02857249f, -0.1339937f, -0.4148604f, -0.5890077f};
// [1, 1, 4, 3]
const std::vector<float> kAvgPoolInclude = {0.1167492f, 0.2254043f, 0.1179017f, -0.03672587f, -0.08808694f, -0.06846185f, 0.04481657f, 0.07738792f, 0.02857249f, -0.03349842f, -0.2074302f, -0.2945038f};
// [2, 3, 2, 2]
const std::vector<float> kBatchNormExpected = {0.4881996f, 0.635231f, 0.7623625f, 0.8523872f, 0.9466594f, 0.9317026f, 0.8605135f, 0.7427272f, 0.5498831f, 0.3939326f, 0.2487279f, 0.1339217f, 0.09659427f, 0.08353891f, 0.1252525f, 0.2160892f, 0.3626864f, 0.5191757f, 0.6752663f, 0.8098322f, 0.8542936f, 0.8957376f, 0.8800104f, 0.8092407f};
// [2, 3, 4]
const std::vector<float> kLayerNormExpected = {0.7016447f, 0.7987625f, 0.7060151f, 0.3972106f, 0.7541697f, 0.3638502f, 0.07266554f, -0.02154347f, 0.8599701f, 1.026656f, 1.018563f, 0.7605933f, -0.4965884f, -0.5996718f, -0.5302654f, -0.3986806f, 0.4485558f, 0.3449945f, -0.009281052f, -0.4796388f, -0.08717647f, -0.26408f, -0.2892138f, -0.2287732f};
// [2, 1, 1]
const std::vector<float> kLayerNormMean = {1.370297f, 1.414379f};
// [2, 1, 1]
const std::vector<float> kLayerNormInvStd = {0.78598f, 0.8097244f};
// [2, 3]
const std::vector<float> kGlobalAvg = {0.4712861f, -0.3824578f, -0.008854561f, 0.3931639f, -0.4665217f, 0.1709096f};
// [2, 3]
const std::vector<float> kGlobalMax = {0.5985638f, 0.01295459f, 0.4725269f, 0.5982672f, -0.2086791f, 0.5754301f};

}  // namespace

TEST_CASE("Conv 2D: grouped, strided, dilated, asymmetric pads, bias") {
  OneNode c{"Conv",
            {{"group", one_int(2)},
             {"strides", ints({2, 1})},
             {"dilations", ints({2, 1})},
             {"pads", ints({1, 0, 2, 1})},
             {"kernel_shape", ints({3, 2})}},
            {gen({1, 4, 7, 6}, 0.0), gen({6, 2, 3, 2}, 1.0), gen({6}, 2.0)}};
  require_values(c.run()[0], {1, 6, 3, 6}, kConv2dExpected);
}

TEST_CASE("Conv 1D: SAME_UPPER and SAME_LOWER put the odd pad at the end or the begin") {
  OneNode c{"Conv", {{"strides", ints({2})}, {"auto_pad", text("SAME_UPPER")}},
            {gen({2, 3, 9}, 0.5), gen({2, 3, 4}, 1.5)}};
  require_values(c.run()[0], {2, 2, 5}, kConv1dSameUpper);
  c.attrs["auto_pad"] = text("SAME_LOWER");
  require_values(c.run()[0], {2, 2, 5}, kConv1dSameLower);
  // The geometry other conv-like ops share: total pad (5-1)*2 + 4 - 9 = 3.
  graph::Node n;
  n.op_type = "Conv";
  n.attrs = c.attrs;
  graph::ConvGeometry g = graph::resolve_conv_geometry(n, {2, 3, 9}, {2, 3, 4});
  REQUIRE(g.pad_begin == Shape{2});
  REQUIRE(g.pad_end == Shape{1});
  REQUIRE(g.out_size == Shape{5});
}

TEST_CASE("Conv 1x1 grouped (the path without im2col) and 3D depthwise") {
  OneNode pointwise{"Conv", {{"group", one_int(2)}},
                    {gen({2, 4, 3, 2}, 0.2), gen({2, 2, 1, 1}, 0.9), Tensor::from<float>({2}, {0.5f, -0.25f})}};
  require_values(pointwise.run()[0], {2, 2, 3, 2}, kConvPointwise);
  OneNode depthwise{"Conv", {{"group", one_int(2)}, {"pads", ints({1, 1, 1, 0, 0, 0})}},
                    {gen({1, 2, 3, 4, 3}, 0.3), gen({2, 1, 2, 2, 2}, 0.7)}};
  require_values(depthwise.run()[0], {1, 2, 3, 4, 3}, kConv3dDepthwise);
}

TEST_CASE("Gemm with transA, transB, alpha, beta and a broadcast C") {
  OneNode c{"Gemm",
            {{"transA", one_int(1)}, {"transB", one_int(1)}, {"alpha", one_float(0.5f)}, {"beta", one_float(2.f)}},
            {gen({4, 3}, 0.1), gen({5, 4}, 0.4), gen({5}, 0.8)}};
  require_values(c.run()[0], {3, 5}, kGemmExpected);
  // Without C: beta has nothing to scale.
  c.inputs.pop_back();
  std::vector<float> no_c = kGemmExpected;
  const Tensor cv = gen({5}, 0.8);
  for (size_t i = 0; i < no_c.size(); ++i) no_c[i] -= 2.f * cv.data<float>()[i % 5];
  require_values(c.run()[0], {3, 5}, no_c);
}

TEST_CASE("MatMul promotes 1-D operands and broadcasts batch dims") {
  OneNode v{"MatMul", {}, {gen({3}, 0.0), gen({2, 3, 4}, 1.0)}};
  require_values(v.run()[0], {2, 4}, kMatMulVecBatch);
  OneNode b{"MatMul", {}, {gen({2, 1, 2, 3}, 0.2), gen({3, 3, 2}, 0.6)}};
  require_values(b.run()[0], {2, 3, 2, 2}, kMatMulBroadcast);
}

TEST_CASE("MaxPool 2D: pads, strides, dilations, ceil_mode, Indices in both storage orders") {
  OneNode c{"MaxPool",
            {{"kernel_shape", ints({3, 3})},
             {"strides", ints({2, 2})},
             {"pads", ints({1, 1, 1, 1})},
             {"dilations", ints({2, 2})},
             {"ceil_mode", one_int(1)}},
            {gen({1, 2, 8, 7}, 0.0)},
            2};
  std::vector<Tensor> y = c.run();
  require_values(y[0], {1, 2, 4, 3}, kMaxPoolExpected);
  require_values(y[1], {1, 2, 4, 3}, kMaxPoolIndices);
  c.attrs["storage_order"] = one_int(1);
  require_values(c.run()[1], {1, 2, 4, 3}, kMaxPoolIndicesColMajor);
}

TEST_CASE("MaxPool on uint8 and GlobalMaxPool") {
  OneNode c{"MaxPool", {{"kernel_shape", ints({2})}, {"strides", ints({2})}, {"auto_pad", text("SAME_UPPER")}},
            {Tensor::from<uint8_t>({1, 1, 5}, {3, 250, 7, 9, 255})}};
  require_values(c.run()[0], {1, 1, 3}, std::vector<uint8_t>{250, 9, 255});
  OneNode g{"GlobalMaxPool", {}, {gen({2, 3, 2, 3}, 0.9)}};
  require_values(g.run()[0], {2, 3, 1, 1}, kGlobalMax);
}

TEST_CASE("AveragePool with ceil_mode, with and without count_include_pad; GlobalAveragePool") {
  OneNode c{"AveragePool",
            {{"kernel_shape", ints({3, 2})},
             {"strides", ints({2, 2})},
             {"pads", ints({1, 1, 1, 1})},
             {"ceil_mode", one_int(1)}},
            {gen({1, 1, 6, 5}, 0.4)}};
  // W: ceil((5 + 2 - 2) / 2) + 1 = 4 windows, but the 4th would start in the
  // end padding, so 3 (as torch).
  require_values(c.run()[0], {1, 1, 4, 3}, kAvgPoolExclude);
  c.attrs["count_include_pad"] = one_int(1);
  require_values(c.run()[0], {1, 1, 4, 3}, kAvgPoolInclude);
  OneNode g{"GlobalAveragePool", {}, {gen({2, 3, 2, 3}, 0.9)}};
  require_values(g.run()[0], {2, 3, 1, 1}, kGlobalAvg);
}

TEST_CASE("BatchNormalization in inference mode") {
  Tensor var = gen({3}, 4.0);
  for (int i = 0; i < 3; ++i) var.data<float>()[i] = std::abs(var.data<float>()[i]) + 0.1f;
  OneNode c{"BatchNormalization", {{"epsilon", one_float(1e-3f)}},
            {gen({2, 3, 2, 2}, 0.0), gen({3}, 1.0), gen({3}, 2.0), gen({3}, 3.0), var}};
  require_values(c.run()[0], {2, 3, 2, 2}, kBatchNormExpected);
  c.attrs["training_mode"] = one_int(1);
  REQUIRE_THROWS_AS(c.run(), UnsupportedError);
}

TEST_CASE("LayerNormalization with broadcast Scale and B, Mean and InvStdDev outputs") {
  Tensor x = gen({2, 3, 4}, 0.5);
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = x.data<float>()[i] * 3 + 1;
  OneNode c{"LayerNormalization", {{"axis", one_int(-2)}, {"epsilon", one_float(1e-2f)}},
            {x, gen({3, 4}, 1.2), gen({4}, 2.2)},
            3};
  std::vector<Tensor> y = c.run();
  require_values(y[0], {2, 3, 4}, kLayerNormExpected);
  require_values(y[1], {2, 1, 1}, kLayerNormMean);
  require_values(y[2], {2, 1, 1}, kLayerNormInvStd);
}

TEST_CASE("bad conv and pool attributes are rejected with FormatError") {
  const OneNode good{"Conv", {}, {gen({1, 4, 5, 5}, 0), gen({6, 2, 3, 3}, 1), gen({6}, 2)}};
  auto fails = [&](std::map<std::string, Attribute> attrs, const std::string& message) {
    OneNode c = good;
    c.attrs = std::move(attrs);
    c.attrs.emplace("group", one_int(2));
    INFO(message);
    REQUIRE_THROWS_WITH(engine::Session(c.graph()), Catch::Contains(message));
  };
  REQUIRE_NOTHROW(OneNode{good.op, {{"group", one_int(2)}}, good.inputs}.run());
  fails({{"strides", ints({1})}}, "strides");
  fails({{"strides", ints({1, 0})}}, "strides");
  fails({{"dilations", ints({1, -1})}}, "dilations");
  fails({{"pads", ints({1, 1, -1, 1})}}, "pads");
  fails({{"pads", ints({1, 1})}}, "pads");
  fails({{"kernel_shape", ints({3, 2})}}, "kernel_shape");
  fails({{"auto_pad", text("SAME")}}, "auto_pad");
  fails({{"dilations", ints({3, 1})}}, "output spatial size");
  fails({{"group", one_int(3)}}, "C/group");  // emplace keeps 3: C = 4
  {
    OneNode c = good;  // group 1: W must have C = 4 input channels
    REQUIRE_THROWS_AS(engine::Session(c.graph()), FormatError);
    c.attrs["group"] = one_int(2);
    c.inputs[2] = gen({5}, 2);
    REQUIRE_THROWS_WITH(engine::Session(c.graph()), Catch::Contains("bias"));
    c.inputs[2] = gen({6}, 2);
    c.attrs["group"] = one_int(4);  // M = 6 is not a multiple of 4
    REQUIRE_THROWS_WITH(engine::Session(c.graph()), Catch::Contains("multiple of group"));
    c.attrs["group"] = one_int(0);
    REQUIRE_THROWS_AS(engine::Session(c.graph()), FormatError);
  }
  OneNode pool{"MaxPool", {}, {gen({1, 1, 4, 4}, 0)}};
  REQUIRE_THROWS_WITH(engine::Session(pool.graph()), Catch::Contains("kernel_shape"));
  pool.attrs["kernel_shape"] = ints({2, 2});
  pool.attrs["pads"] = ints({2, 0, 0, 0});  // a window wholly in the padding
  REQUIRE_THROWS_WITH(engine::Session(pool.graph()), Catch::Contains("pads"));
  pool.attrs.erase("pads");
  pool.attrs["ceil_mode"] = one_int(2);
  REQUIRE_THROWS_AS(engine::Session(pool.graph()), FormatError);
  pool.attrs.erase("ceil_mode");
  pool.attrs["storage_order"] = one_int(5);
  REQUIRE_THROWS_AS(engine::Session(pool.graph()), FormatError);
}

TEST_CASE("bad Gemm, MatMul and normalization inputs are rejected") {
  OneNode gemm{"Gemm", {}, {gen({2, 3}, 0), gen({4, 5}, 1)}};
  REQUIRE_THROWS_WITH(engine::Session(gemm.graph()), Catch::Contains("inner dimension"));
  gemm.inputs[1] = gen({3, 5}, 1);
  gemm.inputs.push_back(gen({3}, 2));  // C [3] does not broadcast to [2, 5]
  REQUIRE_THROWS_WITH(engine::Session(gemm.graph()), Catch::Contains("broadcast"));
  OneNode mm{"MatMul", {}, {gen({2, 2, 3}, 0), gen({3, 3, 2}, 1)}};  // batch 2 vs 3
  REQUIRE_THROWS_AS(engine::Session(mm.graph()), FormatError);
  OneNode ln{"LayerNormalization", {{"axis", one_int(3)}}, {gen({2, 3, 4}, 0), gen({4}, 1)}};
  REQUIRE_THROWS_AS(engine::Session(ln.graph()), FormatError);
  OneNode bn{"BatchNormalization", {}, {gen({2, 3, 2}, 0), gen({3}, 1), gen({3}, 2), gen({2}, 3), gen({3}, 4)}};
  REQUIRE_THROWS_WITH(engine::Session(bn.graph()), Catch::Contains("input_mean"));
  OneNode conv64{"Conv", {}, {Tensor(DType::Float64, {1, 1, 3}), Tensor(DType::Float64, {1, 1, 1})}};
  REQUIRE_THROWS_AS(engine::Session(conv64.graph()), UnsupportedError);
}
