// choose_qparams against ranges worked by hand: scale = (hi - lo) / levels
// with the range widened to include 0, zero point = qmin + round_half_even(-lo
// / scale); symmetric schemes put the zero point in the middle and use
// amax / 127 (amax / 63 with reduced range).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "graph/error.h"
#include "quant/qparams.h"

using namespace octet::quant;
using octet::graph::DType;

namespace {
const QuantScheme u8{DType::UInt8, false, false};
const QuantScheme s8{DType::Int8, false, false};
const QuantScheme u8_sym{DType::UInt8, true, false};
const QuantScheme s8_sym{DType::Int8, true, false};
const QuantScheme u8_7bit{DType::UInt8, false, true};
const QuantScheme s8_7bit{DType::Int8, false, true};
const QuantScheme u8_sym_7bit{DType::UInt8, true, true};
const QuantScheme s8_sym_7bit{DType::Int8, true, true};
}  // namespace

TEST_CASE("quant_bounds: full and reduced range", "[qparams]") {
  CHECK(quant_bounds(u8).qmin == 0);
  CHECK(quant_bounds(u8).qmax == 255);
  CHECK(quant_bounds(s8).qmin == -128);
  CHECK(quant_bounds(s8).qmax == 127);
  CHECK(quant_bounds(u8_7bit).qmin == 0);
  CHECK(quant_bounds(u8_7bit).qmax == 127);
  CHECK(quant_bounds(s8_7bit).qmin == -64);
  CHECK(quant_bounds(s8_7bit).qmax == 63);
  CHECK_THROWS_AS(quant_bounds({DType::Int32, false, false}), octet::UnsupportedError);
}

TEST_CASE("choose_qparams: asymmetric by hand", "[qparams]") {
  // [-1, 3]: 4 / 255 per step, 0 sits 1 / (4/255) = 63.75 steps above qmin.
  QParams qp = choose_qparams({-1.0f, 3.0f}, u8);
  CHECK(qp.scale == 4.0f / 255.0f);
  CHECK(qp.zero_point == 64);
  qp = choose_qparams({-1.0f, 3.0f}, s8);
  CHECK(qp.scale == 4.0f / 255.0f);
  CHECK(qp.zero_point == -128 + 64);
  // Reduced range: 127 steps, 0 at 31.75 -> 32.
  qp = choose_qparams({-1.0f, 3.0f}, u8_7bit);
  CHECK(qp.scale == 4.0f / 127.0f);
  CHECK(qp.zero_point == 32);
  qp = choose_qparams({-1.0f, 3.0f}, s8_7bit);
  CHECK(qp.scale == 4.0f / 127.0f);
  CHECK(qp.zero_point == -64 + 32);
}

TEST_CASE("choose_qparams: the range is widened to include 0", "[qparams]") {
  QParams qp = choose_qparams({2.0f, 5.0f}, u8);  // as [0, 5]
  CHECK(qp.scale == 5.0f / 255.0f);
  CHECK(qp.zero_point == 0);
  qp = choose_qparams({-5.0f, -2.0f}, u8);  // as [-5, 0]
  CHECK(qp.scale == 5.0f / 255.0f);
  CHECK(qp.zero_point == 255);
  qp = choose_qparams({-5.0f, -2.0f}, s8);
  CHECK(qp.zero_point == 127);
}

TEST_CASE("choose_qparams: zero point rounds half to even", "[qparams]") {
  // span 255 -> scale exactly 1, so -lo / scale is exactly x.5.
  CHECK(choose_qparams({-0.5f, 254.5f}, u8).zero_point == 0);
  CHECK(choose_qparams({-1.5f, 253.5f}, u8).zero_point == 2);
  CHECK(choose_qparams({-2.5f, 252.5f}, u8).zero_point == 2);
  CHECK(choose_qparams({-2.5f, 252.5f}, u8).scale == 1.0f);
}

TEST_CASE("choose_qparams: symmetric by hand", "[qparams]") {
  QParams qp = choose_qparams({-2.0f, 1.0f}, s8_sym);
  CHECK(qp.scale == 2.0f / 127.0f);
  CHECK(qp.zero_point == 0);
  qp = choose_qparams({-2.0f, 1.0f}, u8_sym);
  CHECK(qp.scale == 2.0f / 127.0f);
  CHECK(qp.zero_point == 128);
  qp = choose_qparams({0.5f, 3.0f}, s8_sym);  // amax 3 even though all positive
  CHECK(qp.scale == 3.0f / 127.0f);
  qp = choose_qparams({-2.0f, 1.0f}, s8_sym_7bit);
  CHECK(qp.scale == 2.0f / 63.0f);
  CHECK(qp.zero_point == 0);
  qp = choose_qparams({-2.0f, 1.0f}, u8_sym_7bit);
  CHECK(qp.scale == 2.0f / 63.0f);
  CHECK(qp.zero_point == 64);
  // Both ends of [-amax, amax] are representable without saturating.
  for (const QuantScheme& s : {s8_sym, u8_sym, s8_sym_7bit, u8_sym_7bit}) {
    qp = choose_qparams({-2.0f, 1.0f}, s);
    CHECK(fake_quantize(-2.0f, qp, s) == Approx(-2.0f));
    CHECK(fake_quantize(2.0f, qp, s) == Approx(2.0f));
  }
}

TEST_CASE("choose_qparams: an all-zero range gets scale 1", "[qparams]") {
  QParams qp = choose_qparams({0.0f, 0.0f}, u8);
  CHECK(qp.scale == 1.0f);
  CHECK(qp.zero_point == 0);
  CHECK(choose_qparams({0.0f, 0.0f}, s8).zero_point == -128);
  CHECK(choose_qparams({0.0f, 0.0f}, s8_sym).zero_point == 0);
  CHECK(choose_qparams({0.0f, 0.0f}, u8_sym).zero_point == 128);
  CHECK(choose_qparams({0.0f, 0.0f}, u8_sym).scale == 1.0f);
  CHECK(fake_quantize(0.0f, qp, u8) == 0.0f);
}

TEST_CASE("choose_qparams: real 0 is exact for every scheme and range", "[qparams]") {
  const Range ranges[] = {{-1.0f, 3.0f}, {-0.37f, 11.2f}, {-1e-3f, 1e3f}, {-7.1f, 0.2f},
                          {-123.4f, 0.01f}, {0.3f, 0.9f}, {-1e30f, 3e30f}};
  for (const QuantScheme& s : {u8, s8, u8_sym, s8_sym, u8_7bit, s8_7bit, u8_sym_7bit, s8_sym_7bit})
    for (Range r : ranges) {
      const QParams qp = choose_qparams(r, s);
      CAPTURE(r.min, r.max, qp.scale, qp.zero_point);
      CHECK(std::isfinite(qp.scale));
      CHECK(qp.scale > 0.0f);
      CHECK(fake_quantize(0.0f, qp, s) == 0.0f);
      CHECK(qp.zero_point >= quant_bounds(s).qmin);
      CHECK(qp.zero_point <= quant_bounds(s).qmax);
    }
}

TEST_CASE("choose_qparams: extreme and invalid ranges", "[qparams]") {
  // A span that overflows float in max - min, and one that would give a
  // denormal scale, still give a finite, normal scale.
  const QParams wide = choose_qparams({-std::numeric_limits<float>::max(), std::numeric_limits<float>::max()}, u8);
  CHECK(std::isfinite(wide.scale));
  const QParams tiny = choose_qparams({0.0f, 1e-44f}, u8);
  CHECK(tiny.scale >= std::numeric_limits<float>::min());
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  CHECK_THROWS_AS(choose_qparams({nan, 1.0f}, u8), octet::Error);
  CHECK_THROWS_AS(choose_qparams({-inf, 1.0f}, u8), octet::Error);
  CHECK_THROWS_AS(choose_qparams({2.0f, 1.0f}, u8), octet::Error);
}

TEST_CASE("quantize: kernel arithmetic, saturated to the scheme's bounds", "[qparams]") {
  const QParams qp = choose_qparams({-1.0f, 3.0f}, u8_7bit);  // scale 4/127, zp 32
  CHECK(quantize(0.0f, qp, u8_7bit) == 32);
  CHECK(quantize(3.0f, qp, u8_7bit) == 127);
  CHECK(quantize(100.0f, qp, u8_7bit) == 127);  // not 255: reduced range holds
  CHECK(quantize(-100.0f, qp, u8_7bit) == 0);
  CHECK(quantize(std::numeric_limits<float>::infinity(), qp, u8_7bit) == 127);
  CHECK(quantize(std::numeric_limits<float>::quiet_NaN(), qp, u8_7bit) == 32);
  const QParams one{1.0f, 0};
  CHECK(quantize(2.5f, one, s8) == 2);  // half to even
  CHECK(quantize(3.5f, one, s8) == 4);
  CHECK(quantize(-200.0f, one, s8) == -128);
}
