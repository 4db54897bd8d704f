// quant::ErrorStats and Top1Agreement against values worked by hand.
#include <catch2/catch.hpp>

#include <cmath>

#include "quant/error_metrics.h"

using namespace octet::quant;

TEST_CASE("ErrorStats: SQNR, max error and cosine by hand", "[error_metrics]") {
  const float ref[] = {1, 2, 3, 4}, got[] = {1, 2, 3, 5};
  ErrorStats s;
  s.add(ref, got, 4);
  // sum ref^2 = 30, sum err^2 = 1; sum ref got = 34, sum got^2 = 39.
  CHECK(s.sqnr_db() == Approx(10 * std::log10(30.0)).epsilon(1e-12));
  CHECK(s.max_abs_error() == 1.0);
  CHECK(s.cosine() == Approx(34 / std::sqrt(30.0 * 39.0)).epsilon(1e-12));
  CHECK(s.count() == 4);
}

TEST_CASE("ErrorStats: sums accumulate over runs", "[error_metrics]") {
  const float ref[] = {0.5f, -1.5f, 2.f, 3.f, -0.25f, 1.f}, got[] = {0.75f, -1.f, 2.f, 2.5f, 0.f, 1.f};
  ErrorStats once, split;
  once.add(ref, got, 6);
  split.add(ref, got, 2);
  split.add(ref + 2, got + 2, 4);
  CHECK(split.sqnr_db() == Approx(once.sqnr_db()).epsilon(1e-12));
  CHECK(split.cosine() == Approx(once.cosine()).epsilon(1e-12));
  CHECK(split.max_abs_error() == 0.5);
  CHECK(split.count() == 6);
}

TEST_CASE("ErrorStats: identical, all-zero and NaN cases", "[error_metrics]") {
  const float a[] = {1, -2, 3}, zeros[] = {0, 0, 0}, nan[] = {1, NAN, 3};
  ErrorStats same;
  same.add(a, a, 3);
  CHECK(same.sqnr_db() == INFINITY);
  CHECK(same.cosine() == 1.0);
  CHECK(same.max_abs_error() == 0.0);
  ErrorStats from_zero;
  from_zero.add(zeros, a, 3);
  CHECK(from_zero.sqnr_db() == -INFINITY);
  CHECK(from_zero.cosine() == 0.0);
  ErrorStats both_zero;
  both_zero.add(zeros, zeros, 3);
  CHECK(both_zero.cosine() == 1.0);
  ErrorStats broken;
  broken.add(a, nan, 3);
  CHECK(std::isnan(broken.sqnr_db()));
  CHECK(std::isnan(broken.max_abs_error()));
}

TEST_CASE("argmax and Top1Agreement", "[error_metrics]") {
  const float row[] = {0.1f, 0.7f, 0.7f, -1.f};
  CHECK(argmax(row, 4) == 1);  // first on a tie
  const float nan_first[] = {NAN, 0.f, 2.f};
  CHECK(argmax(nan_first, 3) == 2);
  // 3 rows of 2 classes: rows 0 and 2 agree.
  const float ref[] = {1, 0, 0, 1, 5, 6}, got[] = {2, 1, 1, 0, 3, 4};
  Top1Agreement t;
  CHECK(std::isnan(t.fraction()));
  t.add(ref, got, 3, 2);
  CHECK(t.agreeing() == 2);
  CHECK(t.rows() == 3);
  CHECK(t.fraction() == Approx(2.0 / 3));
}
