// com.microsoft:DynamicQuantizeMatMul (dynamically quantized Linear / MatMul):
//  - the reference op against a float64 computation written here: A
//    quantized with DynamicQuantizeLinear's qparams computed here, the
//    dequantized A times the dequantized B in float64, plus the bias;
//  - the prepared op bit for bit against the reference op at every ISA
//    level this CPU runs (directly and through a Session);
//  - the shape rule's errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <random>

#include "prepared_op_harness.h"

using namespace octet;
using namespace octet::testing;
using graph::DType;
using graph::Shape;
using graph::Tensor;

namespace {

std::mt19937& rng() {
  static std::mt19937 g(40213);
  return g;
}

// ---- the node ----

struct DqMatMul {
  Shape a_shape = {5, 37};
  int64_t n = 19;
  DType b_type = DType::Int8;
  bool per_column = true;
  std::optional<int32_t> b_zp;  // nullopt: omitted
  bool bias = true;
  float a_lo = -3.0f, a_hi = 5.0f;
  int64_t k() const { return a_shape.back(); }

  NodeCase node() const {
    NodeCase nc;
    nc.op = "DynamicQuantizeMatMul";
    nc.domain = graph::kMicrosoftDomain;
    const auto a_count = static_cast<size_t>(graph::shape_numel(a_shape));
    Tensor a = Tensor::from<float>(a_shape, random_floats(rng(), a_count, a_lo, a_hi));
    const Shape col = per_column ? Shape{n} : Shape{};
    const auto cols = static_cast<size_t>(per_column ? n : 1);
    nc.inputs = {a, filled(rng(), b_type, {k(), n}), Tensor::from<float>(col, random_floats(rng(), cols, 0.001f, 0.02f)),
                 b_zp ? zero_point(b_type, *b_zp, col) : Tensor(),
                 bias ? Tensor::from<float>({n}, random_floats(rng(), static_cast<size_t>(n), -2.0f, 2.0f)) : Tensor()};
    return nc;
  }
};

// ---- the independent float64 reference ----

struct Expected {
  std::vector<double> y;
  double tolerance = 0;
};

// DynamicQuantizeLinear as ONNX defines it, in float32 as the op must:
// range widened to 0, scale = range / 255, zp = saturate(round(-min / scale)),
// q = saturate(round(x / scale) + zp). Then y in float64.
Expected dq_matmul_float(const NodeCase& nc) {
  const Tensor& a = nc.inputs[0];
  const Tensor& b = nc.inputs[1];
  const Tensor& bs = nc.inputs[2];
  const int64_t k = b.dim(0), n = b.dim(1), m = a.numel() / k;
  const float* x = a.data<float>();
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < a.numel(); ++i) lo = std::min(lo, x[i]), hi = std::max(hi, x[i]);
  float scale = 1.0f;
  double zp = 0;
  if (hi != lo) {
    scale = (hi - lo) / 255.0f;
    zp = std::min(std::max(std::nearbyint(-lo / scale), 0.0f), 255.0f);
  }
  std::vector<double> a_real(static_cast<size_t>(a.numel()));
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double q = std::min(std::max(double(std::nearbyint(x[i] / scale)) + zp, 0.0), 255.0);
    a_real[i] = (q - zp) * double(scale);
  }
  Expected e;
  e.y.assign(static_cast<size_t>(m * n), 0.0);
  double max_term = 0;
  for (int64_t j = 0; j < n; ++j) {
    const int64_t c = bs.numel() == 1 ? 0 : j;
    const double b_scale = bs.data<float>()[c];
    const double b_zp = nc.inputs[3].empty() ? 0.0 : double(int_at(nc.inputs[3], c));
    const double bias = nc.inputs[4].empty() ? 0.0 : nc.inputs[4].data<float>()[j];
    for (int64_t i = 0; i < m; ++i) {
      double sum = 0;
      for (int64_t p = 0; p < k; ++p) sum += a_real[i * k + p] * (double(int_at(b, p * n + j)) - b_zp) * b_scale;
      e.y[i * n + j] = sum + bias;
      max_term = std::max(max_term, std::abs(sum) + std::abs(bias));
    }
  }
  // The op's float32 steps each round once: float(acc) (exact below 2^24),
  // a_scale * b_scale, the product, the bias add: under 4 * 2^-24 of the
  // largest term. 1e-5 of it leaves room and still catches any off-by-one
  // in a quantized A (a step of scale * |B| is far larger).
  e.tolerance = 1e-5 * std::max(max_term, 1e-30);
  return e;
}

void require_close(const Tensor& y, const Expected& e) {
  REQUIRE(y.dtype() == DType::Float32);
  REQUIRE(y.numel() == static_cast<int64_t>(e.y.size()));
  for (int64_t i = 0; i < y.numel(); ++i) {
    INFO("element " << i);
    REQUIRE(std::abs(double(y.data<float>()[i]) - e.y[i]) <= e.tolerance);
  }
}

}  // namespace

TEST_CASE("DynamicQuantizeMatMul reference op matches a float64 computation", "[qdynamic_ops]") {
  DqMatMul d;
  SECTION("int8 B, per-column scale, bias") {}
  SECTION("int8 B, per-tensor scale, zero point 0 given, no bias") { d.per_column = false, d.b_zp = 0, d.bias = false; }
  SECTION("int8 B, nonzero per-column zero points") { d.b_zp = -7; }
  SECTION("uint8 B, zero point 128") { d.b_type = DType::UInt8, d.b_zp = 128; }
  SECTION("uint8 B, zero point omitted") { d.b_type = DType::UInt8; }
  SECTION("rank-3 A") { d.a_shape = {2, 3, 11}; }
  SECTION("rank-1 A") { d.a_shape = {23}; }
  SECTION("A all negative") { d.a_lo = -4.0f, d.a_hi = -1.0f; }
  SECTION("A all positive") { d.a_lo = 0.5f, d.a_hi = 9.0f; }
  const NodeCase nc = d.node();
  const Tensor y = reference(nc);
  Shape want(d.a_shape.begin(), d.a_shape.end() - 1);
  want.push_back(d.n);
  REQUIRE(y.shape() == want);
  require_close(y, dq_matmul_float(nc));
}

TEST_CASE("DynamicQuantizeMatMul of a constant A is exact", "[qdynamic_ops]") {
  // A = 2 everywhere: range [0, 2], scale 2/255, zp 0, Aq = 255 exactly, so
  // Y = 255 * (2/255 as float) * b_scale * sum_k B + bias, computed here.
  DqMatMul d;
  d.a_shape = {3, 8};
  d.n = 4;
  NodeCase nc = d.node();
  std::fill(nc.inputs[0].data<float>(), nc.inputs[0].data<float>() + nc.inputs[0].numel(), 2.0f);
  const Tensor y = reference(nc);
  const float a_scale = 2.0f / 255.0f;
  for (int64_t j = 0; j < d.n; ++j) {
    int32_t col = 0;
    for (int64_t p = 0; p < 8; ++p) col += nc.inputs[1].data<int8_t>()[p * d.n + j];
    const float want = float(255 * col) * (a_scale * nc.inputs[2].data<float>()[j]) + nc.inputs[4].data<float>()[j];
    for (int64_t i = 0; i < 3; ++i) REQUIRE(y.data<float>()[i * d.n + j] == want);
  }
}

TEST_CASE("DynamicQuantizeMatMul prepared op gives the reference op's bits", "[qdynamic_ops]") {
  DqMatMul d;
  bool fast = true;
  SECTION("int8 B, per-column scale, bias, odd M K N") {}
  SECTION("int8 B, per-tensor scale, no bias") { d.per_column = false, d.bias = false; }
  SECTION("int8 B, zero points 0 given") { d.b_zp = 0; }
  SECTION("uint8 B, zero point 128") { d.b_type = DType::UInt8, d.b_zp = 128, d.per_column = false; }
  SECTION("uint8 B, per-column zero points 128") { d.b_type = DType::UInt8, d.b_zp = 128; }
  SECTION("rank-3 A") { d.a_shape = {2, 3, 33}, d.n = 17; }
  SECTION("rank-1 A") { d.a_shape = {29}; }
  SECTION("one row, wide N") { d.a_shape = {1, 64}, d.n = 67; }
  SECTION("deep K") { d.a_shape = {7, 1031}, d.n = 33; }
  SECTION("A all negative (zero point 255)") { d.a_lo = -4.0f, d.a_hi = -1.0f; }
  SECTION("A all positive (zero point 0)") { d.a_lo = 0.5f, d.a_hi = 9.0f; }
  SECTION("huge range") { d.a_lo = -3e37f, d.a_hi = 1e38f; }
  SECTION("tiny range") { d.a_lo = -1e-30f, d.a_hi = 1e-30f; }
  SECTION("int8 B, nonzero zero points: reference only") { d.b_zp = 3, fast = false; }
  SECTION("uint8 B, zero point omitted: reference only") { d.b_type = DType::UInt8, fast = false; }
  check_case(d.node(), fast);
}

TEST_CASE("DynamicQuantizeMatMul prepared op on extreme A", "[qdynamic_ops]") {
  DqMatMul d;
  d.a_shape = {6, 515};
  d.n = 21;
  NodeCase nc = d.node();
  Tensor& a = nc.inputs[0];
  float* x = a.data<float>();
  SECTION("all zero (scale 1, zero point 0)") { std::fill(x, x + a.numel(), 0.0f); }
  SECTION("all equal") { std::fill(x, x + a.numel(), 1.75f); }
  SECTION("max float both signs (range overflows to inf)") {
    for (int64_t i = 0; i < a.numel(); ++i) x[i] = i % 2 ? std::numeric_limits<float>::max() : -3e38f;
  }
  SECTION("Aq 255 against B -128 everywhere") {
    // One row at the top of the range, the rest 0: that row quantizes to 255.
    std::fill(x, x + a.numel(), 0.0f);
    std::fill(x, x + 515, 6.0f);
    nc.inputs[1] = filled(rng(), DType::Int8, {515, d.n}, Fill::Min);
  }
  check_case(nc, true);
}

TEST_CASE("DynamicQuantizeMatMul with a runtime B runs the reference op", "[qdynamic_ops]") {
  DqMatMul d;
  NodeCase nc = d.node();
  nc.runtime = {0, 1};
  check_case(nc, false);
  require_close(reference(nc), dq_matmul_float(nc));
}

TEST_CASE("DynamicQuantizeMatMul shape rule errors", "[qdynamic_ops]") {
  DqMatMul d;
  d.b_zp = 0;
  NodeCase nc = d.node();
  std::string want;
  SECTION("int8 A") {
    nc.inputs[0] = filled(rng(), DType::Int8, {5, 37});
    want = "input 0 (A) must be float32";
  }
  SECTION("float B") {
    nc.inputs[1] = Tensor::from<float>({37, 19}, std::vector<float>(37 * 19, 1.0f));
    want = "input 1 (B) is float32; only uint8 and int8";
  }
  SECTION("batched B") {
    nc.inputs[1] = filled(rng(), DType::Int8, {2, 37, 19});
    want = "input 1 (B) must be a [K, N] matrix";
  }
  SECTION("inner dimensions differ") {
    nc.inputs[1] = filled(rng(), DType::Int8, {36, 19});
    want = "differ in the inner dimension";
  }
  SECTION("b_scale of the wrong size") {
    nc.inputs[2] = Tensor::from<float>({5}, std::vector<float>(5, 0.1f));
    want = "input 2 (b_scale) must hold one value or one per column (19)";
  }
  SECTION("b_zero_point of another type") {
    nc.inputs[3] = zero_point(DType::UInt8, 0, {19});
    want = "input 3 (b_zero_point) must be int8";
  }
  SECTION("b_zero_point and b_scale sizes differ") {
    nc.inputs[3] = zero_point(DType::Int8, 0, {});
    want = "b_scale and b_zero_point must have the same size";
  }
  SECTION("bias of the wrong shape") {
    nc.inputs[4] = Tensor::from<float>({1, 19}, std::vector<float>(19, 0.0f));
    want = "input 4 (bias) must have shape [19]";
  }
  SECTION("int32 bias") {
    nc.inputs[4] = random_ints(rng(), {19}, 5);
    want = "input 4 (bias) must be float32";
  }
  SECTION("missing b_scale") {
    nc.inputs[2] = Tensor();
    want = "input 2 is required but missing";
  }
  const std::string got = shape_error(nc);
  INFO(got);
  REQUIRE(got.find("'node'") != std::string::npos);
  REQUIRE(got.find(want) != std::string::npos);
}
