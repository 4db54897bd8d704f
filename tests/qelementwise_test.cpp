// Quantized Add / Mul / requantize / Concat: every ISA level bit-exact
// (memcmp) with kernels/ref over every length 0..300 and adversarial
// qparams, and the ref itself against the exact (double) arithmetic.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <utility>
#include <vector>

#include "kernels/qelementwise.h"

using namespace octet::kernels;

namespace {

template <class T> std::vector<T> values(std::mt19937& rng, int64_t n, int pattern) {
  std::vector<T> v(static_cast<size_t>(n));
  std::uniform_int_distribution<int> d(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
  for (auto& x : v) {
    switch (pattern) {
      case 0: x = static_cast<T>(d(rng)); break;
      case 1: x = std::numeric_limits<T>::min(); break;
      case 2: x = std::numeric_limits<T>::max(); break;
      default: x = (rng() & 1) ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max(); break;
    }
  }
  return v;
}

// q is quantize(e) up to float32 rounding: equal, or one step away where e
// lies within err of a rounding tie. The ref rounds its float32 multipliers
// and products (relative error 2^-24 each), which can move a value across
// k + 1/2 only when it is that close; elsewhere it must be exact.
struct ExactCheck {
  int failures = 0;
  std::string first;
  void operator()(int got, double e, double err, int zy, int qmin, int qmax) {
    const double r = std::nearbyint(e) + zy;
    const int exact = static_cast<int>(std::min(std::max(r, double(qmin)), double(qmax)));
    if (got == exact) return;
    const bool near_tie = std::fabs(std::fabs(e - std::floor(e)) - 0.5) <= err;
    if (near_tie && std::abs(got - exact) == 1) return;
    if (failures++ == 0) {
      std::ostringstream s;
      s << "got " << got << ", exact " << exact << " (e = " << e << ", zy = " << zy << ")";
      first = s.str();
    }
  }
};

// Parameter sets: ordinary, zero points at the ends, outputs saturating
// both ways (large multipliers), tiny multipliers, a fused ReLU.
template <class T> std::vector<QBinaryParams> param_sets(QBinaryOp op, std::mt19937& rng) {
  const int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  std::vector<QBinaryParams> sets;
  auto add = [&](float sa, int32_t za, float sb, int32_t zb, float sy, int32_t zy, int32_t qmin, int32_t qmax) {
    QBinaryParams p;
    p.op = op;
    p.a_scale = sa, p.a_zero_point = za, p.b_scale = sb, p.b_zero_point = zb, p.y_scale = sy, p.y_zero_point = zy;
    p.qmin = qmin, p.qmax = qmax;
    sets.push_back(p);
  };
  add(0.02f, (lo + hi) / 2, 0.035f, lo + 10, 0.05f, (lo + hi) / 2 + 3, lo, hi);
  add(0.1f, lo, 0.1f, hi, 0.1f, lo, lo, hi);
  add(0.1f, hi, 0.07f, lo, 0.13f, hi, lo, hi);
  add(3.0f, lo, 2.5f, hi, 0.01f, (lo + hi) / 2, lo, hi);   // saturates both ways
  add(1e-3f, hi, 2e-3f, lo, 10.0f, (lo + hi) / 2, lo, hi); // everything near zy
  add(0.05f, (lo + hi) / 2, 0.05f, (lo + hi) / 2, 0.08f, lo + 20, lo + 20, hi);  // fused ReLU
  add(0.05f, lo + 7, 0.09f, hi - 5, 0.03f, (lo + hi) / 2, lo + 30, hi - 40);    // clamp both sides
  QBinaryParams defaults;  // no clamp beyond the type's range
  defaults.op = op;
  defaults.a_scale = 0.04f, defaults.a_zero_point = lo + 40, defaults.b_scale = 0.06f, defaults.b_zero_point = hi - 20;
  defaults.y_scale = 0.07f, defaults.y_zero_point = (lo + hi) / 2;
  sets.push_back(defaults);
  std::uniform_real_distribution<float> log_scale(-7.0f, 2.0f);
  std::uniform_int_distribution<int32_t> zp(lo, hi);
  for (int i = 0; i < 4; ++i)
    add(std::exp(log_scale(rng)), zp(rng), std::exp(log_scale(rng)), zp(rng), std::exp(log_scale(rng)), zp(rng), lo,
        hi);
  return sets;
}

template <class T> void check_binary_levels(QBinaryOp op) {
  std::mt19937 rng(op == QBinaryOp::Add ? 11 : 12);
  for (const QBinaryParams& p : param_sets<T>(op, rng))
    for (auto [pa, pb] : std::initializer_list<std::pair<int, int>>{{0, 0}, {1, 2}, {2, 1}, {1, 1}, {2, 2}, {3, 3}, {3, 0}}) {
      const int pattern = pa * 4 + pb;
      // One buffer per operand, offset by one so no level sees aligned data.
      const auto a = values<T>(rng, 302, pa), b = values<T>(rng, 302, pb);
      for (int64_t n = 0; n <= 300; ++n)
        for (bool b_scalar : {false, true}) {
          std::vector<T> want(n + 1), got(n + 1);
          qbinary_ref(p, a.data() + 1, b.data() + 1, want.data(), n, b_scalar);
          for (Isa isa : supported_isas()) {
            std::fill(got.begin(), got.end(), T(0x5a));
            got[n] = T(0x5a);
            want[n] = T(0x5a);
            qbinary(isa, p, a.data() + 1, b.data() + 1, got.data(), n, b_scalar);
            INFO(isa_name(isa) << " n=" << n << " b_scalar=" << b_scalar << " pattern=" << pattern);
            REQUIRE(std::memcmp(want.data(), got.data(), (n + 1) * sizeof(T)) == 0);  // incl. no write past n
          }
        }
    }
}

template <class T> void check_binary_exact(QBinaryOp op) {
  std::mt19937 rng(op == QBinaryOp::Add ? 21 : 22);
  ExactCheck check;
  for (const QBinaryParams& p : param_sets<T>(op, rng))
    for (int pattern = 0; pattern < 4; ++pattern) {
      const int64_t n = 4096;
      const auto a = values<T>(rng, n, pattern), b = values<T>(rng, n, pattern == 1 ? 2 : 0);
      std::vector<T> y(n);
      qbinary_ref(p, a.data(), b.data(), y.data(), n, false);
      for (int64_t i = 0; i < n; ++i) {
        const double da = double(a[i]) - p.a_zero_point, db = double(b[i]) - p.b_zero_point;
        double e, err;
        if (op == QBinaryOp::Add) {
          const double ta = da * p.a_scale / p.y_scale, tb = db * p.b_scale / p.y_scale;
          e = ta + tb;
          err = std::ldexp(std::fabs(ta) + std::fabs(tb), -21);
        } else {
          e = da * db * p.a_scale * p.b_scale / p.y_scale;
          err = std::ldexp(std::fabs(e), -21);
        }
        const int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
        check(y[i], e, err, p.y_zero_point, std::max(p.qmin, lo), std::min(p.qmax, hi));
      }
    }
  INFO(check.first);
  REQUIRE(check.failures == 0);
}

}  // namespace

TEMPLATE_TEST_CASE("qadd and qmul: every level bit-exact with the ref", "[qelementwise]", uint8_t, int8_t) {
  check_binary_levels<TestType>(QBinaryOp::Add);
  check_binary_levels<TestType>(QBinaryOp::Mul);
}

TEMPLATE_TEST_CASE("qadd and qmul ref: the exact arithmetic up to float32 ties", "[qelementwise]", uint8_t,
                   int8_t) {
  check_binary_exact<TestType>(QBinaryOp::Add);
  check_binary_exact<TestType>(QBinaryOp::Mul);
}

TEMPLATE_TEST_CASE("qadd and qmul: swapped operands and the scalar path give the same bits", "[qelementwise]",
                   uint8_t, int8_t) {
  std::mt19937 rng(5);
  for (QBinaryOp op : {QBinaryOp::Add, QBinaryOp::Mul})
    for (const QBinaryParams& p : param_sets<TestType>(op, rng)) {
      const int64_t n = 777;
      const auto a = values<TestType>(rng, n, 0);
      const std::vector<TestType> b(n, a[5]);
      for (Isa isa : supported_isas()) {
        std::vector<TestType> y1(n), y2(n), y3(n);
        qbinary(isa, p, a.data(), b.data(), y1.data(), n, false);
        qbinary(isa, p, a.data(), b.data(), y2.data(), n, true);
        qbinary(isa, p.swapped(), b.data(), a.data(), y3.data(), n, false);
        INFO(isa_name(isa));
        REQUIRE(y1 == y2);
        REQUIRE(y1 == y3);
        std::vector<TestType> in_place = a;
        qbinary(isa, p, in_place.data(), b.data(), in_place.data(), n, true);
        REQUIRE(y1 == in_place);
      }
    }
}

TEMPLATE_TEST_CASE("qrequantize and qconcat: every level bit-exact with the ref", "[qelementwise]", uint8_t,
                   int8_t) {
  using T = TestType;
  const int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  std::mt19937 rng(31);
  struct Q {
    float scale;
    int32_t zp;
  };
  const Q qs[] = {{0.05f, lo}, {0.05f, hi}, {0.5f, (lo + hi) / 2}, {0.001f, lo + 3}, {0.0371f, hi - 60}};
  const auto x = values<T>(rng, 301, 0), ext = values<T>(rng, 301, 3);
  ExactCheck check;
  for (const Q& in : qs)
    for (const Q& out : qs)
      for (const auto* src : {&x, &ext})
        for (int64_t n = 0; n <= 300; ++n) {
          std::vector<T> want(n + 1, T(0x33)), got(n + 1);
          requantize_ref(src->data() + 1, n, in.scale, in.zp, out.scale, out.zp, want.data());
          for (int64_t i = 0; i < n; ++i) {
            const double e = (double((*src)[i + 1]) - in.zp) * in.scale / out.scale;
            check(want[i], e, std::ldexp(std::fabs(e), -22), out.zp, lo, hi);
          }
          for (Isa isa : supported_isas()) {
            std::fill(got.begin(), got.end(), T(0x33));
            qrequantize(isa, src->data() + 1, n, in.scale, in.zp, out.scale, out.zp, got.data());
            INFO(isa_name(isa) << " n=" << n);
            REQUIRE(std::memcmp(want.data(), got.data(), n + 1) == 0);
          }
        }
  INFO(check.first);
  REQUIRE(check.failures == 0);

  // Concat: one input with the output's qparams (the copy path), two without.
  for (int64_t outer : {1, 2, 5})
    for (int64_t inner : {1, 3, 17, 64}) {
      const int64_t axes[] = {2, 1, 7};
      const Q in_q[] = {qs[2], qs[0], qs[3]};
      std::vector<std::vector<T>> data;
      std::vector<QConcatInput<T>> inputs;
      for (int j = 0; j < 3; ++j) data.push_back(values<T>(rng, outer * axes[j] * inner, j == 1 ? 3 : 0));
      for (int j = 0; j < 3; ++j) inputs.push_back({data[j].data(), axes[j], in_q[j].scale, in_q[j].zp});
      const int64_t total = outer * 10 * inner;
      std::vector<T> want(total), got(total);
      qconcat_ref(inputs.data(), 3, outer, inner, qs[2].scale, qs[2].zp, want.data());
      // The first input is copied, the others requantized, row by row.
      for (int64_t o = 0; o < outer; ++o)
        REQUIRE(std::memcmp(want.data() + o * 10 * inner, data[0].data() + o * 2 * inner, 2 * inner) == 0);
      for (Isa isa : supported_isas()) {
        qconcat(isa, inputs.data(), 3, outer, inner, qs[2].scale, qs[2].zp, got.data());
        INFO(isa_name(isa) << " outer=" << outer << " inner=" << inner);
        REQUIRE(want == got);
      }
    }
}
