// The packed FP32 GEMM (kernels/fp32/sgemm_packed.h) at every ISA level this
// CPU runs, against the scalar reference (kernels/ref/sgemm_ref.h) bit for
// bit: memcmp of whole C buffers, the row gaps included (they must keep
// their guard values). The reference itself is checked against a double
// precision product, so that it cannot drift from the GEMM it claims to be.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/fp32/sgemm_packed.h"
#include "kernels/im2col.h"
#include "kernels/ref/sgemm_ref.h"

using namespace octet::kernels;

namespace {

enum class Fill { Random, Extreme };

std::vector<float> fill(size_t n, Fill f, std::mt19937& rng) {
  std::uniform_real_distribution<float> uni(-2.f, 2.f);
  const float inf = std::numeric_limits<float>::infinity();
  // Overflow to +-inf, inf * 0 and inf - inf (the default NaN, the same
  // bits everywhere), subnormal products and sums, signed zeros.
  const float extremes[] = {3e38f, -3e38f, 1e-38f, -1e-38f, 1e-45f, 0.f, -0.f, inf, -inf, 1.f, -1.f, 1e20f};
  std::uniform_int_distribution<size_t> pick(0, sizeof(extremes) / sizeof(extremes[0]) - 1);
  std::uniform_int_distribution<int> coin(0, 3);
  std::vector<float> v(n);
  for (float& x : v) x = f == Fill::Extreme && coin(rng) == 0 ? extremes[pick(rng)] : uni(rng);
  return v;
}

struct Case {
  int64_t m, n, k;
  bool bias, accumulate;
  Fill fill;
};

// C buffers with row stride ldc = n + 3: the gap holds a guard value that
// no level may overwrite.
constexpr float kGuard = 12345.f;

std::string describe(Isa isa, const Case& c) {
  return std::string(isa_name(isa)) + " m=" + std::to_string(c.m) + " n=" + std::to_string(c.n) +
         " k=" + std::to_string(c.k) + (c.bias ? " bias" : "") + (c.accumulate ? " accumulate" : "") +
         (c.fill == Fill::Extreme ? " extreme" : "");
}

// Runs one case at every level against sgemm_ref; returns the number of
// mismatching levels (and reports each through INFO / CHECK).
void check_case(const Case& c, std::mt19937& rng) {
  const int64_t lda = c.k + 1, ldb = c.n + 5, ldc = c.n + 3;
  const std::vector<float> a = fill(static_cast<size_t>(c.m * lda), c.fill, rng);
  const std::vector<float> b = fill(static_cast<size_t>(std::max<int64_t>(c.k, 1) * ldb), c.fill, rng);
  const std::vector<float> bias = fill(static_cast<size_t>(c.m), c.fill, rng);
  std::vector<float> c0(static_cast<size_t>(c.m * ldc), kGuard);
  if (c.accumulate) {
    const std::vector<float> start = fill(static_cast<size_t>(c.m * c.n), c.fill, rng);
    for (int64_t i = 0; i < c.m; ++i)
      for (int64_t j = 0; j < c.n; ++j) c0[i * ldc + j] = start[i * c.n + j];
  }
  const float* bias_ptr = c.bias ? bias.data() : nullptr;
  std::vector<float> want = c0;
  sgemm_ref(c.m, c.n, c.k, a.data(), lda, b.data(), ldb, bias_ptr, c.accumulate, want.data(), ldc);
  for (Isa isa : supported_isas()) {
    const PackedSgemmA packed = prepack_sgemm_a(isa, c.m, c.k, a.data(), lda);
    std::vector<float> got = c0;
    SgemmArgs args;
    args.a = &packed;
    args.n = c.n;
    args.b = b.data();
    args.ldb = ldb;
    args.bias = bias_ptr;
    args.accumulate = c.accumulate;
    args.c = got.data();
    args.ldc = ldc;
    sgemm_packed(args);
    INFO(describe(isa, c));
    CHECK(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0);
  }
}

}  // namespace

TEST_CASE("sgemm_ref is the product it claims to be", "[sgemm]") {
  std::mt19937 rng(7);
  const int64_t m = 13, n = 29, k = 300, ldc = n + 2;
  const std::vector<float> a = fill(m * k, Fill::Random, rng), b = fill(k * n, Fill::Random, rng);
  const std::vector<float> bias = fill(m, Fill::Random, rng);
  std::vector<float> c(m * ldc, kGuard);
  sgemm_ref(m, n, k, a.data(), k, b.data(), n, bias.data(), false, c.data(), ldc);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double want = bias[i];
      for (int64_t q = 0; q < k; ++q) want += double(a[i * k + q]) * double(b[q * n + j]);
      // k roundings of sums bounded by ~k * 4: a few ulps of the magnitude.
      CHECK(std::fabs(c[i * ldc + j] - want) <= 1e-4 * k);
    }
    CHECK(c[i * ldc + n] == kGuard);
  }
  // Accumulate adds to what C holds.
  std::vector<float> twice = c;
  sgemm_ref(m, n, k, a.data(), k, b.data(), n, nullptr, true, twice.data(), ldc);
  std::vector<float> once_no_bias(m * ldc, kGuard);
  sgemm_ref(m, n, k, a.data(), k, b.data(), n, nullptr, false, once_no_bias.data(), ldc);
  CHECK(std::fabs(twice[5 * ldc + 7] - (c[5 * ldc + 7] + once_no_bias[5 * ldc + 7])) < 1e-2);
}

TEST_CASE("sgemm_packed equals sgemm_ref bit for bit: small odd shapes", "[sgemm]") {
  std::mt19937 rng(1);
  const int64_t ks[] = {1, 2, 3, 5, 8, 13, 16, 17, 31, 40};
  for (int64_t m = 1; m <= 20; ++m)
    for (int64_t n = 1; n <= 70; ++n)
      for (int64_t k : ks) check_case({m, n, k, (m + n) % 2 == 0, false, Fill::Random}, rng);
}

TEST_CASE("sgemm_packed equals sgemm_ref bit for bit: bias, accumulate, extremes", "[sgemm]") {
  std::mt19937 rng(2);
  for (int64_t m : {1, 7, 8, 9, 17})
    for (int64_t n : {1, 15, 16, 17, 33, 47, 48, 49, 70})
      for (int64_t k : {0, 1, 4, 37})
        for (bool bias : {false, true})
          for (Fill f : {Fill::Random, Fill::Extreme}) {
            check_case({m, n, k, bias, false, f}, rng);
            if (!bias) check_case({m, n, k, false, true, f}, rng);
          }
}

TEST_CASE("sgemm_packed equals sgemm_ref bit for bit: large, blocked depths", "[sgemm]") {
  std::mt19937 rng(3);
  // Depths past one K block (256) carry their sums through C, with panels
  // outer (A up to 1 MB) or depth blocks outer (larger A).
  check_case({37, 300, 600, true, false, Fill::Random}, rng);
  check_case({64, 196, 576, true, false, Fill::Random}, rng);
  check_case({128, 49, 1152, false, false, Fill::Random}, rng);
  check_case({19, 101, 513, false, true, Fill::Random}, rng);
  check_case({23, 77, 257, true, false, Fill::Extreme}, rng);
  // A over 1 MB: the driver runs depth blocks outer instead of panels.
  check_case({300, 53, 1000, true, false, Fill::Random}, rng);
  check_case({263, 50, 1030, false, true, Fill::Random}, rng);
}

TEST_CASE("sgemm_packed equals sgemm_ref bit for bit: packed A, narrow column tails", "[sgemm]") {
  std::mt19937 rng(5);
  // Panels of 1..15 columns (alone or after a full one): up to 11 the
  // AVX-512 level runs them over rows (groups of row blocks, partial blocks
  // with m % 16 != 0 or one sliver only), the rest on its tiles; depths past
  // a K block (sums through C) and accumulate.
  for (int64_t t = 1; t <= 15; ++t)
    for (int64_t m : {3, 16, 23, 40, 130, 200}) {
      check_case({m, 48 + t, 300, t % 2 == 0, false, Fill::Random}, rng);
      check_case({m, t, 260, false, true, m % 2 == 0 ? Fill::Extreme : Fill::Random}, rng);
    }
}

namespace {

struct ImageCase {
  int64_t channels, h, w, kh, kw, sy, sx, dy, dx, pt, pl, pb, pr, m;
};

SpatialWindow window_of(const ImageCase& c) {
  SpatialWindow w;
  w.in_size = {c.h, c.w};
  w.kernel = {c.kh, c.kw};
  w.stride = {c.sy, c.sx};
  w.dilation = {c.dy, c.dx};
  w.pad_begin = {c.pt, c.pl};
  w.pad_end = {c.pb, c.pr};
  w.out_size = {(c.h + c.pt + c.pb - c.dy * (c.kh - 1) - 1) / c.sy + 1,
                (c.w + c.pl + c.pr - c.dx * (c.kw - 1) - 1) / c.sx + 1};
  return w;
}

// B gathered from the image must be exactly im2col's columns: the same
// bits as sgemm_ref on the written-out columns.
void check_image_case(const ImageCase& ic, bool bias, std::mt19937& rng) {
  const SpatialWindow win = window_of(ic);
  const int64_t k = ic.channels * ic.kh * ic.kw, n = win.out_numel(), ldc = n + 1;
  const std::vector<float> image = fill(static_cast<size_t>(ic.channels * ic.h * ic.w), Fill::Random, rng);
  const std::vector<float> a = fill(static_cast<size_t>(ic.m * k), Fill::Random, rng);
  const std::vector<float> bias_v = fill(static_cast<size_t>(ic.m), Fill::Random, rng);
  std::vector<float> columns(static_cast<size_t>(k * n));
  im2col<float>(win, ic.channels, image.data(), 0.f, columns.data());
  std::vector<float> want(static_cast<size_t>(ic.m * ldc), kGuard);
  sgemm_ref(ic.m, n, k, a.data(), k, columns.data(), n, bias ? bias_v.data() : nullptr, false, want.data(), ldc);
  const SgemmImageB src{image.data(), &win};
  for (Isa isa : supported_isas()) {
    for (bool packed : {false, true}) {
      const PackedSgemmA pa =
          packed ? prepack_sgemm_a(isa, ic.m, k, a.data(), k) : view_sgemm_a(isa, ic.m, k, a.data(), k);
      std::vector<float> got(want.size(), kGuard);
      SgemmArgs args;
      args.a = &pa;
      args.n = n;
      args.image = &src;
      args.bias = bias ? bias_v.data() : nullptr;
      args.c = got.data();
      args.ldc = ldc;
      sgemm_packed(args);
      INFO(std::string(isa_name(isa)) + (packed ? " packed" : " view") + " c=" + std::to_string(ic.channels) +
           " " + std::to_string(ic.h) + "x" + std::to_string(ic.w) + " k" + std::to_string(ic.kh) + "x" +
           std::to_string(ic.kw) + " s" + std::to_string(ic.sy) + "," + std::to_string(ic.sx) + " d" +
           std::to_string(ic.dy) + "," + std::to_string(ic.dx) + " m=" + std::to_string(ic.m));
      CHECK(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0);
    }
  }
}

}  // namespace

TEST_CASE("sgemm_packed gathers an image's im2col columns bit for bit", "[sgemm]") {
  std::mt19937 rng(4);
  const ImageCase cases[] = {
      {3, 9, 11, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 5},    // 3x3 same padding
      {2, 13, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 9},    // stride 2
      {3, 23, 23, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3, 17},  // resnet stem, small
      {1, 5, 5, 5, 5, 1, 1, 1, 1, 4, 4, 4, 4, 3},     // every tap but one in padding at the corners
      {4, 10, 12, 3, 2, 3, 1, 2, 2, 2, 0, 1, 3, 8},   // dilation, uneven padding and strides
      {2, 1, 60, 1, 3, 1, 1, 1, 1, 0, 1, 0, 1, 7},    // one row (a 1-D conv as 2-D)
      {1, 4, 4, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 4},     // 1x1 stride 2
      {30, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 20},   // depth 270: two K blocks
      {1, 3, 3, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 2},     // one output pixel
  };
  for (const ImageCase& c : cases)
    for (bool bias : {false, true}) check_image_case(c, bias, rng);
}

TEST_CASE("sgemm_packed refuses malformed calls", "[sgemm]") {
  const std::vector<float> a(12, 1.f), b(12, 1.f), bias(3, 0.f);
  std::vector<float> c(12);
  const PackedSgemmA packed = prepack_sgemm_a(Isa::Ref, 3, 4, a.data(), 4);
  SgemmArgs args;
  args.a = &packed;
  args.n = 3;
  args.b = b.data();
  args.ldb = 3;
  args.c = c.data();
  args.ldc = 3;
  args.bias = bias.data();
  args.accumulate = true;
  CHECK_THROWS_AS(sgemm_packed(args), std::invalid_argument);
  args.accumulate = false;
  args.ldc = 2;
  CHECK_THROWS_AS(sgemm_packed(args), std::invalid_argument);
  CHECK_THROWS_AS(prepack_sgemm_a(Isa::Ref, 3, 4, a.data(), 3), std::invalid_argument);
}
