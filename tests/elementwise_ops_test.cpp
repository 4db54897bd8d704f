// Elementwise activations, broadcast arithmetic, Softmax and ReduceMean,
// run through Session on one-node graphs. Expected values were computed
// with PyTorch 1.13 / numpy in float64 (or by hand where noted) and pasted.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>

#include "engine/session.h"
#include "graph/error.h"
#include "kernels/broadcast.h"
#include "kernels/fp32/elementwise_f32.h"
#include "kernels/fp32/softmax_f32.h"

using namespace octet;
using graph::Attribute;
using graph::DType;
using graph::Shape;
using graph::Tensor;

namespace {

Attribute float_attr(float f) { return Attribute::of(f); }

Attribute int_attr(int64_t i) { return Attribute::of(i); }

Attribute ints_attr(std::vector<int64_t> v) { return Attribute::of(std::move(v)); }

struct OneNode {
  std::string op;
  std::vector<Tensor> inputs;                    // graph inputs i0, i1, ...
  std::map<std::string, Attribute> attrs;
  int64_t opset = 13;
  std::map<std::string, Tensor> initializers;   // extra node inputs, after the graph inputs
};

Tensor run(const OneNode& spec) {
  graph::Graph g;
  g.opset = spec.opset;
  graph::Node n;
  n.op_type = spec.op;
  n.name = "node";
  n.attrs = spec.attrs;
  for (size_t i = 0; i < spec.inputs.size(); ++i) {
    graph::ValueInfo v;
    v.name = "i" + std::to_string(i);
    v.dtype = spec.inputs[i].dtype();
    v.shape = spec.inputs[i].shape();
    v.has_shape = true;
    g.inputs.push_back(v);
    n.inputs.push_back(v.name);
  }
  for (const auto& kv : spec.initializers) {
    g.initializers[kv.first] = kv.second;
    n.inputs.push_back(kv.first);
  }
  n.outputs = {"y"};
  graph::ValueInfo y;
  y.name = "y";
  g.outputs.push_back(y);
  g.nodes.push_back(n);
  engine::Session s(std::move(g));
  return s.run(spec.inputs).at(0);
}

Tensor run(const std::string& op, std::vector<Tensor> inputs, std::map<std::string, Attribute> attrs = {},
           int64_t opset = 13) {
  return run(OneNode{op, std::move(inputs), std::move(attrs), opset, {}});
}

template <class T>
std::vector<T> values(const Tensor& t) {
  const T* d = t.data<T>();
  return std::vector<T>(d, d + t.numel());
}

void require_close(const Tensor& got, const Shape& shape, const std::vector<float>& want, double rel = 1e-5,
                   double abs = 1e-6) {
  REQUIRE(got.shape() == shape);
  std::vector<float> g = values<float>(got);
  REQUIRE(g.size() == want.size());
  for (size_t i = 0; i < g.size(); ++i) {
    INFO("element " << i << ": got " << g[i] << ", want " << want[i]);
    REQUIRE(std::fabs(g[i] - want[i]) <= abs + rel * std::fabs(want[i]));
  }
}

// 11 values: two SSE batches and a 3-element scalar tail.
const std::vector<float> kX = {-3.5f, -1.f, -0.25f, 0.f, 0.3f, 1.f, 2.5f, 10.f, -7.f, 0.05f, 4.f};

Tensor x11() { return Tensor::from<float>({11}, kX); }

}  // namespace

TEST_CASE("activations match PyTorch") {
  require_close(run("Relu", {x11()}), {11}, {0, 0, 0, 0, 0.3f, 1, 2.5f, 10, 0, 0.05f, 4});
  require_close(run("LeakyRelu", {x11()}, {{"alpha", float_attr(0.1f)}}), {11},
                {-0.35f, -0.1f, -0.025f, 0, 0.3f, 1, 2.5f, 10, -0.7f, 0.05f, 4});
  require_close(run("Sigmoid", {x11()}), {11},
                {0.0293122308f, 0.268941421f, 0.437823499f, 0.5f, 0.57444252f, 0.731058579f, 0.92414182f,
                 0.999954602f, 0.000911051194f, 0.512497397f, 0.98201379f});
  require_close(run("Tanh", {x11()}), {11},
                {-0.998177898f, -0.761594156f, -0.244918662f, 0, 0.291312623f, 0.761594156f, 0.986614298f,
                 0.999999996f, -0.999998337f, 0.0499583757f, 0.9993293f});
  require_close(run("HardSigmoid", {x11()}), {11}, {0, 0.3f, 0.45f, 0.5f, 0.56f, 0.7f, 1, 1, 0, 0.51f, 1});
  require_close(run("HardSwish", {x11()}), {11},
                {0, -0.333333333f, -0.114583333f, 0, 0.165000007f, 0.666666667f, 2.29166667f, 10, 0,
                 0.0254166671f, 4});
  require_close(run("Elu", {x11()}, {{"alpha", float_attr(2.f)}}, 6), {11},
                {-1.93960523f, -1.26424112f, -0.442398434f, 0, 0.3f, 1, 2.5f, 10, -1.99817624f, 0.05f, 4});
  require_close(run("Celu", {x11()}, {{"alpha", float_attr(1.5f)}}, 12), {11},
                {-1.35454205f, -0.729874321f, -0.230277413f, 0, 0.3f, 1, 2.5f, 10, -1.48589466f, 0.05f, 4});
  require_close(run("Erf", {x11()}), {11},
                {-0.999999257f, -0.842700793f, -0.27632639f, 0, 0.328626772f, 0.842700793f, 0.999593048f, 1, -1,
                 0.0563719786f, 0.999999985f});
  require_close(run("Exp", {x11()}), {11},
                {0.0301973834f, 0.367879441f, 0.778800783f, 1, 1.34985882f, 2.71828183f, 12.182494f, 22026.4658f,
                 0.000911881966f, 1.0512711f, 54.59815f});
  require_close(run("Neg", {x11()}), {11}, {3.5f, 1, 0.25f, 0, -0.3f, -1, -2.5f, -10, 7, -0.05f, -4});
  require_close(run("Abs", {x11()}), {11}, {3.5f, 1, 0.25f, 0, 0.3f, 1, 2.5f, 10, 7, 0.05f, 4});
  Tensor magnitudes = run("Abs", {x11()});
  require_close(run("Sqrt", {magnitudes}), {11},
                {1.87082869f, 1, 0.5f, 0, 0.547722568f, 1, 1.58113883f, 3.16227766f, 2.64575131f, 0.223606799f, 2});
}

TEST_CASE("activations keep NaN and saturate at extremes") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  Tensor x = Tensor::from<float>({4}, {nan, -200.f, 200.f, -inf});
  for (const char* op : {"Relu", "Sigmoid", "Tanh", "Clip", "HardSigmoid", "Elu"})
    REQUIRE(std::isnan(values<float>(run(op, {x}))[0]));
  REQUIRE(values<float>(run("Sigmoid", {x}))[1] == 0.f);
  REQUIRE(values<float>(run("Sigmoid", {x}))[2] == 1.f);
  REQUIRE(values<float>(run("Tanh", {x}))[3] == -1.f);
  REQUIRE(values<float>(run("Exp", {x}))[3] == 0.f);
  REQUIRE(values<float>(run("Elu", {x}))[3] == -1.f);
}

TEST_CASE("SIMD bodies and scalar tails agree with the C library") {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-12.f, 12.f);
  std::vector<float> x(1003), y(1003);
  for (float& v : x) v = dist(rng);
  auto check = [&](void (*kernel)(const float*, float*, int64_t), double (*ref)(double)) {
    kernel(x.data(), y.data(), static_cast<int64_t>(x.size()));
    for (size_t i = 0; i < x.size(); ++i) {
      const double want = ref(x[i]);
      INFO("x = " << x[i]);
      REQUIRE(std::fabs(y[i] - want) <= 1e-30 + 1e-6 * std::fabs(want));
    }
  };
  check(kernels::exp_f32, [](double v) { return std::exp(v); });
  check(kernels::tanh_f32, [](double v) { return std::tanh(v); });
  check(kernels::erf_f32, [](double v) { return std::erf(v); });
  check(kernels::sigmoid_f32, [](double v) { return 1 / (1 + std::exp(-v)); });
}

// xsimd 8.1 divides float batches on aarch64 by a reciprocal estimate and
// Newton steps; the kernels' divide must give the IEEE quotient on every
// target (kernels/fp32/float_batch.h), vector body and tail alike.
TEST_CASE("Div gives the correctly rounded quotient, body and tail") {
  std::mt19937 rng(21);
  std::uniform_real_distribution<float> mantissa(1.f, 2.f);
  std::uniform_int_distribution<int> exponent(-60, 60);
  const int64_t n = 1003;
  std::vector<float> a(n), b(n), y(n);
  for (int64_t i = 0; i < n; ++i) {
    a[i] = std::ldexp(mantissa(rng), exponent(rng)) * (i % 3 ? 1.f : -1.f);
    b[i] = std::ldexp(mantissa(rng), exponent(rng));
  }
  kernels::binary_f32(kernels::BinaryOp::Div, a.data(), {n}, b.data(), {n}, y.data(), {n});
  for (int64_t i = 0; i < n; ++i) {
    INFO(a[i] << " / " << b[i]);
    REQUIRE(y[i] == a[i] / b[i]);
  }
}

TEST_CASE("arithmetic broadcasts multidirectionally") {
  Tensor a = Tensor::from<float>({2, 3, 1}, {1.5f, -2.f, 3.f, 0.5f, 4.f, -1.f});
  Tensor b = Tensor::from<float>({1, 4}, {2.f, -0.5f, 1.f, 4.f});
  require_close(run("Add", {a, b}), {2, 3, 4},
                {3.5f, 1, 2.5f, 5.5f, 0, -2.5f, -1, 2, 5, 2.5f, 4, 7, 2.5f, 0, 1.5f, 4.5f, 6, 3.5f, 5, 8, 1, -1.5f, 0, 3});
  require_close(run("Sub", {a, b}), {2, 3, 4},
                {-0.5f, 2, 0.5f, -2.5f, -4, -1.5f, -3, -6, 1, 3.5f, 2, -1, -1.5f, 1, -0.5f, -3.5f, 2, 4.5f, 3, 0, -3,
                 -0.5f, -2, -5});
  require_close(run("Mul", {a, b}), {2, 3, 4},
                {3, -0.75f, 1.5f, 6, -4, 1, -2, -8, 6, -1.5f, 3, 12, 1, -0.25f, 0.5f, 2, 8, -2, 4, 16, -2, 0.5f, -1, -4});
  require_close(run("Div", {a, b}), {2, 3, 4},
                {0.75f, -3, 1.5f, 0.375f, -1, 4, -2, -0.5f, 1.5f, -6, 3, 0.75f, 0.25f, -1, 0.5f, 0.125f, 2, -8, 4, 1,
                 -0.5f, 2, -1, -0.25f});
  // A scalar on either side.
  require_close(run("Sub", {x11(), Tensor::scalar(1.f)}), {11},
                {-4.5f, -2, -1.25f, -1, -0.7f, 0, 1.5f, 9, -8, -0.95f, 3});
  require_close(run("Div", {Tensor::scalar(1.f), Tensor::from<float>({5}, {2, 4, -8, 0.5f, 1})}), {5},
                {0.5f, 0.25f, -0.125f, 2, 1});
}

TEST_CASE("Sum adds any number of broadcast inputs") {
  Tensor s0 = Tensor::from<float>({3}, {1, 2, 3});
  Tensor s1 = Tensor::from<float>({2, 1}, {10, 20});
  require_close(run("Sum", {s0, s1, Tensor::scalar(0.5f)}), {2, 3}, {11.5f, 12.5f, 13.5f, 21.5f, 22.5f, 23.5f});
  require_close(run("Sum", {s0}), {3}, {1, 2, 3});
  REQUIRE(values<int64_t>(run("Sum", {Tensor::from<int64_t>({2}, {5, -7}), Tensor::scalar<int64_t>(3)})) ==
          std::vector<int64_t>{8, -4});
}

TEST_CASE("integer arithmetic wraps and divides like C, never traps") {
  // numpy uint8 results; x / 0 is 0 as numpy gives.
  Tensor a = Tensor::from<uint8_t>({6}, {200, 3, 16, 7, 7, 255});
  Tensor b = Tensor::from<uint8_t>({6}, {100, 5, 17, 2, 0, 255});
  REQUIRE(values<uint8_t>(run("Add", {a, b})) == std::vector<uint8_t>{44, 8, 33, 9, 7, 254});
  REQUIRE(values<uint8_t>(run("Sub", {a, b})) == std::vector<uint8_t>{100, 254, 255, 5, 7, 0});
  REQUIRE(values<uint8_t>(run("Mul", {a, b})) == std::vector<uint8_t>{32, 15, 16, 14, 0, 1});
  REQUIRE(values<uint8_t>(run("Div", {a, b})) == std::vector<uint8_t>{2, 0, 0, 3, 0, 1});
  // int8 with broadcasting (numpy).
  Tensor x = Tensor::from<int8_t>({2, 3}, {100, -100, 5, 127, -128, 0});
  Tensor y = Tensor::from<int8_t>({3}, {50, -50, -6});
  REQUIRE(values<int8_t>(run("Add", {x, y})) == std::vector<int8_t>{-106, 106, -1, -79, 78, -6});
  REQUIRE(values<int8_t>(run("Mul", {x, y})) == std::vector<int8_t>{-120, -120, -30, -50, 0, 0});
  // Signed division truncates toward zero (ONNX Runtime, C); INT_MIN / -1 wraps.
  const int32_t lowest = std::numeric_limits<int32_t>::lowest();
  Tensor p = Tensor::from<int32_t>({4}, {-7, 7, lowest, 9});
  Tensor q = Tensor::from<int32_t>({4}, {2, -2, -1, 0});
  REQUIRE(values<int32_t>(run("Div", {p, q})) == std::vector<int32_t>{-3, -3, lowest, 0});
}

TEST_CASE("PRelu broadcasts the slope to X") {
  Tensor x = Tensor::from<float>({2, 3}, {-2, 1, -0.5f, 3, -4, 0});
  Tensor slope = Tensor::from<float>({3}, {0.1f, -2, 0.5f});
  require_close(run("PRelu", {x, slope}, {}, 16), {2, 3}, {-0.2f, 1, -0.25f, 3, 8, 0});
  REQUIRE_THROWS_WITH(run("PRelu", {x, Tensor::from<float>({2}, {1, 1})}, {}, 16), Catch::Contains("do not broadcast"));
  REQUIRE_THROWS_WITH(run("PRelu", {Tensor::from<float>({3}, {1, 2, 3}), Tensor::from<float>({2, 3}, {1, 1, 1, 1, 1, 1})},
                          {}, 16),
                      Catch::Contains("does not broadcast to X"));
}

TEST_CASE("Clip bounds come from attributes before opset 11 and inputs after") {
  Tensor x = Tensor::from<float>({5}, {-3, -1, 0, 2, 5});
  require_close(run("Clip", {x, Tensor::scalar(-1.5f), Tensor::scalar(2.5f)}), {5}, {-1.5f, -1, 0, 2, 2.5f});
  require_close(run("Clip", {x}, {{"min", float_attr(-0.5f)}, {"max", float_attr(1.f)}}, 6), {5},
                {-0.5f, -0.5f, 0, 1, 1});
  require_close(run("Clip", {x}, {{"max", float_attr(1.f)}}, 6), {5}, {-3, -1, 0, 1, 1});
  require_close(run("Clip", {x}), {5}, {-3, -1, 0, 2, 5});
  // min > max: every value becomes max, as numpy.clip.
  require_close(run("Clip", {x, Tensor::scalar(3.f), Tensor::scalar(1.f)}), {5}, {1, 1, 1, 1, 1});
  // Integers: omitted bounds are the type's limits.
  REQUIRE(values<int8_t>(run("Clip", {Tensor::from<int8_t>({4}, {-128, -5, 9, 127})})) ==
          std::vector<int8_t>{-128, -5, 9, 127});
  REQUIRE(values<int8_t>(run("Clip", {Tensor::from<int8_t>({4}, {-128, -5, 9, 127}), Tensor::scalar<int8_t>(-6),
                                      Tensor::scalar<int8_t>(8)})) == std::vector<int8_t>{-6, -5, 8, 8});
  REQUIRE(values<int64_t>(run("Clip", {Tensor::from<int64_t>({3}, {-9, 0, 9}), Tensor::scalar<int64_t>(-1)})) ==
          std::vector<int64_t>{-1, 0, 9});
  REQUIRE_THROWS_WITH(run("Clip", {x, Tensor::from<float>({2}, {0, 1})}), Catch::Contains("min must be a scalar"));
  REQUIRE_THROWS_WITH(run("Clip", {x, Tensor::scalar<int8_t>(1)}), Catch::Contains("must be float32"));
}

TEST_CASE("Softmax follows the opset's axis semantics") {
  std::vector<float> xs(24);
  for (int i = 0; i < 24; ++i) xs[i] = static_cast<float>(i) * 0.37f - 4.f;
  Tensor x = Tensor::from<float>({2, 3, 4}, xs);
  // opset 13: over dim 1 alone (PyTorch softmax(x, 1)).
  require_close(run("Softmax", {x}, {{"axis", int_attr(1)}}, 13), {2, 3, 4},
                {0.0405007213f, 0.0405007213f, 0.0405007213f, 0.0405007213f, 0.177917472f, 0.177917472f,
                 0.177917472f,  0.177917472f,  0.781581806f,  0.781581806f,  0.781581806f, 0.781581806f,
                 0.0405007213f, 0.0405007213f, 0.0405007248f, 0.0405007213f, 0.177917472f, 0.177917472f,
                 0.177917403f,  0.177917472f,  0.781581806f,  0.781581806f,  0.781581873f, 0.781581806f});
  // opset 11: x coerced to [2, 12] at axis 1.
  require_close(run("Softmax", {x}, {{"axis", int_attr(1)}}, 11), {2, 3, 4},
                {0.00534449294f, 0.00773740654f, 0.0112017127f, 0.0162171092f, 0.0234780676f, 0.0339900073f,
                 0.0492085162f,  0.0712408811f,  0.103137878f,  0.149316259f,  0.216170343f,  0.312957327f,
                 0.00534449271f, 0.00773740622f, 0.0112017149f, 0.0162171085f, 0.0234780666f, 0.0339900059f,
                 0.0492085024f,  0.0712408781f,  0.103137873f,  0.149316252f,  0.216170385f,  0.312957314f});
  // opset 13 default: the last axis.
  Tensor last = run("Softmax", {x});
  std::vector<float> row = {0.131960438f, 0.191043672f, 0.276580572f, 0.400415317f};
  std::vector<float> want;
  for (int r = 0; r < 6; ++r) want.insert(want.end(), row.begin(), row.end());
  require_close(last, {2, 3, 4}, want);
  REQUIRE_THROWS_WITH(run("Softmax", {x}, {{"axis", int_attr(3)}}), Catch::Contains("axis 3 out of range for rank 3"));
}

TEST_CASE("Softmax does not overflow on large inputs") {
  Tensor x = Tensor::from<float>({2, 4}, {1000, 1001, 1002, 1003, -1000, -1001, -1002, -10000});
  require_close(run("Softmax", {x}), {2, 4},
                {0.0320586f, 0.08714432f, 0.23688282f, 0.64391426f, 0.66524096f, 0.24472847f, 0.09003057f, 0});
  // The strided path (axis not last) with the same rows transposed.
  Tensor xt = Tensor::from<float>({4, 2}, {1000, -1000, 1001, -1001, 1002, -1002, 1003, -10000});
  require_close(run("Softmax", {xt}, {{"axis", int_attr(0)}}), {4, 2},
                {0.0320586f, 0.66524096f, 0.08714432f, 0.24472847f, 0.23688282f, 0.09003057f, 0.64391426f, 0});
}

TEST_CASE("Softmax kernel matches a direct double computation on odd shapes") {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-30.f, 30.f);
  for (auto dims : {std::vector<int64_t>{3, 7, 5}, {1, 13, 1}, {2, 1, 9}, {2, 5, 6}}) {
    const int64_t outer = dims[0], axis = dims[1], inner = dims[2];
    std::vector<float> x(outer * axis * inner), y(x.size());
    for (float& v : x) v = dist(rng);
    kernels::softmax_f32(x.data(), y.data(), outer, axis, inner);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        auto at = [&](int64_t a) { return (o * axis + a) * inner + i; };
        double m = -1e300, sum = 0;
        for (int64_t a = 0; a < axis; ++a) m = std::max(m, double(x[at(a)]));
        for (int64_t a = 0; a < axis; ++a) sum += std::exp(x[at(a)] - m);
        for (int64_t a = 0; a < axis; ++a) {
          const double want = std::exp(x[at(a)] - m) / sum;
          REQUIRE(std::fabs(y[at(a)] - want) <= 1e-7 + 1e-5 * want);
        }
      }
  }
}

TEST_CASE("ReduceMean over attribute or input axes") {
  std::vector<float> xs(24);
  for (int i = 0; i < 24; ++i) xs[i] = static_cast<float>(i) * 0.37f - 4.f;
  Tensor x = Tensor::from<float>({2, 3, 4}, xs);
  // numpy mean over axes (0, 2), keepdims.
  require_close(run("ReduceMean", {x}, {{"axes", ints_attr({0, 2})}}), {1, 3, 1},
                {-1.22499993f, 0.255000025f, 1.7350001f});
  require_close(run("ReduceMean", {x}, {{"axes", ints_attr({-2})}, {"keepdims", int_attr(0)}}), {2, 4},
                {-2.51999998f, -2.1500001f, -1.77999997f, -1.40999985f, 1.92000008f, 2.28999996f, 2.66000017f,
                 3.03000021f});
  require_close(run("ReduceMean", {x}), {1, 1, 1}, {0.255000065f});
  require_close(run("ReduceMean", {x}, {{"keepdims", int_attr(0)}}), {}, {0.255000065f});
  // opset 18: axes as an input; empty axes with noop_with_empty_axes is the identity.
  OneNode by_input{"ReduceMean", {x}, {{"keepdims", int_attr(0)}}, 18, {}};
  by_input.initializers["axes"] = Tensor::from<int64_t>({1}, {1});
  require_close(run(by_input), {2, 4},
                {-2.51999998f, -2.1500001f, -1.77999997f, -1.40999985f, 1.92000008f, 2.28999996f, 2.66000017f,
                 3.03000021f});
  OneNode noop{"ReduceMean", {x}, {{"noop_with_empty_axes", int_attr(1)}}, 18, {}};
  require_close(run(noop), {2, 3, 4}, xs);
  REQUIRE_THROWS_WITH(run("ReduceMean", {x}, {{"axes", ints_attr({1, -2})}}), Catch::Contains("listed twice"));
  REQUIRE_THROWS_WITH(run("ReduceMean", {x}, {{"axes", ints_attr({3})}}), Catch::Contains("out of range"));
  // A reduction over zero elements is NaN, as numpy.mean.
  REQUIRE(std::isnan(values<float>(run("ReduceMean", {Tensor(DType::Float32, {2, 0})}, {{"axes", ints_attr({1})}}))[0]));
}

TEST_CASE("ReduceSum takes axes as input from opset 13; ReduceMax and ReduceMin keep NaN") {
  std::vector<float> xs(24);
  for (int i = 0; i < 24; ++i) xs[i] = static_cast<float>(i) * 0.37f - 4.f;
  Tensor x = Tensor::from<float>({2, 3, 4}, xs);
  OneNode sum{"ReduceSum", {x}, {{"keepdims", int_attr(0)}}, 13, {}};
  sum.initializers["axes"] = Tensor::from<int64_t>({1}, {1});
  require_close(run(sum), {2, 4},
                {-7.55999994f, -6.45000029f, -5.33999991f, -4.22999954f, 5.76000023f, 6.86999989f, 7.98000050f,
                 9.09000063f});
  require_close(run("ReduceSum", {x}, {}, 13), {1, 1, 1}, {6.12000155f});
  require_close(run("ReduceSum", {x}, {{"axes", ints_attr({1})}}, 11), {2, 1, 4},
                {-7.55999994f, -6.45000029f, -5.33999991f, -4.22999954f, 5.76000023f, 6.86999989f, 7.98000050f,
                 9.09000063f});
  require_close(run("ReduceMax", {x}, {{"axes", ints_attr({2})}, {"keepdims", int_attr(0)}}), {2, 3},
                {-2.88999987f, -1.40999985f, 0.0700001717f, 1.55000019f, 3.03000021f, 4.51000023f});
  require_close(run("ReduceMin", {x}, {{"axes", ints_attr({0, 1})}, {"keepdims", int_attr(0)}}), {4},
                {-4.f, -3.63000011f, -3.25999999f, -2.88999987f});
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor with_nan = Tensor::from<float>({2, 5}, {1, nan, 3, 4, 5, 9, 8, 7, 6, 5});
  std::vector<float> max = values<float>(run("ReduceMax", {with_nan}, {{"axes", ints_attr({1})}}));
  REQUIRE(std::isnan(max[0]));
  REQUIRE(max[1] == 9.f);
  std::vector<float> min = values<float>(run("ReduceMin", {with_nan}, {{"axes", ints_attr({0})}}));
  REQUIRE(min.size() == 5);
  REQUIRE(std::isnan(min[1]));
  min[1] = 0;
  REQUIRE(min == std::vector<float>{1, 0, 3, 4, 5});
}

TEST_CASE("shape errors name the node") {
  Tensor a = Tensor::from<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  for (const char* op : {"Add", "Sub", "Mul", "Div"})
    REQUIRE_THROWS_WITH(run(op, {a, Tensor::from<float>({4}, {1, 2, 3, 4})}),
                        Catch::Contains("node") && Catch::Contains("[2, 3] and [4] do not broadcast"));
  REQUIRE_THROWS_AS(run("Sum", {a, Tensor::from<float>({2, 2}, {1, 2, 3, 4})}), FormatError);
  REQUIRE_THROWS_WITH(run("Add", {a, Tensor::from<int32_t>({3}, {1, 2, 3})}), Catch::Contains("must be float32"));
  REQUIRE_THROWS_WITH(run("Celu", {a}, {{"alpha", float_attr(0.f)}}, 12), Catch::Contains("alpha must be non-zero"));
  REQUIRE_THROWS_AS(run("Relu", {Tensor::from<int32_t>({2}, {1, -1})}), UnsupportedError);
}

TEST_CASE("broadcast plans collapse to the fewest loops") {
  using kernels::plan_broadcast;
  auto same = plan_broadcast({2, 3, 4}, {2, 3, 4}, {2, 3, 4});
  REQUIRE(same.dims == std::vector<int64_t>{24});
  auto scalar = plan_broadcast({2, 3, 4}, {2, 3, 4}, {});
  REQUIRE(scalar.dims == std::vector<int64_t>{24});
  REQUIRE(scalar.b_strides == std::vector<int64_t>{0});
  auto bias = plan_broadcast({2, 3, 4, 5}, {2, 3, 4, 5}, {3, 1, 1});
  REQUIRE(bias.dims == std::vector<int64_t>{2, 3, 20});
  REQUIRE(bias.b_strides == std::vector<int64_t>{0, 1, 0});
}

TEST_CASE("binary_f32 matches direct indexing over random shapes") {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> dim(1, 5), coin(0, 2);
  std::uniform_real_distribution<float> val(-4.f, 4.f);
  for (int trial = 0; trial < 200; ++trial) {
    const size_t rank = 1 + trial % 4;
    Shape out(rank), a(rank), b(rank);
    for (size_t i = 0; i < rank; ++i) {
      out[i] = dim(rng);
      a[i] = coin(rng) == 0 ? 1 : out[i];
      b[i] = coin(rng) == 0 ? 1 : out[i];
    }
    if (trial % 3 == 0) b.erase(b.begin());  // lower rank on one side
    std::vector<float> av(graph::shape_numel(a)), bv(graph::shape_numel(b)), got(graph::shape_numel(out));
    for (float& v : av) v = val(rng);
    for (float& v : bv) v = val(rng);
    kernels::binary_f32(kernels::BinaryOp::Sub, av.data(), a, bv.data(), b, got.data(), out);
    for (int64_t flat = 0; flat < graph::shape_numel(out); ++flat) {
      int64_t rem = flat, ai = 0, bi = 0, astride = 1, bstride = 1;
      for (size_t d = rank; d-- > 0;) {
        const int64_t idx = rem % out[d];
        rem /= out[d];
        ai += (a[d] == 1 ? 0 : idx) * astride;
        astride *= a[d];
        const size_t bd = d + b.size() - rank;
        if (d + b.size() >= rank) {
          bi += (b[bd] == 1 ? 0 : idx) * bstride;
          bstride *= b[bd];
        }
      }
      REQUIRE(got[flat] == av[ai] - bv[bi]);
    }
  }
}
