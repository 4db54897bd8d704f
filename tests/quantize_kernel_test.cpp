// QuantizeLinear's vector kernels (kernels/quantize.h) at every ISA level,
// bit-exact with quantize_linear_ref over every length 0..70, the
// round-half-even ties, NaN, +-inf, -0, values far past the range and
// subnormal scales; and the prepared QuantizeLinear op against the
// reference op, taken only where one scale and zero point are constant.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "kernels/quantize.h"
#include "kernels/ref/quantize.h"
#include "prepared_op_harness.h"

using namespace octet;
using namespace octet::kernels;

namespace {

// Random values around the quantized range, with the hard cases mixed in.
std::vector<float> hostile_floats(std::mt19937& rng, size_t n, float scale) {
  const float inf = std::numeric_limits<float>::infinity();
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(), inf, -inf, -0.0f, 0.0f, 3e38f, -3e38f,
                            2.5f * scale, -2.5f * scale, 0.5f * scale, -0.5f * scale, 127.5f * scale,
                            -128.5f * scale, 255.5f * scale, 1e-45f};
  std::uniform_real_distribution<float> d(-300.f * scale, 300.f * scale);
  std::uniform_int_distribution<int> tie(-300, 300);
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) {
    switch (rng() % 4) {
      case 0: v[i] = specials[rng() % (sizeof(specials) / sizeof(float))]; break;
      case 1: v[i] = (tie(rng) + 0.5f) * scale; break;  // a half-way point, give or take the float rounding
      default: v[i] = d(rng); break;
    }
  }
  return v;
}

template <class Q> void check_kernel(float scale, int32_t zero_point) {
  std::mt19937 rng(71);
  for (int64_t n = 0; n <= 70; ++n) {
    const std::vector<float> x = hostile_floats(rng, static_cast<size_t>(n), scale);
    std::vector<Q> want(n + 1, Q(0x5a)), got(n + 1);
    AxisSplit split;
    split.inner = n;
    const QuantParams qp{&scale, &zero_point, 0};
    quantize_linear_ref(x.data(), split, qp, want.data());
    for (Isa isa : supported_isas()) {
      INFO(isa_name(isa) << " n=" << n << " scale=" << scale << " zp=" << zero_point);
      std::fill(got.begin(), got.end(), Q(0x5a));
      quantize_f32<Q>(isa, x.data(), n, scale, zero_point, got.data());
      REQUIRE(std::memcmp(want.data(), got.data(), static_cast<size_t>(n + 1)) == 0);  // and no write past n
    }
  }
}

}  // namespace

TEST_CASE("quantize_f32: every level bit-exact with the reference", "[quantize_kernel]") {
  for (float scale : {0.0235f, 1.0f, 3.0f, 1e-40f, 7.7e5f}) {
    for (int32_t zp : {0, 1, 128, 255}) check_kernel<uint8_t>(scale, zp);
    for (int32_t zp : {-128, -3, 0, 127}) check_kernel<int8_t>(scale, zp);
  }
}

TEST_CASE("quantize_f32: the reference's values on known points", "[quantize_kernel]") {
  const float x[] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 1000.f, -1000.f, std::numeric_limits<float>::quiet_NaN()};
  const uint8_t want[] = {10, 12, 12, 10, 8, 255, 0, 10};  // scale 1, zero point 10: ties to even
  for (Isa isa : supported_isas()) {
    uint8_t got[8];
    quantize_f32<uint8_t>(isa, x, 8, 1.0f, 10, got);
    INFO(isa_name(isa));
    REQUIRE(std::memcmp(got, want, 8) == 0);
  }
}

TEST_CASE("QuantizeLinear prepared: bits of the reference op, per tensor only", "[quantize_kernel]") {
  using graph::DType;
  using graph::Tensor;
  std::mt19937 rng(72);
  for (DType t : {DType::UInt8, DType::Int8}) {
    testing::NodeCase nc;
    nc.op = "QuantizeLinear";
    nc.inputs = {Tensor::from<float>({2, 3, 5, 7}, hostile_floats(rng, 210, 0.05f)),
                 Tensor::from<float>({}, {0.05f}), testing::zero_point(t, t == DType::UInt8 ? 131 : -7)};
    testing::check_case(nc, true);
    nc.inputs[2] = Tensor();  // no zero point: uint8, zero point 0
    if (t == DType::UInt8) testing::check_case(nc, true);
    // Per-axis scales keep the reference op.
    nc.inputs[1] = Tensor::from<float>({3}, {0.05f, 0.1f, 0.2f});
    nc.inputs[2] = testing::zero_point(t, 3, {3});
    testing::check_case(nc, false);
  }
}

TEST_CASE("range_with_zero and dynamic_quantize_u8: every level gives the reference's bits", "[quantize_kernel]") {
  std::mt19937 rng(73);
  for (int64_t n = 0; n <= 70; ++n) {
    for (int trial = 0; trial < 4; ++trial) {
      std::vector<float> x = hostile_floats(rng, static_cast<size_t>(n), trial == 3 ? 1e-30f : 0.01f);
      if (trial == 1)
        for (auto& v : x) v = std::abs(v) + 1.f;  // all positive: the range starts at 0
      if (trial == 2)
        for (auto& v : x) v = v != v ? v : -0.0f;  // zeros and NaN only: scale 1, zero point 0
      float want_scale = 0.f;
      uint8_t want_zp = 0;
      dynamic_quantize_params(x.data(), n, &want_scale, &want_zp);
      std::vector<uint8_t> want(n + 1, 0x5a), got(n + 1);
      AxisSplit split;
      split.inner = n;
      const int32_t zp32 = want_zp;
      quantize_linear_ref(x.data(), split, QuantParams{&want_scale, &zp32, 0}, want.data());
      float want_lo = 0.f, want_hi = 0.f;
      range_with_zero_ref(x.data(), n, &want_lo, &want_hi);
      for (Isa isa : supported_isas()) {
        INFO(isa_name(isa) << " n=" << n << " trial=" << trial);
        float lo = 1.f, hi = -1.f;
        range_with_zero(isa, x.data(), n, &lo, &hi);
        REQUIRE(std::memcmp(&lo, &want_lo, sizeof lo) == 0);
        REQUIRE(std::memcmp(&hi, &want_hi, sizeof hi) == 0);
        float scale = 0.f;
        int32_t zp = -1;
        std::fill(got.begin(), got.end(), uint8_t(0x5a));
        dynamic_quantize_u8(isa, x.data(), n, &scale, &zp, got.data());
        REQUIRE(std::memcmp(&scale, &want_scale, sizeof scale) == 0);
        REQUIRE(zp == int32_t(want_zp));
        REQUIRE(std::memcmp(want.data(), got.data(), static_cast<size_t>(n + 1)) == 0);
      }
    }
  }
}
