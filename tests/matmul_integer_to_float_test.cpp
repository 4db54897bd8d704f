// com.microsoft:MatMulIntegerToFloat (an integer MatMul with a float
// output, as ONNX Runtime's optimizer fuses MatMulInteger -> Cast -> Mul):
//  - the reference op, for every uint8 / int8 pairing of A and B, against a
//    float64 computation written here;
//  - the prepared op bit for bit against the reference op at every ISA
//    level this CPU runs, with a_scale / a_zero_point constant or given at
//    run time (as a DynamicQuantizeLinear before it gives them);
//  - the shape rule's errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
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
  static std::mt19937 g(77031);
  return g;
}

struct IntToFloat {
  Shape a_shape = {5, 37};
  int64_t n = 19;
  DType a_type = DType::UInt8, b_type = DType::Int8;
  Fill a_fill = Fill::Random, b_fill = Fill::Random;
  std::optional<int32_t> a_zp, b_zp;  // nullopt: omitted
  bool per_column = true, bias = true;
  int64_t k() const { return a_shape.back(); }

  NodeCase node() const {
    NodeCase nc;
    nc.op = "MatMulIntegerToFloat";
    nc.domain = graph::kMicrosoftDomain;
    const Shape col = per_column ? Shape{n} : Shape{};
    const auto cols = static_cast<size_t>(per_column ? n : 1);
    nc.inputs = {filled(rng(), a_type, a_shape, a_fill),
                 filled(rng(), b_type, {k(), n}, b_fill),
                 Tensor::scalar<float>(random_floats(rng(), 1, 0.01f, 0.05f)[0]),
                 Tensor::from<float>(col, random_floats(rng(), cols, 0.001f, 0.02f)),
                 a_zp ? zero_point(a_type, *a_zp) : Tensor(),
                 b_zp ? zero_point(b_type, *b_zp, col) : Tensor(),
                 bias ? Tensor::from<float>({n}, random_floats(rng(), static_cast<size_t>(n), -2.0f, 2.0f)) : Tensor()};
    return nc;
  }
};

// (A - a_zp)(B - b_zp) * a_scale * b_scale + bias in float64, and the
// tolerance of the op's float32 steps: float(acc) (exact below 2^24),
// a_scale * b_scale, the product and the bias add each round once, under
// 4 * 2^-24 of the largest term; 1e-5 of it leaves room and still catches
// any wrong zero point (a step of a_scale * b_scale * |B| is far larger).
void require_matches_float64(const NodeCase& nc, const Tensor& y) {
  const Tensor &a = nc.inputs[0], &b = nc.inputs[1], &bs = nc.inputs[3];
  const int64_t k = b.dim(0), n = b.dim(1), m = a.numel() / k;
  const double a_scale = nc.inputs[2].data<float>()[0];
  const double a_zp = nc.inputs[4].empty() ? 0.0 : double(int_at(nc.inputs[4], 0));
  REQUIRE(y.dtype() == DType::Float32);
  REQUIRE(y.numel() == m * n);
  for (int64_t j = 0; j < n; ++j) {
    const int64_t c = bs.numel() == 1 ? 0 : j;
    const double b_zp = nc.inputs[5].empty() ? 0.0 : double(int_at(nc.inputs[5], c));
    const double bias = nc.inputs[6].empty() ? 0.0 : nc.inputs[6].data<float>()[j];
    for (int64_t i = 0; i < m; ++i) {
      double acc = 0;
      for (int64_t p = 0; p < k; ++p) acc += (double(int_at(a, i * k + p)) - a_zp) * (double(int_at(b, p * n + j)) - b_zp);
      const double product = acc * a_scale * double(bs.data<float>()[c]);
      INFO("row " << i << " column " << j);
      REQUIRE(std::abs(double(y.data<float>()[i * n + j]) - (product + bias)) <=
              1e-5 * std::max(std::abs(product) + std::abs(bias), 1e-30));
    }
  }
}

}  // namespace

TEST_CASE("MatMulIntegerToFloat reference op matches float64 for every 8-bit pairing", "[matmul_integer_to_float]") {
  IntToFloat d;
  for (DType a : {DType::UInt8, DType::Int8})
    for (DType b : {DType::UInt8, DType::Int8}) {
      INFO("A " << graph::dtype_name(a) << ", B " << graph::dtype_name(b));
      d.a_type = a, d.b_type = b;
      d.a_zp = a == DType::UInt8 ? 131 : -9;
      d.b_zp = b == DType::UInt8 ? 120 : 5;
      const NodeCase with_zero_points = d.node();
      require_matches_float64(with_zero_points, reference(with_zero_points));
      d.a_zp.reset(), d.b_zp.reset(), d.per_column = false, d.bias = false;
      const NodeCase plain = d.node();
      require_matches_float64(plain, reference(plain));
      d.per_column = true, d.bias = true;
    }
  SECTION("rank-3 and rank-1 A") {
    d.a_shape = {2, 3, 11};
    const NodeCase nc = d.node();
    const Tensor y = reference(nc);
    REQUIRE(y.shape() == Shape{2, 3, d.n});
    require_matches_float64(nc, y);
    d.a_shape = {23};
    REQUIRE(reference(d.node()).shape() == Shape{d.n});
  }
}

TEST_CASE("MatMulIntegerToFloat is exact for 255 and -128 against -128", "[matmul_integer_to_float]") {
  // Every acc is K * 255 * -128 (u8 A) or K * -128 * -128 (s8 A): exact in
  // float32 below 2^24, so y = float(acc) * (a_scale * b_scale) exactly.
  IntToFloat d;
  d.a_shape = {3, 257}, d.n = 5, d.b_fill = Fill::Min, d.per_column = false, d.bias = false;
  for (DType a : {DType::UInt8, DType::Int8}) {
    d.a_type = a;
    d.a_fill = a == DType::UInt8 ? Fill::Max : Fill::Min;
    const NodeCase nc = d.node();
    const Tensor y = reference(nc);
    const float acc = float(257 * (a == DType::UInt8 ? 255 : -128) * -128);
    const float want = acc * (nc.inputs[2].data<float>()[0] * nc.inputs[3].data<float>()[0]);
    for (int64_t i = 0; i < y.numel(); ++i) REQUIRE(y.data<float>()[i] == want);
    check_case(nc, true);
  }
}

TEST_CASE("MatMulIntegerToFloat prepared op gives the reference op's bits", "[matmul_integer_to_float]") {
  IntToFloat d;
  bool fast = true;
  SECTION("uint8 A, int8 B, per-column scale, bias, odd M K N") { d.a_zp = 140; }
  SECTION("int8 A, int8 B, zero points omitted") { d.a_type = DType::Int8; }
  SECTION("int8 A with a zero point, int8 B with zero points 0") { d.a_type = DType::Int8, d.a_zp = -100, d.b_zp = 0; }
  SECTION("uint8 A, uint8 B with zero point 128") { d.b_type = DType::UInt8, d.b_zp = 128, d.a_zp = 3; }
  SECTION("int8 A, uint8 B with per-column zero points 128") {
    d.a_type = DType::Int8, d.b_type = DType::UInt8, d.b_zp = 128;
  }
  SECTION("rank-3 A, per-tensor scale, no bias") { d.a_shape = {2, 3, 33}, d.n = 17, d.per_column = false, d.bias = false; }
  SECTION("one row, wide N") { d.a_shape = {1, 64}, d.n = 67; }
  SECTION("deep K") { d.a_shape = {7, 1031}, d.n = 33, d.a_zp = 255; }
  SECTION("int8 B, nonzero zero points: reference only") { d.b_zp = 3, fast = false; }
  SECTION("uint8 B, zero point omitted: reference only") { d.b_type = DType::UInt8, fast = false; }
  SECTION("int8 A, uint8 B, zero point 7: reference only") {
    d.a_type = DType::Int8, d.b_type = DType::UInt8, d.b_zp = 7, fast = false;
  }
  NodeCase nc = d.node();
  check_case(nc, fast);
  SECTION("a_scale, a_zero_point and bias at run time, as DynamicQuantizeLinear gives them") {
    if (nc.inputs[4].empty()) nc.inputs[4] = zero_point(d.a_type, d.a_type == DType::UInt8 ? 77 : -77);
    nc.runtime = {0, 2, 4};
    if (!nc.inputs[6].empty()) nc.runtime.push_back(6);
    check_case(nc, fast);
  }
}

TEST_CASE("MatMulIntegerToFloat with a runtime B runs the reference op", "[matmul_integer_to_float]") {
  IntToFloat d;
  d.a_zp = 12;
  NodeCase nc = d.node();
  nc.runtime = {0, 1};
  check_case(nc, false);
}

TEST_CASE("MatMulIntegerToFloat shape rule errors", "[matmul_integer_to_float]") {
  IntToFloat d;
  d.a_zp = 0, d.b_zp = 0;
  NodeCase nc = d.node();
  std::string want;
  SECTION("float A") {
    nc.inputs[0] = Tensor::from<float>({5, 37}, std::vector<float>(5 * 37, 1.0f));
    want = "input 0 (A) is float32; only uint8 and int8";
  }
  SECTION("int32 B") {
    nc.inputs[1] = random_ints(rng(), {37, 19}, 5);
    want = "input 1 (B) is int32; only uint8 and int8";
  }
  SECTION("batched B") {
    nc.inputs[1] = filled(rng(), DType::Int8, {2, 37, 19});
    want = "input 1 (B) must be a [K, N] matrix";
  }
  SECTION("inner dimensions differ") {
    nc.inputs[1] = filled(rng(), DType::Int8, {36, 19});
    want = "differ in the inner dimension";
  }
  SECTION("per-column a_scale") {
    nc.inputs[2] = Tensor::from<float>({37}, std::vector<float>(37, 0.1f));
    want = "input 2 (a_scale) must hold one value";
  }
  SECTION("b_scale of the wrong size") {
    nc.inputs[3] = Tensor::from<float>({5}, std::vector<float>(5, 0.1f));
    want = "input 3 (b_scale) must hold one value or one per column (19)";
  }
  SECTION("a_zero_point of another type") {
    nc.inputs[4] = zero_point(DType::Int8, 0);
    want = "input 4 (a_zero_point) must be uint8, is int8";
  }
  SECTION("b_zero_point of the wrong size") {
    nc.inputs[5] = zero_point(DType::Int8, 0, {4});
    want = "input 5 (b_zero_point) must hold one value or one per column (19)";
  }
  SECTION("bias of the wrong shape") {
    nc.inputs[6] = Tensor::from<float>({1, 19}, std::vector<float>(19, 0.0f));
    want = "input 6 (bias) must have shape [19]";
  }
  SECTION("missing a_scale") {
    nc.inputs[2] = Tensor();
    want = "input 2 is required but missing";
  }
  const std::string got = shape_error(nc);
  INFO(got);
  REQUIRE(got.find("'node'") != std::string::npos);
  REQUIRE(got.find(want) != std::string::npos);
}
