// ONNX Runtime's quantized NN contrib ops (QGemm, QLinearAveragePool,
// QLinearGlobalAveragePool), the 8-bit MaxPool fast path and QLinearConv's
// fused clamp:
//  - each reference op against a float computation written here
//    (dequantize, float64 gemm / pool, clamp, quantize half-to-even);
//  - each prepared op bit for bit against its reference op at every ISA
//    level this CPU runs, through find_prepare directly and through a
//    Session (so the registry keys "com.microsoft:QGemm"... are covered);
//  - the shape rules' errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
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
  static std::mt19937 g(77031);
  return g;
}

// ---- the independent float reference ----

// ONNX QuantizeLinear in float64: round half to even, + zero point, saturate.
int64_t quantize(double x, double scale, int64_t zp, DType t) {
  const double lo = t == DType::UInt8 ? 0 : -128, hi = t == DType::UInt8 ? 255 : 127;
  double r = std::nearbyint(x / scale) + static_cast<double>(zp);
  return static_cast<int64_t>(std::min(std::max(r, lo), hi));
}

// Quantized results within one step of the float64 ones: the op's float32
// multiplier (a product of float32 scales, then float(acc) * multiplier)
// carries a relative error of a few 2^-24, which moves a value that lies
// within ~1e-4 of a rounding tie to the other side. Such values are rare,
// so most outputs must match exactly.
void require_within_one_step(const Tensor& got, const std::vector<int64_t>& want) {
  REQUIRE(got.numel() == static_cast<int64_t>(want.size()));
  int64_t off = 0;
  for (int64_t i = 0; i < got.numel(); ++i) {
    const int64_t d = std::abs(int_at(got, i) - want[i]);
    INFO("element " << i << ": got " << int_at(got, i) << ", want " << want[i]);
    REQUIRE(d <= 1);
    off += d;
  }
  REQUIRE(off <= 2 + got.numel() / 100);
}

// ---- QGemm ----

struct Gemm {
  int64_t m = 5, k = 7, n = 9;
  bool trans_a = false, trans_b = true;
  DType a_type = DType::UInt8, b_type = DType::Int8, y_type = DType::UInt8;
  bool float_output = false;
  int32_t a_zp = 0, y_zp = 0, b_zp = -1;  // b_zp -1: the symmetric one (0 for int8, 128 for uint8)
  bool per_column = false;
  Shape c_shape;  // empty: no C
  int32_t c_range = 30000;
  float alpha = 1.0f, gain = 1.0f;
  Fill a_fill = Fill::Random, b_fill = Fill::Random;
  float act_min = -INFINITY, act_max = INFINITY;

  int32_t weight_zp() const { return b_zp >= 0 || b_type == DType::Int8 ? std::max(b_zp, 0) : 128; }

  NodeCase node() const {
    const float a_scale = 0.03f;
    std::vector<float> b_scale = random_floats(rng(), per_column ? n : 1, 0.002f, 0.01f);
    Shape cols = per_column ? Shape{n} : Shape{};
    NodeCase nc;
    nc.op = "QGemm";
    nc.domain = graph::kMicrosoftDomain;
    if (trans_a) nc.attrs["transA"] = Attribute::of(int64_t{1});
    nc.attrs["transB"] = Attribute::of(int64_t{trans_b ? 1 : 0});
    if (alpha != 1.0f) nc.attrs["alpha"] = Attribute::of(alpha);
    if (std::isfinite(act_min)) nc.attrs[graph::kActivationMin] = Attribute::of(act_min);
    if (std::isfinite(act_max)) nc.attrs[graph::kActivationMax] = Attribute::of(act_max);
    nc.inputs = {filled(rng(), a_type, trans_a ? Shape{k, m} : Shape{m, k}, a_fill),
                 Tensor::scalar<float>(a_scale),
                 zero_point(a_type, a_zp),
                 filled(rng(), b_type, trans_b ? Shape{n, k} : Shape{k, n}, b_fill),
                 Tensor::from<float>(cols, b_scale),
                 zero_point(b_type, weight_zp(), cols),
                 c_shape.empty() ? Tensor() : random_ints(rng(), c_shape, c_range)};
    if (!float_output) {
      // Spread outputs over the range: |acc| is about 74^2 sqrt(k) for random data.
      const float y_scale = alpha * a_scale * 0.006f * 55.0f * std::sqrt(static_cast<float>(k)) / gain;
      nc.inputs.push_back(Tensor::scalar<float>(y_scale));
      nc.inputs.push_back(zero_point(y_type, y_zp));
    }
    return nc;
  }
};

// Y in float64 from the node's own inputs (before any quantization of Y).
std::vector<double> qgemm_float(const NodeCase& nc) {
  const Tensor &a = nc.inputs[0], &b = nc.inputs[3], &b_scale = nc.inputs[4], &b_zp = nc.inputs[5], &c = nc.inputs[6];
  const bool ta = nc.attrs.count("transA") != 0, tb = nc.attrs.at("transB").i == 1;
  const double alpha = nc.attrs.count("alpha") ? nc.attrs.at("alpha").f : 1.0;
  const int64_t m = ta ? a.dim(1) : a.dim(0), k = ta ? a.dim(0) : a.dim(1), n = tb ? b.dim(0) : b.dim(1);
  const double sa = nc.inputs[1].data<float>()[0];
  const int64_t za = int_at(nc.inputs[2], 0);
  std::vector<double> y(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const int64_t col = b_scale.numel() == 1 ? 0 : j;
      const double sb = b_scale.data<float>()[col];
      double sum = 0;
      for (int64_t p = 0; p < k; ++p) {
        const double av = sa * double(int_at(a, ta ? p * m + i : i * k + p) - za);
        const double bv = sb * double(int_at(b, tb ? j * k + p : p * n + j) - int_at(b_zp, col));
        sum += av * bv;
      }
      double bias = 0;
      if (!c.empty()) {
        const int64_t cr = c.rank() == 2 ? c.dim(0) : 1, cc = c.rank() >= 1 ? c.dim(c.rank() - 1) : 1;
        bias = double(int_at(c, (cr == 1 ? 0 : i) * cc + (cc == 1 ? 0 : j))) * sa * sb;
      }
      y[i * n + j] = alpha * (sum + bias);
    }
  return y;
}

std::vector<double> clamped(std::vector<double> v, const NodeCase& nc) {
  const double lo = nc.attrs.count(graph::kActivationMin) ? nc.attrs.at(graph::kActivationMin).f : -INFINITY;
  const double hi = nc.attrs.count(graph::kActivationMax) ? nc.attrs.at(graph::kActivationMax).f : INFINITY;
  for (double& x : v) x = std::min(std::max(x, lo), hi);
  return v;
}

void check_qgemm_against_float(const Gemm& g) {
  const NodeCase nc = g.node();
  const Tensor y = reference(nc);
  const std::vector<double> want = clamped(qgemm_float(nc), nc);
  if (g.float_output) {
    REQUIRE(y.dtype() == DType::Float32);
    REQUIRE(y.numel() == static_cast<int64_t>(want.size()));
    // float(acc) * a float32 product of three scales: a few roundings of 2^-24.
    for (int64_t i = 0; i < y.numel(); ++i) REQUIRE(std::abs(y.data<float>()[i] - want[i]) <= 1e-6 * std::abs(want[i]));
    return;
  }
  const double y_scale = nc.inputs[7].data<float>()[0];
  const int64_t y_zp = int_at(nc.inputs[8], 0);
  std::vector<int64_t> q;
  for (double v : want) q.push_back(quantize(v, y_scale, y_zp, g.y_type));
  REQUIRE(y.dtype() == g.y_type);
  require_within_one_step(y, q);
}

// ---- the pools ----

struct Pool {
  std::string op = "QLinearAveragePool";  // or QLinearGlobalAveragePool, MaxPool
  int64_t n = 1, c = 3;
  Shape in = {7, 6}, kernel = {3, 3}, strides, pads, dilations;
  bool ceil_mode = false, count_include_pad = false, channels_last = false;
  DType type = DType::UInt8;
  int32_t x_zp = 0, y_zp = 0;
  float x_scale = 0.05f, y_scale = 0.04f;
  Fill fill = Fill::Random;

  Shape x_shape() const {
    Shape s = {n};
    if (!channels_last) s.push_back(c);
    s.insert(s.end(), in.begin(), in.end());
    if (channels_last) s.push_back(c);
    return s;
  }

  NodeCase node() const {
    NodeCase nc;
    nc.op = op;
    nc.domain = op == "MaxPool" ? "" : graph::kMicrosoftDomain;
    const bool global = op == "QLinearGlobalAveragePool";
    if (!global) {
      nc.attrs["kernel_shape"] = Attribute::of(kernel);
      if (!strides.empty()) nc.attrs["strides"] = Attribute::of(strides);
      if (!pads.empty()) nc.attrs["pads"] = Attribute::of(pads);
      if (!dilations.empty()) nc.attrs["dilations"] = Attribute::of(dilations);
      if (ceil_mode) nc.attrs["ceil_mode"] = Attribute::of(int64_t{1});
    }
    if (op == "MaxPool") {
      nc.inputs = {filled(rng(), type, x_shape(), fill)};
      return nc;
    }
    if (count_include_pad) nc.attrs["count_include_pad"] = Attribute::of(int64_t{1});
    if (channels_last) nc.attrs["channels_last"] = Attribute::of(int64_t{1});
    nc.inputs = {filled(rng(), type, x_shape(), fill), Tensor::scalar<float>(x_scale), zero_point(type, x_zp),
                 Tensor::scalar<float>(y_scale), zero_point(type, y_zp)};
    return nc;
  }
};

// The average pool in float64 over an NCHW-ordered view, 2-D windows
// written out (1-D is H = 1): mean of the dequantized taps inside the
// input, divided by the taps inside the padded input with count_include_pad.
std::vector<int64_t> qaverage_pool_float(const Pool& p, const Tensor& x, const Shape& y_shape) {
  const bool two_d = p.in.size() == 2;
  const int64_t H = two_d ? p.in[0] : 1, W = p.in.back();
  const int64_t kh = two_d ? p.kernel[0] : 1, kw = p.kernel.back();
  const int64_t sh = two_d && !p.strides.empty() ? p.strides[0] : 1, sw = p.strides.empty() ? 1 : p.strides.back();
  const int64_t r = static_cast<int64_t>(p.in.size());
  auto pad = [&](int64_t i) { return p.pads.empty() ? 0 : p.pads[i]; };
  const int64_t pt = two_d ? pad(0) : 0, pl = pad(r - 1), pb = two_d ? pad(r) : 0, pr = pad(2 * r - 1);
  const int64_t OH = two_d ? y_shape[p.channels_last ? 1 : 2] : 1;
  const int64_t OW = y_shape[p.channels_last ? y_shape.size() - 2 : y_shape.size() - 1];
  auto x_at = [&](int64_t b, int64_t ch, int64_t h, int64_t w) {
    const int64_t i = p.channels_last ? ((b * H + h) * W + w) * p.c + ch : ((b * p.c + ch) * H + h) * W + w;
    return p.x_scale * double(int_at(x, i) - p.x_zp);
  };
  std::vector<int64_t> y(static_cast<size_t>(p.n * p.c * OH * OW));
  for (int64_t b = 0; b < p.n; ++b)
    for (int64_t ch = 0; ch < p.c; ++ch)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double sum = 0;
          int64_t inside = 0, padded = 0;
          for (int64_t i = 0; i < kh; ++i)
            for (int64_t j = 0; j < kw; ++j) {
              const int64_t h = oh * sh - pt + i, w = ow * sw - pl + j;
              if (h < H + pb && w < W + pr) ++padded;
              if (h < 0 || h >= H || w < 0 || w >= W) continue;
              sum += x_at(b, ch, h, w);
              ++inside;
            }
          const double mean = sum / double(p.count_include_pad ? padded : inside);
          const int64_t o = p.channels_last ? ((b * OH + oh) * OW + ow) * p.c + ch : ((b * p.c + ch) * OH + oh) * OW + ow;
          y[o] = quantize(mean, p.y_scale, p.y_zp, p.type);
        }
  return y;
}

std::vector<int64_t> qglobal_average_pool_float(const Pool& p, const Tensor& x) {
  const int64_t plane = graph::shape_numel(p.in);
  std::vector<int64_t> y(static_cast<size_t>(p.n * p.c));
  for (int64_t b = 0; b < p.n; ++b)
    for (int64_t ch = 0; ch < p.c; ++ch) {
      double sum = 0;
      for (int64_t i = 0; i < plane; ++i) {
        const int64_t at = p.channels_last ? (b * plane + i) * p.c + ch : (b * p.c + ch) * plane + i;
        sum += p.x_scale * double(int_at(x, at) - p.x_zp);
      }
      y[b * p.c + ch] = quantize(sum / double(plane), p.y_scale, p.y_zp, p.type);
    }
  return y;
}

void check_pool_against_float(const Pool& p) {
  const NodeCase nc = p.node();
  const Tensor y = reference(nc);
  REQUIRE(y.dtype() == p.type);
  if (p.op == "QLinearGlobalAveragePool") {
    Shape want = p.channels_last ? Shape{p.n} : Shape{p.n, p.c};
    for (size_t d = 0; d < p.in.size(); ++d) want.push_back(1);
    if (p.channels_last) want.push_back(p.c);
    REQUIRE(y.shape() == want);
    return require_within_one_step(y, qglobal_average_pool_float(p, nc.inputs[0]));
  }
  require_within_one_step(y, qaverage_pool_float(p, nc.inputs[0], y.shape()));
}

}  // namespace

// ---------------------------------------------------------------- QGemm

TEST_CASE("QGemm reference op matches a float computation", "[qnn_ops]") {
  Gemm g;
  SECTION("transB, u8 A, per-column b, C [N], u8 Y") { g.per_column = true, g.c_shape = {9}, g.a_zp = 120, g.y_zp = 10; }
  SECTION("transB 0, int8 A and Y, per-tensor b") {
    g.trans_b = false, g.a_type = DType::Int8, g.y_type = DType::Int8, g.a_zp = -9, g.y_zp = 4;
  }
  SECTION("transA, uint8 B with zero point 131, alpha 0.5") {
    g.trans_a = true, g.b_type = DType::UInt8, g.b_zp = 131, g.alpha = 0.5f, g.c_shape = {1, 9};
  }
  SECTION("float Y, per column, C [M, N], alpha 2") {
    g.float_output = true, g.per_column = true, g.c_shape = {5, 9}, g.alpha = 2.0f, g.a_zp = 77;
  }
  SECTION("float Y with a fused ReLU6") { g.float_output = true, g.c_shape = {}, g.act_min = 0, g.act_max = 0.15f; }
  SECTION("u8 Y with a fused ReLU") { g.act_min = 0, g.y_zp = 100, g.c_shape = {9}; }
  SECTION("int8 Y with a fused clamp [-0.1, 0.2]") {
    g.y_type = DType::Int8, g.act_min = -0.1f, g.act_max = 0.2f, g.per_column = true;
  }
  SECTION("int8 B with per-column non-zero zero points") {
    g.per_column = true;
    NodeCase nc = g.node();
    for (int64_t j = 0; j < g.n; ++j) nc.inputs[5].data<int8_t>()[j] = static_cast<int8_t>(j * 7 - 30);
    const Tensor y = reference(nc);
    std::vector<int64_t> q;
    for (double v : qgemm_float(nc)) q.push_back(quantize(v, nc.inputs[7].data<float>()[0], 0, DType::UInt8));
    require_within_one_step(y, q);
    return;
  }
  SECTION("extreme: A 255, B -128, saturating") { g.k = 200, g.a_fill = Fill::Max, g.b_fill = Fill::Min, g.gain = 30; }
  check_qgemm_against_float(g);
}

TEST_CASE("prepared QGemm is bit-exact with the reference at every level", "[qnn_ops]") {
  Gemm g;
  SECTION("transB, per column, C [N], u8") { g.per_column = true, g.c_shape = {9}, g.a_zp = 131; }
  SECTION("transB 0, int8 A and Y, per tensor, no C") {
    g.trans_b = false, g.a_type = DType::Int8, g.y_type = DType::Int8, g.a_zp = -7, g.y_zp = 3;
  }
  SECTION("odd sizes past a tile") { g.m = 37, g.k = 129, g.n = 67, g.a_zp = 33, g.per_column = true, g.c_shape = {67}; }
  SECTION("M = 1, wide") { g.m = 1, g.k = 300, g.n = 70, g.a_zp = 90, g.c_shape = {1, 70}; }
  SECTION("K = 1, N = 1") { g.m = 6, g.k = 1, g.n = 1, g.c_shape = {1}; }
  SECTION("scalar C, alpha 0.25") { g.c_shape = {}, g.alpha = 0.25f, g.c_shape = Shape{}; }
  SECTION("uint8 B with zero point 128 per column, int8 A") {
    g.b_type = DType::UInt8, g.per_column = true, g.a_type = DType::Int8, g.a_zp = 5, g.k = 40;
  }
  SECTION("float Y, per column, C, alpha") {
    g.float_output = true, g.per_column = true, g.c_shape = {9}, g.alpha = 1.5f, g.a_zp = 17;
    SECTION("transB 0, odd sizes") { g.trans_b = false, g.m = 13, g.k = 67, g.n = 35, g.c_shape = {35}; }
    SECTION("fused ReLU6 on float Y") { g.act_min = 0, g.act_max = 0.2f; }
    SECTION("int8 A") { g.a_type = DType::Int8, g.a_zp = -100; }
  }
  SECTION("fused ReLU, u8 Y") { g.act_min = 0, g.y_zp = 90, g.per_column = true, g.m = 11, g.n = 33, g.k = 50; }
  SECTION("fused ReLU6, int8 Y") { g.act_min = 0, g.act_max = 0.3f, g.y_type = DType::Int8, g.y_zp = -20; }
  SECTION("extreme, saturating") {
    g.m = 5, g.k = 200, g.n = 9, g.a_fill = Fill::Max, g.b_fill = Fill::Min, g.gain = 30;
    SECTION("int8 Y") { g.y_type = DType::Int8; }
    SECTION("A 0 with zero point 255") { g.a_fill = Fill::Min, g.a_zp = 255, g.y_zp = 255; }
    SECTION("int8 A -128 with zero point 127, uint8 B 255") {
      g.a_type = DType::Int8, g.a_fill = Fill::Min, g.a_zp = 127, g.b_type = DType::UInt8, g.b_fill = Fill::Max;
    }
    SECTION("float Y") { g.float_output = true; }
  }
  SECTION("C near the int32 limits: sums wrap as in the reference") {
    g.c_shape = {9}, g.c_range = std::numeric_limits<int32_t>::max(), g.a_zp = 250;
    SECTION("float Y") { g.float_output = true; }
  }
  check_case(g.node(), true);
}

TEST_CASE("QGemm nodes the INT8 GEMM cannot take exactly run the reference op", "[qnn_ops]") {
  Gemm g;
  NodeCase nc;
  SECTION("transA") {
    g.trans_a = true;
    nc = g.node();
  }
  SECTION("C that differs between rows") {
    g.c_shape = {5, 9};
    nc = g.node();
  }
  SECTION("int8 B with a non-zero zero point") {
    g.b_zp = 3;
    nc = g.node();
  }
  SECTION("B not constant") {
    nc = g.node();
    nc.runtime = {0, 3};
  }
  check_case(nc, false);
}

// ---------------------------------------------------------------- pools

TEST_CASE("QLinearAveragePool and QLinearGlobalAveragePool reference ops match a float computation", "[qnn_ops]") {
  Pool p;
  SECTION("3x3 pad 1 stride 2") { p.pads = {1, 1, 1, 1}, p.strides = {2, 2}, p.x_zp = 128, p.y_zp = 120; }
  SECTION("count_include_pad, ceil_mode, asymmetric pads") {
    p.in = {8, 7}, p.pads = {0, 1, 1, 0}, p.strides = {2, 2}, p.count_include_pad = true, p.ceil_mode = true;
    p.x_zp = 30;
  }
  SECTION("int8, channels_last") {
    p.type = DType::Int8, p.channels_last = true, p.c = 5, p.pads = {1, 1, 1, 1}, p.x_zp = -10, p.y_zp = 20;
  }
  SECTION("1-D") { p.in = {11}, p.kernel = {4}, p.strides = {3}, p.pads = {1, 2}, p.count_include_pad = true; }
  SECTION("extreme: x 255, zero point 0") { p.fill = Fill::Max, p.pads = {1, 1, 1, 1}, p.y_scale = 0.01f; }
  SECTION("global, NCHW") { p.op = "QLinearGlobalAveragePool", p.n = 2, p.c = 6, p.x_zp = 100, p.y_zp = 50; }
  SECTION("global, NHWC, int8") {
    p.op = "QLinearGlobalAveragePool", p.channels_last = true, p.type = DType::Int8, p.c = 7, p.x_zp = 3;
  }
  SECTION("global, int8 -128, saturating") {
    p.op = "QLinearGlobalAveragePool", p.type = DType::Int8, p.fill = Fill::Min, p.x_zp = 127, p.y_scale = 0.001f;
  }
  check_pool_against_float(p);
}

TEST_CASE("prepared quantized pools are bit-exact with the reference at every level", "[qnn_ops]") {
  Pool p;
  SECTION("average 3x3 pad 1 stride 2, NCHW") { p.pads = {1, 1, 1, 1}, p.strides = {2, 2}, p.x_zp = 128, p.y_zp = 7; }
  SECTION("average, channels past a vector and tails: 37 and 70 channels") {
    p.n = 2, p.c = 37, p.in = {6, 5}, p.pads = {1, 0, 1, 1}, p.count_include_pad = true, p.x_zp = 17;
    SECTION("70, channels_last") { p.c = 70, p.channels_last = true; }
  }
  SECTION("average, ceil_mode, int8 NCHW") {
    p.type = DType::Int8, p.in = {9, 8}, p.strides = {2, 2}, p.ceil_mode = true, p.x_zp = -3, p.y_zp = 9, p.c = 33;
  }
  SECTION("average, int8 channels_last, count_include_pad") {
    p.type = DType::Int8, p.channels_last = true, p.c = 40, p.pads = {1, 1, 1, 1}, p.count_include_pad = true;
  }
  SECTION("average 1-D and 3-D") {
    p.in = {13}, p.kernel = {3}, p.strides = {2}, p.pads = {1, 1}, p.c = 35;
    SECTION("3-D") { p.in = {4, 5, 3}, p.kernel = {2, 3, 2}, p.strides = {1, 2, 1}, p.pads = {0, 1, 0, 1, 1, 1}; }
  }
  SECTION("average extreme: x 0 with zero point 255, y zero point 255") {
    p.fill = Fill::Min, p.x_zp = 255, p.y_zp = 255, p.c = 34, p.pads = {1, 1, 1, 1};
  }
  SECTION("average extreme: x 255, saturating") { p.fill = Fill::Max, p.y_scale = 0.001f, p.c = 34; }
  SECTION("global NCHW, odd plane") { p.op = "QLinearGlobalAveragePool", p.n = 3, p.c = 37, p.in = {7, 9}, p.x_zp = 90; }
  SECTION("global NHWC, int8, 70 channels") {
    p.op = "QLinearGlobalAveragePool", p.channels_last = true, p.type = DType::Int8, p.c = 70, p.in = {5, 3};
    p.x_zp = -50, p.y_zp = 60;
  }
  SECTION("global int8 NCHW extreme -128") {
    p.op = "QLinearGlobalAveragePool", p.type = DType::Int8, p.fill = Fill::Min, p.c = 40, p.x_zp = 127;
    p.y_scale = 0.002f, p.in = {11, 13};
  }
  SECTION("MaxPool u8: pads, strides, ceil_mode") {
    p.op = "MaxPool", p.c = 37, p.in = {9, 8}, p.pads = {1, 1, 1, 1}, p.strides = {2, 2}, p.ceil_mode = true;
  }
  SECTION("MaxPool int8, dilations, odd channels") {
    p.op = "MaxPool", p.type = DType::Int8, p.c = 70, p.in = {9, 9}, p.dilations = {2, 2}, p.pads = {1, 2, 2, 1};
  }
  SECTION("MaxPool 1-D and 3-D, batch 2") {
    p.op = "MaxPool", p.n = 2, p.c = 5, p.in = {12}, p.kernel = {3}, p.strides = {2};
    SECTION("3-D") { p.in = {4, 5, 6}, p.kernel = {2, 2, 3}, p.strides = {2, 1, 2}, p.pads = {1, 0, 1, 0, 1, 1}; }
  }
  SECTION("MaxPool extreme: all 255, all -128") {
    p.op = "MaxPool", p.fill = Fill::Max, p.c = 33, p.pads = {1, 1, 1, 1};
    SECTION("int8 -128") { p.type = DType::Int8, p.fill = Fill::Min; }
  }
  check_case(p.node(), true);
}

TEST_CASE("pools the fast paths do not cover run the reference op", "[qnn_ops]") {
  Pool p;
  NodeCase nc;
  SECTION("MaxPool on float32") {
    p.op = "MaxPool";
    nc = p.node();
    Tensor x(DType::Float32, nc.inputs[0].shape());
    for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = float(i % 13) - 6.0f;
    nc.inputs[0] = x;
  }
  SECTION("MaxPool with the Indices output") {
    p.op = "MaxPool";
    nc = p.node();
    nc.outputs = {"y", "indices"};
  }
  SECTION("average pool with a non-constant scale") {
    nc = p.node();
    nc.runtime = {0, 1};
  }
  check_case(nc, false);
}

// ---------------------------------------------------------------- QLinearConv fused clamp

TEST_CASE("QLinearConv's fused clamp: reference against quantized bounds, prepared bit-exact", "[qnn_ops]") {
  const DType y_type = GENERATE(DType::UInt8, DType::Int8);
  const int32_t y_zp = y_type == DType::UInt8 ? 100 : -30;
  const float y_scale = 0.05f;
  NodeCase nc;
  nc.op = "QLinearConv";
  nc.attrs["pads"] = Attribute::of(std::vector<int64_t>{1, 1, 1, 1});
  nc.inputs = {filled(rng(), DType::UInt8, {1, 6, 7, 5}),
               Tensor::scalar<float>(0.02f),
               zero_point(DType::UInt8, 110),
               filled(rng(), DType::Int8, {8, 6, 3, 3}),
               Tensor::from<float>({8}, random_floats(rng(), 8, 0.002f, 0.01f)),
               zero_point(DType::Int8, 0, {8}),
               Tensor::scalar<float>(y_scale),
               zero_point(y_type, y_zp),
               random_ints(rng(), {8}, 20000)};
  const Tensor plain = reference(nc);
  // A ReLU6-like clamp [-0.3, 1.7]: quantized bounds written out here.
  const float lo = -0.3f, hi = 1.7f;
  nc.attrs[graph::kActivationMin] = Attribute::of(lo);
  nc.attrs[graph::kActivationMax] = Attribute::of(hi);
  const int64_t qlo = quantize(lo, y_scale, y_zp, y_type);
  const int64_t qhi = quantize(hi, y_scale, y_zp, y_type);
  const Tensor fused = reference(nc);
  int64_t clamped = 0;
  for (int64_t i = 0; i < plain.numel(); ++i) {
    const int64_t want = std::min(std::max(int_at(plain, i), qlo), qhi);
    REQUIRE(int_at(fused, i) == want);
    clamped += want != int_at(plain, i);
  }
  REQUIRE(clamped > 0);  // the data reaches past the bounds, so the clamp was exercised
  check_case(nc, true);
  SECTION("only a lower bound (ReLU)") {
    nc.attrs.erase(graph::kActivationMax);
    check_case(nc, true);
  }
}

// ---------------------------------------------------------------- graphs

TEST_CASE("a float graph through QuantizeLinear, QLinearGlobalAveragePool, QGemm (float Y)", "[qnn_ops]") {
  // x [2, 4, 3, 3] -> quantize -> global average -> flatten -> QGemm with
  // W [3, 4] (transB) -> float32, against the float computation.
  graph::Graph g;
  g.opset = 13;
  auto node = [](const std::string& op, const std::string& domain, std::vector<std::string> in, std::string out) {
    graph::Node n;
    n.op_type = op, n.domain = domain, n.name = out, n.inputs = std::move(in), n.outputs = {out};
    return n;
  };
  const float xs = 0.02f, ps = 0.01f;
  g.initializers["xs"] = Tensor::scalar<float>(xs);
  g.initializers["xz"] = Tensor::scalar<uint8_t>(128);
  g.initializers["ps"] = Tensor::scalar<float>(ps);
  g.initializers["pz"] = Tensor::scalar<uint8_t>(128);
  g.initializers["w"] = Tensor::from<int8_t>({3, 4}, {10, -20, 30, -40, 5, 6, 7, 8, -127, 0, 127, 1});
  g.initializers["ws"] = Tensor::from<float>({3}, {0.01f, 0.02f, 0.005f});
  g.initializers["wz"] = Tensor::from<int8_t>({3}, {0, 0, 0});
  g.initializers["shape"] = Tensor::from<int64_t>({2}, {2, 4});
  g.inputs.push_back({"x", DType::Float32, {2, 4, 3, 3}, {}, true});
  g.nodes.push_back(node("QuantizeLinear", "", {"x", "xs", "xz"}, "xq"));
  g.nodes.push_back(node("QLinearGlobalAveragePool", graph::kMicrosoftDomain, {"xq", "xs", "xz", "ps", "pz"}, "p"));
  g.nodes.push_back(node("Reshape", "", {"p", "shape"}, "pf"));
  g.nodes.push_back(node("QGemm", graph::kMicrosoftDomain, {"pf", "ps", "pz", "w", "ws", "wz"}, "y"));
  g.nodes.back().attrs["transB"] = Attribute::of(int64_t{1});
  g.outputs.push_back({"y", DType::Undefined, {}, {}, false});
  Tensor x(DType::Float32, {2, 4, 3, 3});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = std::sin(0.37f * float(i)) * 1.5f;
  for (kernels::Isa isa : kernels::supported_isas()) {
    INFO("ISA " << kernels::isa_name(isa));
    std::unique_ptr<engine::Session> s;
    {
      ScopedIsa forced(isa);
      s = std::make_unique<engine::Session>(g);
    }
    const Tensor y = s->run({x})[0];
    REQUIRE(y.shape() == Shape{2, 3});
    const Tensor& w = g.initializers["w"];
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t n = 0; n < 3; ++n) {
        double acc = 0;
        for (int64_t c = 0; c < 4; ++c) {
          double mean = 0;
          for (int64_t i = 0; i < 9; ++i) mean += x.data<float>()[(b * 4 + c) * 9 + i] / 9.0;
          acc += mean * w.data<int8_t>()[n * 4 + c] * g.initializers["ws"].data<float>()[n];
        }
        // Two quantizations on the way (x by xs/2, the mean by ps/2), each
        // moving the sum by at most the weight row's |w| * w_scale times that.
        double tol = 0;
        for (int64_t c = 0; c < 4; ++c) tol += std::abs(w.data<int8_t>()[n * 4 + c]) * (xs + ps) / 2;
        tol *= g.initializers["ws"].data<float>()[n];
        REQUIRE(std::abs(y.data<float>()[b * 3 + n] - acc) <= tol + 1e-6);
      }
  }
}

// ---------------------------------------------------------------- shape rules

TEST_CASE("QGemm and quantized pool shape rules reject bad nodes", "[qnn_ops]") {
  Gemm g;
  g.c_shape = {9};
  NodeCase nc = g.node();
  std::string want;
  SECTION("float A") {
    nc.inputs[0] = Tensor(DType::Float32, {5, 7});
    want = "input 0 (A) is float32";
  }
  SECTION("inner dimensions differ") {
    nc.inputs[3] = filled(rng(), DType::Int8, {9, 8});
    want = "differ in the inner dimension";
  }
  SECTION("b_scale of the wrong size") {
    nc.inputs[4] = Tensor::from<float>({4}, {1, 1, 1, 1});
    want = "input 4 (b_scale) must hold one value or one per column (9)";
  }
  SECTION("a zero point of the wrong type") {
    nc.inputs[2] = zero_point(DType::Int8, 0);
    want = "input 2 (a_zero_point) must be uint8";
  }
  SECTION("C that does not broadcast") {
    nc.inputs[6] = random_ints(rng(), {5, 2}, 10);
    want = "input 6 (C) [5, 2] does not broadcast to [5, 9]";
  }
  SECTION("C not int32") {
    nc.inputs[6] = Tensor::from<float>({9}, std::vector<float>(9, 0.f));
    want = "input 6 (C) must be int32";
  }
  SECTION("y_scale without y_zero_point") {
    nc.inputs.resize(8);
    want = "y_scale and y_zero_point must be given together";
  }
  SECTION("A of rank 3") {
    nc.inputs[0] = filled(rng(), DType::UInt8, {1, 5, 7});
    want = "input 0 must have rank 2";
  }
  SECTION("transB = 2") {
    nc.attrs["transB"] = Attribute::of(int64_t{2});
    want = "transB must be 0 or 1";
  }
  Pool p;
  SECTION("pool on rank 2") {
    nc = p.node();
    nc.inputs[0] = filled(rng(), DType::UInt8, {3, 4});
    want = "must have rank >= 3";
  }
  SECTION("pool zero point of another type than X") {
    nc = p.node();
    nc.inputs[4] = zero_point(DType::Int8, 0);
    want = "input 4 (y_zero_point) must be uint8";
  }
  SECTION("pool x_scale per channel") {
    p.op = "QLinearGlobalAveragePool";
    nc = p.node();
    nc.inputs[1] = Tensor::from<float>({3}, {1, 1, 1});
    want = "input 1 (x_scale) must hold a single value";
  }
  SECTION("average pool without kernel_shape") {
    nc = p.node();
    nc.attrs.erase("kernel_shape");
    want = "kernel_shape";
  }
  SECTION("channels_last 2") {
    nc = p.node();
    nc.attrs["channels_last"] = Attribute::of(int64_t{2});
    want = "channels_last must be 0 or 1";
  }
  const std::string got = shape_error(nc);
  INFO(got);
  REQUIRE(got.find("'node'") != std::string::npos);
  REQUIRE(got.find(want) != std::string::npos);
}
