// kernels/fp32/pool_f32.h's 2-D MaxPool without indices (taps outer over a
// row of outputs) against the same function with indices, which walks each
// window's flat offset list one output at a time: the values must be the
// same bits over random geometries (strides 1-3, dilation 1-2, kernels up
// to 4x4, pads 0-2 asymmetric and as wide as the kernel allows, windows
// wholly in the padding) and inputs full of ties, signed zeros, NaN and
// infinities, where "the first maximum in window order" decides.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "conv_case_geometry.h"
#include "kernels/fp32/pool_f32.h"

using namespace octet::kernels;

namespace {

template <class T> std::vector<T> values(std::mt19937& rng, size_t n);

template <> std::vector<float> values(std::mt19937& rng, size_t n) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const float pool[] = {0.0f, -0.0f, 1.0f, 1.0f, -1.0f, 2.5f, nan, inf, -inf, 0.5f};
  std::vector<float> v(n);
  for (auto& x : v) x = rng() % 3 == 0 ? pool[rng() % 10] : static_cast<float>(static_cast<int>(rng() % 41) - 20) / 4;
  return v;
}

template <> std::vector<uint8_t> values(std::mt19937& rng, size_t n) {
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = static_cast<uint8_t>(rng() % 4 == 0 ? 255 : rng() % 7);
  return v;
}

template <class T> void check_random_windows(uint32_t seed) {
  std::mt19937 rng(seed);
  for (int trial = 0; trial < 400; ++trial) {
    const int64_t k[2] = {int64_t(1 + rng() % 4), int64_t(1 + rng() % 4)};
    const int64_t d[2] = {int64_t(1 + rng() % 2), int64_t(1 + rng() % 2)};
    PoolParams p;
    p.planes = 1 + rng() % 3;
    SpatialWindow& w = p.window;
    for (int i = 0; i < 2; ++i) {
      const int64_t in = 1 + rng() % 12, s = 1 + rng() % 3, span = d[i] * (k[i] - 1) + 1;
      int64_t pb = rng() % 3, pe = rng() % 3;
      if (pb >= span) pb = span - 1;  // ONNX: pads smaller than the kernel
      if (pe >= span) pe = span - 1;
      if (in + pb + pe < span) pe += span - (in + pb + pe);
      w.in_size.push_back(in), w.kernel.push_back(k[i]), w.stride.push_back(s), w.dilation.push_back(d[i]);
      w.pad_begin.push_back(pb), w.pad_end.push_back(pe);
      w.out_size.push_back(octet::testing::conv_out_size(in, k[i], s, d[i], pb, pe));
    }
    const std::vector<T> x = values<T>(rng, static_cast<size_t>(p.planes * w.in_numel()));
    const size_t n_out = static_cast<size_t>(p.planes * w.out_numel());
    std::vector<T> fast(n_out), walked(n_out);
    std::vector<int64_t> indices(n_out);
    max_pool(p, x.data(), fast.data(), nullptr, false);
    max_pool(p, x.data(), walked.data(), indices.data(), false);
    INFO("trial " << trial << " in " << w.in_size[0] << "x" << w.in_size[1] << " k " << k[0] << "x" << k[1]
                  << " s " << w.stride[0] << "," << w.stride[1] << " d " << d[0] << "," << d[1] << " pads "
                  << w.pad_begin[0] << "," << w.pad_begin[1] << "," << w.pad_end[0] << "," << w.pad_end[1]);
    REQUIRE(std::memcmp(fast.data(), walked.data(), n_out * sizeof(T)) == 0);
  }
}

}  // namespace

TEST_CASE("max_pool 2-D without indices: the same bits as the window walk", "[max_pool]") {
  check_random_windows<float>(7);
  check_random_windows<uint8_t>(8);
}
