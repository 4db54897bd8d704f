// The quantized elementwise contrib ops (engine/ops/qelementwise.cpp,
// graph/shapes_qelementwise.cpp): each reference OpFn against a float
// computation written here (dequantize, float op, quantize with round half
// to even), each prepared op bit for bit against its OpFn at every ISA level
// this CPU runs, through engine::Session as well (so the registry's
// "com.microsoft:..." keys are covered), and the shape rules' errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "graph/passes.h"
#include "prepared_op_harness.h"

using namespace octet;
using namespace octet::testing;
using graph::Attribute;
using graph::DType;
using graph::Shape;
using graph::Tensor;

namespace {

std::mt19937& rng() {
  static std::mt19937 g(7151);
  return g;
}

int32_t type_min(DType t) { return t == DType::UInt8 ? 0 : -128; }
int32_t type_max(DType t) { return t == DType::UInt8 ? 255 : 127; }

int32_t random_zero_point(DType t) {
  std::uniform_int_distribution<int32_t> d(type_min(t), type_max(t));
  return d(rng());
}

float random_scale(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(rng()); }

std::vector<int32_t> ints(const Tensor& t) {
  std::vector<int32_t> v;
  for (int64_t x : t.to_int64()) v.push_back(static_cast<int32_t>(x));
  return v;
}

// ---- the independent float reference ----

float dequantize(int32_t q, float scale, int32_t zero_point) { return static_cast<float>(q - zero_point) * scale; }

// QuantizeLinear: x / scale rounded half to even (the default rounding
// mode of nearbyint), plus the zero point, saturated.
int32_t quantize(float x, float scale, int32_t zero_point, DType t) {
  const float r = std::nearbyint(x / scale) + static_cast<float>(zero_point);
  return static_cast<int32_t>(std::min(std::max(r, float(type_min(t))), float(type_max(t))));
}

// Row-major offset into an operand of `shape` broadcast to `out` (numpy rules).
int64_t broadcast_offset(const Shape& out, const Shape& shape, int64_t flat) {
  std::vector<int64_t> index(out.size());
  for (size_t d = out.size(); d-- > 0;) {
    index[d] = flat % out[d];
    flat /= out[d];
  }
  int64_t offset = 0;
  const size_t lead = out.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d) offset = offset * shape[d] + (shape[d] == 1 ? 0 : index[lead + d]);
  return offset;
}

// How many outputs differ from the float reference, failing on any farther than 1 LSB.
int64_t count_off_by_one(const Tensor& got, const std::vector<int32_t>& want) {
  const std::vector<int32_t> g = ints(got);
  REQUIRE(g.size() == want.size());
  int64_t off = 0;
  for (size_t i = 0; i < g.size(); ++i) {
    INFO("element " << i << ": got " << g[i] << ", want " << want[i]);
    REQUIRE(std::abs(g[i] - want[i]) <= 1);
    off += g[i] != want[i];
  }
  return off;
}

// The kernels compute Add as (a - za) * (sa / sy) + (b - zb) * (sb / sy) and
// Mul as (a - za)(b - zb) * (sa sb / sy), the reference below as the real
// values' sum or product divided by sy: different float roundings, so a
// value within a few ulps of a .5 boundary may round the other way. Such
// values are rare: anything beyond 1 LSB, or 1 LSB on more than 1% of the
// outputs, is a real error.
void require_close(const Tensor& got, const std::vector<int32_t>& want) {
  const int64_t off = count_off_by_one(got, want);
  REQUIRE(off <= 1 + static_cast<int64_t>(want.size()) / 100);
}

// ---- QLinearAdd / QLinearMul ----

struct Binary {
  std::string op = "QLinearAdd";
  DType t = DType::UInt8;
  Shape a = {37}, b = {37};
  Fill a_fill = Fill::Random, b_fill = Fill::Random;
  float a_scale = 0.05f, b_scale = 0.03f, y_scale = 0.07f;
  int32_t a_zp = 0, b_zp = 0, y_zp = 0;
  std::map<std::string, Attribute> attrs;
  bool omit_zero_points = false;

  // Random zero points and scales that spread the output over its range.
  void randomize() {
    a_zp = random_zero_point(t), b_zp = random_zero_point(t), y_zp = random_zero_point(t);
    a_scale = random_scale(0.01f, 0.1f), b_scale = random_scale(0.01f, 0.1f);
    y_scale = op == "QLinearAdd" ? (a_scale + b_scale) * random_scale(0.6f, 1.4f)
                                 : a_scale * b_scale * random_scale(80.f, 200.f);
  }

  void relu() { attrs[graph::kActivationMin] = Attribute::of(0.0f); }
  void clip(float lo, float hi) {
    attrs[graph::kActivationMin] = Attribute::of(lo);
    attrs[graph::kActivationMax] = Attribute::of(hi);
  }

  NodeCase node_case() const {
    NodeCase c;
    c.op = op;
    c.domain = graph::kMicrosoftDomain;
    c.attrs = attrs;
    const Tensor none;
    c.inputs = {filled(rng(), t, a, a_fill),
                Tensor::scalar<float>(a_scale),
                omit_zero_points ? none : zero_point(t, a_zp),
                filled(rng(), t, b, b_fill),
                Tensor::scalar<float>(b_scale),
                omit_zero_points ? none : zero_point(t, b_zp),
                Tensor::scalar<float>(y_scale),
                omit_zero_points ? none : zero_point(t, y_zp)};
    c.runtime = {0, 3};
    return c;
  }

  float attr(const char* key, float fallback) const {
    auto it = attrs.find(key);
    return it == attrs.end() ? fallback : it->second.f;
  }

  // Dequantize, add or multiply, clamp (the fused activation), quantize.
  std::vector<int32_t> expected(const NodeCase& c) const {
    const Shape out = graph::broadcast_shapes(a, b, "test");
    const std::vector<int32_t> av = ints(c.inputs[0]), bv = ints(c.inputs[3]);
    const int32_t za = omit_zero_points ? 0 : a_zp, zb = omit_zero_points ? 0 : b_zp, zy = omit_zero_points ? 0 : y_zp;
    const float inf = std::numeric_limits<float>::infinity();
    const float lo = attr(graph::kActivationMin, -inf), hi = attr(graph::kActivationMax, inf);
    std::vector<int32_t> want(static_cast<size_t>(graph::shape_numel(out)));
    for (int64_t i = 0; i < static_cast<int64_t>(want.size()); ++i) {
      const float x = dequantize(av[broadcast_offset(out, a, i)], a_scale, za);
      const float y = dequantize(bv[broadcast_offset(out, b, i)], b_scale, zb);
      const float r = op == "QLinearAdd" ? x + y : x * y;
      want[i] = quantize(std::min(std::max(r, lo), hi), y_scale, zy, t);
    }
    return want;
  }
};

void check_binary(const Binary& bin) {
  INFO(bin.op << " " << graph::dtype_name(bin.t) << " " << graph::shape_str(bin.a) << " with "
               << graph::shape_str(bin.b));
  const NodeCase c = bin.node_case();
  require_close(reference(c), bin.expected(c));
  check_case(c, true);
}

// The shapes every binary case runs over: odd lengths past the SIMD widths,
// scalars on either side, a row, a channel, and both operands broadcasting.
std::vector<std::pair<Shape, Shape>> binary_shapes() {
  return {{{1}, {1}},
          {{37}, {37}},
          {{1031}, {1031}},
          {{3, 5, 7}, {3, 5, 7}},
          {{2, 3, 33}, {}},
          {{}, {67}},
          {{1}, {5, 13}},
          {{4, 3, 17}, {17}},
          {{17}, {4, 3, 17}},
          {{2, 5, 3, 7}, {1, 5, 1, 1}},
          {{1, 5, 1, 1}, {2, 5, 3, 7}},
          {{3, 6, 5, 9}, {1, 6, 1, 1}},
          {{6, 1}, {1, 9}},
          {{2, 1, 5}, {3, 1}},
          {{0, 3}, {3}}};
}

}  // namespace

TEST_CASE("QLinearAdd and QLinearMul match dequantize, float op, quantize and every ISA", "[qelementwise_ops]") {
  for (const char* op : {"QLinearAdd", "QLinearMul"}) {
    for (DType t : {DType::UInt8, DType::Int8}) {
      for (const auto& shapes : binary_shapes()) {
        Binary bin;
        bin.op = op, bin.t = t, bin.a = shapes.first, bin.b = shapes.second;
        bin.randomize();
        check_binary(bin);
        bin.relu();
        check_binary(bin);
      }
    }
  }
}

TEST_CASE("QLinearAdd and QLinearMul with fused clips, omitted zero points and extreme values", "[qelementwise_ops]") {
  const std::string op = GENERATE(as<std::string>{}, "QLinearAdd", "QLinearMul");
  const DType t = GENERATE(DType::UInt8, DType::Int8);
  Binary bin;
  bin.op = op, bin.t = t, bin.a = {3, 41}, bin.b = {3, 41};
  bin.randomize();
  SECTION("relu6 and a clip below zero") {
    bin.clip(0.0f, 6.0f * bin.y_scale * 4);  // the upper bound cuts inside the range
    check_binary(bin);
    bin.clip(-1.5f, -0.25f);
    check_binary(bin);
  }
  SECTION("omitted zero points are 0") {
    bin.omit_zero_points = true;
    check_binary(bin);
  }
  SECTION("extreme values saturate") {
    bin.a_zp = bin.b_zp = 0;
    bin.y_scale = bin.a_scale * 0.01f;  // every sum and product overflows the type
    for (Fill fa : {Fill::Max, Fill::Min})
      for (Fill fb : {Fill::Max, Fill::Min}) {
        bin.a_fill = fa, bin.b_fill = fb;
        check_binary(bin);
      }
    // Zero points at the opposite limit: the largest differences there are.
    bin.a_fill = Fill::Max, bin.b_fill = Fill::Min;
    bin.a_zp = type_min(t), bin.b_zp = type_max(t), bin.y_zp = type_max(t);
    bin.y_scale = op == "QLinearAdd" ? 0.5f : 2.0f;
    bin.a_scale = bin.b_scale = 1.0f / 128;
    check_binary(bin);
    bin.relu();
    check_binary(bin);
  }
}

TEST_CASE("QLinearAdd with runtime or unusable scales runs the reference op", "[qelementwise_ops]") {
  Binary bin;
  bin.a = {2, 9}, bin.b = {9};
  bin.randomize();
  SECTION("a scale computed at run time") {
    NodeCase c = bin.node_case();
    c.runtime = {0, 3, 4};
    require_close(reference(c), bin.expected(c));
    check_case(c, false);
  }
  SECTION("a multiplier that overflows float") {
    bin.y_scale = 1e-38f;
    NodeCase c = bin.node_case();
    check_case(c, false);
  }
}

// ---- QLinearConcat ----

namespace {

struct Concat {
  DType t = DType::UInt8;
  int64_t axis = 1;
  std::vector<Shape> shapes = {{2, 3, 5}, {2, 4, 5}};
  std::vector<float> scales = {0.05f, 0.02f};
  std::vector<int32_t> zero_points = {3, 100};
  float y_scale = 0.04f;
  int32_t y_zp = 100;
  Fill fill = Fill::Random;

  void randomize() {
    y_zp = random_zero_point(t), y_scale = random_scale(0.01f, 0.1f);
    for (size_t j = 0; j < shapes.size(); ++j) {
      scales[j] = random_scale(0.01f, 0.1f);
      zero_points[j] = random_zero_point(t);
    }
  }

  NodeCase node_case() const {
    NodeCase c;
    c.op = "QLinearConcat";
    c.domain = graph::kMicrosoftDomain;
    c.runtime.clear();  // the X inputs, added below
    c.attrs["axis"] = Attribute::of(axis);
    c.inputs = {Tensor::scalar<float>(y_scale), zero_point(t, y_zp)};
    for (size_t j = 0; j < shapes.size(); ++j) {
      c.runtime.push_back(c.inputs.size());
      c.inputs.push_back(filled(rng(), t, shapes[j], fill));
      c.inputs.push_back(Tensor::scalar<float>(scales[j]));
      c.inputs.push_back(zero_point(t, zero_points[j]));
    }
    return c;
  }

  // Each output element dequantized from its input and quantized again.
  std::vector<int32_t> expected(const NodeCase& c) const {
    const int64_t rank = static_cast<int64_t>(shapes[0].size());
    const int64_t ax = axis < 0 ? axis + rank : axis;
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < ax; ++d) outer *= shapes[0][d];
    for (int64_t d = ax + 1; d < rank; ++d) inner *= shapes[0][d];
    std::vector<int32_t> want;
    for (int64_t o = 0; o < outer; ++o)
      for (size_t j = 0; j < shapes.size(); ++j) {
        const std::vector<int32_t> x = ints(c.inputs[2 + 3 * j]);
        const int64_t len = shapes[j][ax] * inner;
        for (int64_t i = 0; i < len; ++i)
          want.push_back(quantize(dequantize(x[o * len + i], scales[j], zero_points[j]), y_scale, y_zp, t));
      }
    return want;
  }
};

void check_concat(const Concat& cc) {
  INFO("QLinearConcat " << graph::dtype_name(cc.t) << " axis " << cc.axis);
  const NodeCase c = cc.node_case();
  const Tensor got = reference(c);
  Shape out = cc.shapes[0];
  const int64_t ax = cc.axis < 0 ? cc.axis + static_cast<int64_t>(out.size()) : cc.axis;
  out[ax] = 0;
  for (const Shape& s : cc.shapes) out[ax] += s[ax];
  REQUIRE(got.shape() == out);
  // The kernels requantize as (x - zx) * (sx / sy), the reference as
  // ((x - zx) * sx) / sy: within 1 LSB, as for Add.
  require_close(got, cc.expected(c));
  check_case(c, true);
}

}  // namespace

TEST_CASE("QLinearConcat matches dequantize and quantize and every ISA", "[qelementwise_ops]") {
  const DType t = GENERATE(DType::UInt8, DType::Int8);
  Concat cc;
  cc.t = t;
  SECTION("axis 1, random qparams") {
    cc.randomize();
    check_concat(cc);
  }
  SECTION("last axis (negative), odd lengths, three inputs") {
    cc.axis = -1, cc.shapes = {{3, 67}, {3, 1}, {3, 130}};
    cc.scales.resize(3), cc.zero_points.resize(3);
    cc.randomize();
    check_concat(cc);
  }
  SECTION("axis 0, one input equal to the output's qparams (a copy, exact)") {
    cc.axis = 0, cc.shapes = {{2, 3, 7}, {5, 3, 7}};
    cc.randomize();
    cc.scales[0] = cc.y_scale, cc.zero_points[0] = cc.y_zp;
    const NodeCase c = cc.node_case();
    const std::vector<int32_t> x = ints(c.inputs[2]), y = ints(reference(c));
    REQUIRE(std::equal(x.begin(), x.end(), y.begin()));
    check_concat(cc);
  }
  SECTION("an empty input") {
    cc.shapes = {{2, 0, 5}, {2, 4, 5}};
    cc.randomize();
    check_concat(cc);
  }
  SECTION("extreme values saturate") {
    cc.zero_points = {type_min(t), type_max(t)}, cc.y_zp = type_max(t) - 3;
    cc.scales = {0.5f, 0.25f}, cc.y_scale = 0.01f;
    for (Fill f : {Fill::Max, Fill::Min}) {
      cc.fill = f;
      check_concat(cc);
    }
  }
}

// ---- QLinearSigmoid, QLinearLeakyRelu ----

namespace {

struct Unary {
  std::string op = "QLinearSigmoid";
  DType t = DType::UInt8;
  Shape shape = {1, 3, 37};
  float x_scale = 0.05f, y_scale = 1.0f / 256;
  int32_t x_zp = 0, y_zp = 0;
  float alpha = 0.01f;
  bool set_alpha = false;

  NodeCase node_case() const {
    NodeCase c;
    c.op = op;
    c.domain = graph::kMicrosoftDomain;
    if (set_alpha) c.attrs["alpha"] = Attribute::of(alpha);
    // Every byte appears, then random ones.
    Tensor x = filled(rng(), t, shape, Fill::Random);
    for (int64_t i = 0; i < std::min<int64_t>(256, x.numel()); ++i) static_cast<uint8_t*>(x.raw())[i] = uint8_t(i);
    c.inputs = {x, Tensor::scalar<float>(x_scale), zero_point(t, x_zp), Tensor::scalar<float>(y_scale),
                zero_point(t, y_zp)};
    c.runtime = {0};
    return c;
  }

  // ONNX's definitions in float: the LUT builds its table with the same
  // float operations in the same order, so the answer is exact.
  std::vector<int32_t> expected(const NodeCase& c) const {
    std::vector<int32_t> want;
    for (int32_t q : ints(c.inputs[0])) {
      const float x = dequantize(q, x_scale, x_zp);
      const float f = op == "QLinearSigmoid" ? 1.0f / (1.0f + std::exp(-x)) : (x < 0 ? alpha * x : x);
      want.push_back(quantize(f, y_scale, y_zp, t));
    }
    return want;
  }
};

void check_unary(const Unary& u) {
  INFO(u.op << " " << graph::dtype_name(u.t) << " " << graph::shape_str(u.shape));
  const NodeCase c = u.node_case();
  REQUIRE(count_off_by_one(reference(c), u.expected(c)) == 0);
  check_case(c, true);
}

}  // namespace

TEST_CASE("QLinearSigmoid and QLinearLeakyRelu match the float ops and every ISA", "[qelementwise_ops]") {
  const DType t = GENERATE(DType::UInt8, DType::Int8);
  Unary u;
  u.t = t;
  SECTION("sigmoid") {
    u.x_zp = t == DType::UInt8 ? 128 : 0;
    u.y_zp = type_min(t);  // (0, 1) onto the whole range
    for (const Shape& s : std::vector<Shape>{{1}, {1, 3, 37}, {1031}, {2, 7, 9, 11}}) {
      u.shape = s;
      check_unary(u);
    }
  }
  SECTION("leaky relu, default and given alpha") {
    u.op = "QLinearLeakyRelu", u.shape = {5, 203};
    u.x_zp = random_zero_point(t), u.y_zp = random_zero_point(t), u.x_scale = 0.04f, u.y_scale = 0.03f;
    check_unary(u);
    u.set_alpha = true, u.alpha = 0.3f;
    check_unary(u);
  }
  SECTION("extreme scales saturate both ends") {
    u.op = "QLinearLeakyRelu", u.set_alpha = true, u.alpha = 2.0f, u.x_scale = 1.0f, u.y_scale = 0.5f;
    check_unary(u);
  }
  SECTION("a scale computed at run time runs the reference op") {
    NodeCase c = u.node_case();
    c.runtime = {0, 3};
    REQUIRE(count_off_by_one(reference(c), u.expected(c)) == 0);
    check_case(c, false);
  }
}

// ---- shape rules ----

namespace {

struct RuleCase {
  std::string op;
  std::vector<graph::TensorInfo> inputs;
  std::map<std::string, Attribute> attrs;

  graph::Node node() const {
    graph::Node n;
    n.op_type = op;
    n.domain = graph::kMicrosoftDomain;
    n.name = "q";
    n.attrs = attrs;
    for (size_t i = 0; i < inputs.size(); ++i)
      n.inputs.push_back(inputs[i].dtype == DType::Undefined ? "" : "in" + std::to_string(i));
    n.outputs = {"y"};
    return n;
  }

  graph::TensorInfo infer() const {
    const graph::Node n = node();
    graph::ShapeRule rule = graph::find_shape_rule(graph::op_key(n));
    REQUIRE(rule != nullptr);
    graph::InferContext ctx(n, inputs, std::vector<const Tensor*>(inputs.size(), nullptr));
    rule(ctx);
    return ctx.outputs[0];
  }
};

const graph::TensorInfo f32 = {DType::Float32, {}};
const graph::TensorInfo u8 = {DType::UInt8, {}};
const graph::TensorInfo s8 = {DType::Int8, {}};
const graph::TensorInfo omitted = {};

graph::TensorInfo u8_of(Shape s) { return {DType::UInt8, std::move(s)}; }

RuleCase add_case() { return {"QLinearAdd", {u8_of({2, 3, 4}), f32, u8, u8_of({3, 1}), f32, u8, f32, u8}, {}}; }

}  // namespace

TEST_CASE("quantized elementwise shape rules", "[qelementwise_ops]") {
  using Catch::Contains;
  SECTION("QLinearAdd broadcasts and takes the output zero point's type") {
    graph::TensorInfo y = add_case().infer();
    REQUIRE(y.dtype == DType::UInt8);
    REQUIRE(y.shape == Shape{2, 3, 4});
    RuleCase c = add_case();
    c.op = "QLinearMul";
    for (auto& in : c.inputs)
      if (in.dtype == DType::UInt8) in.dtype = DType::Int8;
    c.inputs[2] = c.inputs[5] = c.inputs[7] = omitted;
    REQUIRE(c.infer().dtype == DType::Int8);
  }
  SECTION("QLinearAdd errors name the node and the input") {
    RuleCase c = add_case();
    c.inputs[3] = u8_of({2, 4});
    REQUIRE_THROWS_WITH(c.infer(), Contains("QLinearAdd 'q'") && Contains("do not broadcast"));
    c = add_case();
    c.inputs[3].dtype = DType::Int8;
    REQUIRE_THROWS_AS(c.infer(), FormatError);
    REQUIRE_THROWS_WITH(c.infer(), Contains("B (input 3) is int8, A is uint8"));
    c = add_case();
    c.inputs[0].dtype = DType::Float32;
    REQUIRE_THROWS_AS(c.infer(), UnsupportedError);
    REQUIRE_THROWS_WITH(c.infer(), Contains("A (input 0) is float32"));
    c = add_case();
    c.inputs[7] = s8;
    REQUIRE_THROWS_WITH(c.infer(), Contains("C_zero_point (input 7) is int8"));
    c = add_case();
    c.inputs[4] = {DType::Float32, {3}};
    REQUIRE_THROWS_WITH(c.infer(), Contains("B_scale (input 4) must hold a single value"));
    c = add_case();
    c.inputs[1] = u8;
    REQUIRE_THROWS_WITH(c.infer(), Contains("A_scale (input 1) must be float32"));
    c = add_case();
    c.inputs[6] = omitted;
    REQUIRE_THROWS_WITH(c.infer(), Contains("input 6 is required"));
  }
  SECTION("QLinearConcat") {
    RuleCase c{"QLinearConcat", {f32, s8, {DType::Int8, {2, 3, 5}}, f32, s8, {DType::Int8, {2, 4, 5}}, f32, s8},
               {{"axis", Attribute::of(int64_t{-2})}}};
    graph::TensorInfo y = c.infer();
    REQUIRE(y.dtype == DType::Int8);
    REQUIRE(y.shape == Shape{2, 7, 5});
    RuleCase bad = c;
    bad.inputs[5].shape = {2, 4, 6};
    REQUIRE_THROWS_WITH(bad.infer(), Contains("QLinearConcat 'q'") && Contains("X (input 5) of shape [2, 4, 6]"));
    bad = c;
    bad.attrs["axis"] = Attribute::of(int64_t{3});
    REQUIRE_THROWS_WITH(bad.infer(), Contains("axis 3 out of range"));
    bad = c;
    bad.attrs.clear();
    REQUIRE_THROWS_WITH(bad.infer(), Contains("'axis' is required"));
    bad = c;
    bad.inputs.pop_back();
    REQUIRE_THROWS_WITH(bad.infer(), Contains("has 7 inputs"));
    bad = c;
    bad.inputs[7] = u8;
    REQUIRE_THROWS_WITH(bad.infer(), Contains("X_zero_point (input 7) is uint8"));
    bad = c;
    bad.inputs[2].dtype = DType::UInt8;
    REQUIRE_THROWS_WITH(bad.infer(), Contains("X (input 2) is uint8"));
  }
  SECTION("QLinearSigmoid and QLinearLeakyRelu") {
    RuleCase c{"QLinearSigmoid", {u8_of({4, 9}), f32, u8, f32, u8}, {}};
    REQUIRE(c.infer().shape == Shape{4, 9});
    c.op = "QLinearLeakyRelu";
    REQUIRE(c.infer().dtype == DType::UInt8);
    RuleCase bad = c;
    bad.inputs[4] = s8;
    REQUIRE_THROWS_WITH(bad.infer(), Contains("QLinearLeakyRelu 'q'") && Contains("Y_zero_point (input 4) is int8"));
    bad = c;
    bad.inputs[0].dtype = DType::Int32;
    REQUIRE_THROWS_AS(bad.infer(), UnsupportedError);
    bad = c;
    bad.inputs[2] = u8_of({4});
    REQUIRE_THROWS_WITH(bad.infer(), Contains("X_zero_point (input 2) must hold a single value"));
  }
}
