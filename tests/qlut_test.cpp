// 256-entry lookup tables for unary ops: apply_lut_u8 at every ISA level
// bit-exact with the scalar lookup over every length 0..300 (and in place),
// tables equal to direct per-element dequantize -> op -> quantize, and the
// float32 builders against double-precision math.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <vector>

#include "kernels/qlut.h"
#include "kernels/x86/qelementwise_x86.h"

using namespace octet::kernels;

TEST_CASE("apply_lut_u8: every level bit-exact with the scalar lookup", "[qlut]") {
  std::mt19937 rng(61);
  uint8_t table[256];
  for (int trial = 0; trial < 3; ++trial) {
    for (auto& t : table) t = uint8_t(rng());
    if (trial == 1)
      for (int i = 0; i < 256; ++i) table[i] = uint8_t(255 - i);
    std::vector<uint8_t> x(301 + 256);
    for (auto& v : x) v = uint8_t(rng());
    for (int i = 0; i < 256; ++i) x[301 + i] = uint8_t(i);  // every index, in order
    for (int64_t n = 0; n <= 300; ++n) {
      std::vector<uint8_t> want(n + 1, 0x3c), got(n + 1);
      apply_lut_ref(table, x.data() + 1, want.data(), n);
      for (Isa isa : supported_isas()) {
        std::fill(got.begin(), got.end(), uint8_t(0x3c));
        apply_lut_u8(isa, table, x.data() + 1, got.data(), n);
        INFO(isa_name(isa) << " n=" << n);
        REQUIRE(std::memcmp(want.data(), got.data(), n + 1) == 0);
      }
#if defined(__x86_64__) || defined(_M_X64)
      // The dispatcher prefers vpermi2b where VBMI exists: test the vpshufb
      // kernel on its own too.
      if (isa_supported(Isa::Avx512Vnni)) {
        std::fill(got.begin(), got.end(), uint8_t(0x3c));
        x86::apply_lut_u8_avx512vnni(table, x.data() + 1, got.data(), n);
        INFO("avx512vnni without vbmi, n=" << n);
        REQUIRE(std::memcmp(want.data(), got.data(), n + 1) == 0);
      }
#endif
    }
    for (Isa isa : supported_isas()) {
      std::vector<uint8_t> all(x.begin() + 301, x.end());
      apply_lut_u8(isa, table, all.data(), all.data(), 256);  // in place
      INFO(isa_name(isa));
      REQUIRE(std::memcmp(all.data(), table, 256) == 0);
    }
  }
}

namespace {

struct Op {
  const char* name;
  UnaryFn f;
  std::function<double(double)> exact;
};

std::vector<Op> ops() {
  return {
      {"relu", lut_fn::relu(), [](double x) { return x > 0 ? x : 0; }},
      {"clip", lut_fn::clip(-1.0f, 6.0f), [](double x) { return std::min(std::max(x, -1.0), 6.0); }},
      {"leaky_relu", lut_fn::leaky_relu(0.1f), [](double x) { return x < 0 ? double(0.1f) * x : x; }},
      {"sigmoid", lut_fn::sigmoid(), [](double x) { return 1 / (1 + std::exp(-x)); }},
      {"tanh", lut_fn::tanh(), [](double x) { return std::tanh(x); }},
      {"hard_sigmoid", lut_fn::hard_sigmoid(0.2f, 0.5f),
       [](double x) { return std::min(std::max(double(0.2f) * x + 0.5, 0.0), 1.0); }},
      {"hard_swish", lut_fn::hard_swish(), [](double x) { return x * std::min(std::max(x / 6 + 0.5, 0.0), 1.0); }},
      {"elu", lut_fn::elu(1.0f), [](double x) { return x < 0 ? std::exp(x) - 1 : x; }},
      {"exp", lut_fn::exp(), [](double x) { return std::exp(x); }},
      {"gelu", lut_fn::gelu(), [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }},
  };
}

struct QP {
  float sx;
  int32_t zx;
  float sy;
  int32_t zy;
};

}  // namespace

TEMPLATE_TEST_CASE("LUT builders: table = per-element float evaluation, close to exact math", "[qlut]", uint8_t,
                   int8_t) {
  using T = TestType;
  const int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  const QP qps[] = {{0.05f, (lo + hi) / 2, 1.0f / 256, lo}, {0.1f, lo, 0.05f, hi}, {0.02f, hi, 0.02f, (lo + hi) / 2},
                    {0.3f, (lo + hi) / 2 + 9, 0.001f, (lo + hi) / 2}};  // the last saturates both ways
  std::mt19937 rng(67);
  for (const Op& op : ops())
    for (const QP& q : qps) {
      uint8_t table[256];
      build_lut<T>(op.f, q.sx, q.zx, q.sy, q.zy, table);
      std::vector<uint8_t> x(1000), y(1000);
      for (auto& v : x) v = uint8_t(rng());
      apply_lut_u8(selected_isa(), table, x.data(), y.data(), 1000);
      for (size_t i = 0; i < x.size(); ++i) {
        // Direct evaluation of the element: dequantize, the op in float, quantize.
        const T xq = static_cast<T>(x[i]);
        const float real = float(int32_t(xq) - q.zx) * q.sx;
        const float fy = op.f(real) / q.sy;
        const float r = std::min(std::max(std::nearbyint(fy) + q.zy, float(lo)), float(hi));
        INFO(op.name << " x=" << int(xq));
        REQUIRE(static_cast<T>(y[i]) == static_cast<T>(r));
        // Against double math: float32 evaluation (libm within a few ulp)
        // may round the other way only next to a tie.
        const double e = op.exact((double(xq) - q.zx) * double(q.sx)) / q.sy;
        const double exact = std::min(std::max(std::nearbyint(e) + q.zy, double(lo)), double(hi));
        if (double(static_cast<T>(y[i])) != exact) {
          REQUIRE(std::fabs(std::fabs(e - std::floor(e)) - 0.5) <= 1e-5 * (1 + std::fabs(e)));
          REQUIRE(std::fabs(double(static_cast<T>(y[i])) - exact) == 1);
        }
      }
    }
}
