// The FP32 depthwise convolution (kernels/fp32/dwconv_f32.h) at every ISA
// level this CPU runs, bit for bit (memcmp) against the scalar reference
// kernels/ref/dwconv_f32_ref.h, over widths 1..40 (every tail of the 8- and
// 16-lane vectors and of the 4-vector tiles), odd heights, strides 1 to 3,
// dilation 2, asymmetric pads, 1x1 / 3x3 / 5x5 / 3x1 kernels, bias or none,
// batch 2 and 1-D; the reference itself against a naive double-precision
// convolution; and conv_f32's depthwise dispatch.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "conv_case_geometry.h"
#include "kernels/fp32/conv_f32.h"
#include "kernels/fp32/dwconv_f32.h"
#include "kernels/qconv.h"
#include "kernels/ref/dwconv_f32_ref.h"

using namespace octet::kernels;

namespace {

struct Case {
  int64_t batch = 1, c = 3, h = 5, w = 5;
  int64_t kh = 3, kw = 3, sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t pt = 1, pl = 1, pb = 1, pr = 1;
  bool bias = true, one_d = false;

  std::string describe() const {
    std::ostringstream s;
    s << "N" << batch << " C" << c << " H" << h << " W" << w << " k" << kh << "x" << kw << " s" << sh << "," << sw
      << " d" << dh << "," << dw << " pads " << pt << "," << pl << "," << pb << "," << pr << " bias " << bias
      << " 1-D " << one_d;
    return s.str();
  }
};

ConvParams params(const Case& k) {
  ConvParams p;
  p.batch = k.batch;
  p.in_channels = p.out_channels = p.group = k.c;
  SpatialWindow& w = p.window;
  const int64_t oh = octet::testing::out_h(k), ow = octet::testing::out_w(k);
  if (k.one_d) {
    w.in_size = {k.w}, w.kernel = {k.kw}, w.stride = {k.sw}, w.dilation = {k.dw};
    w.pad_begin = {k.pl}, w.pad_end = {k.pr}, w.out_size = {ow};
  } else {
    w.in_size = {k.h, k.w}, w.kernel = {k.kh, k.kw}, w.stride = {k.sh, k.sw}, w.dilation = {k.dh, k.dw};
    w.pad_begin = {k.pt, k.pl}, w.pad_end = {k.pb, k.pr}, w.out_size = {oh, ow};
  }
  return p;
}

struct Data {
  std::vector<float> x, w, bias;
};

Data make_data(const ConvParams& p, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  Data d;
  d.x.resize(static_cast<size_t>(p.batch * p.in_channels * p.window.in_numel()));
  d.w.resize(static_cast<size_t>(p.in_channels * p.window.kernel_numel()));
  d.bias.resize(static_cast<size_t>(p.in_channels));
  for (auto* v : {&d.x, &d.w, &d.bias})
    for (float& f : *v) f = u(rng);
  return d;
}

size_t out_count(const ConvParams& p) { return static_cast<size_t>(p.batch * p.out_channels * p.window.out_numel()); }

std::vector<float> reference(const ConvParams& p, const Data& d, bool with_bias) {
  std::vector<float> y(out_count(p));
  dwconv_f32_ref(qconv_shape(p), p.batch * p.in_channels, d.x.data(), d.w.data(), with_bias ? d.bias.data() : nullptr,
                 y.data());
  return y;
}

// Every supported level against the reference, memcmp, with guard floats
// after the output to catch stores past its end.
void check_levels(const ConvParams& p, const Data& d, bool with_bias) {
  const std::vector<float> want = reference(p, d, with_bias);
  const size_t n = want.size();
  for (Isa isa : supported_isas()) {
    INFO("isa " << isa_name(isa));
    std::vector<float> got(n + 16, 1234.5f);
    dwconv_f32(isa, p, d.x.data(), d.w.data(), with_bias ? d.bias.data() : nullptr, got.data());
    REQUIRE(std::memcmp(got.data(), want.data(), n * sizeof(float)) == 0);
    for (size_t i = n; i < got.size(); ++i) REQUIRE(got[i] == 1234.5f);
  }
}

void run_case(const Case& k, std::mt19937& rng) {
  INFO(k.describe());
  REQUIRE(octet::testing::valid(k));
  const ConvParams p = params(k);
  check_levels(p, make_data(p, rng), k.bias);
}

struct Pads {
  int64_t t, l, b, r;
};

}  // namespace

TEST_CASE("dwconv_f32: every width 1..40, 3x3 stride 1 and 2, pad 1", "[dwconv_f32]") {
  std::mt19937 rng(7);
  for (int64_t w = 1; w <= 40; ++w)
    for (int64_t s : {1, 2}) {
      Case k;
      k.c = 1 + w % 11;  // every plane-group remainder
      k.w = w, k.h = 1 + 2 * (w % 4);  // odd heights
      k.sh = k.sw = s;
      k.bias = w % 3 != 0;
      run_case(k, rng);
    }
}

TEST_CASE("dwconv_f32: geometry sweep over kernels, strides, dilations and pads", "[dwconv_f32]") {
  std::mt19937 rng(1234);
  const std::vector<std::pair<int64_t, int64_t>> kernels = {{1, 1}, {3, 3}, {5, 5}, {3, 1}, {1, 3}};
  const std::vector<Pads> pads = {{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 2, 2, 2}, {1, 0, 2, 1}, {0, 2, 1, 0}, {2, 1, 0, 2}};
  const std::vector<int64_t> sizes = {1, 2, 3, 5, 7, 9, 13, 17, 24, 33, 40};
  int cases = 0;
  for (auto [kh, kw] : kernels)
    for (int64_t s : {1, 2, 3})
      for (int64_t dil : {1, 2})
        for (const Pads& pd : pads) {
          Case k;
          k.kh = kh, k.kw = kw, k.sh = s, k.sw = s, k.dh = dil, k.dw = dil;
          if (rng() % 3 == 0) k.sh = 1 + rng() % 3;  // strides differ between the dims
          k.pt = pd.t, k.pl = pd.l, k.pb = pd.b, k.pr = pd.r;
          k.batch = rng() % 3 == 0 ? 2 : 1;
          k.c = 1 + rng() % 10;
          k.h = sizes[rng() % sizes.size()], k.w = sizes[rng() % sizes.size()];
          while (!octet::testing::valid(k)) ++k.h, ++k.w;
          k.bias = rng() % 2;
          run_case(k, rng);
          ++cases;
        }
  CHECK(cases == 5 * 3 * 2 * 6);
}

TEST_CASE("dwconv_f32: unpadded rows whose vectors are all interior", "[dwconv_f32]") {
  // Unmasked AVX-512 tiles need every vector of a 4-vector tile inside the
  // image: output widths that are multiples of 16 with no padding, stride 1
  // and 2 (where both loads of a stride-2 vector must stay inside the row).
  std::mt19937 rng(17);
  for (int64_t out_w : {16, 32, 64, 80})
    for (int64_t s : {1, 2})
      for (int64_t kw : {1, 3}) {
        Case k;
        k.kh = 3, k.kw = kw, k.sh = 1, k.sw = s;
        k.pt = k.pb = 1, k.pl = k.pr = 0;
        k.w = (out_w - 1) * s + kw + (s == 2 ? 1 : 0);  // stride 2: the odd column after the last tap is readable
        k.h = 3, k.c = 3;
        run_case(k, rng);
      }
}

TEST_CASE("dwconv_f32: mobilenet_v2 shapes and batch 2", "[dwconv_f32]") {
  std::mt19937 rng(5);
  for (int64_t size : {112, 56, 28, 14, 7})
    for (int64_t s : {1, 2}) {
      Case k;
      k.c = 16, k.h = k.w = size, k.sh = k.sw = s, k.batch = 2;
      run_case(k, rng);
    }
}

TEST_CASE("dwconv_f32: 1-D convolution", "[dwconv_f32]") {
  std::mt19937 rng(11);
  for (int64_t w : {1, 5, 16, 17, 39})
    for (int64_t s : {1, 2, 3}) {
      Case k;
      k.one_d = true;
      k.h = 1, k.kh = 1, k.pt = k.pb = 0;
      k.w = w, k.kw = 3, k.sw = s, k.pl = 2, k.pr = 1, k.c = 5, k.batch = 2;
      run_case(k, rng);
    }
}

TEST_CASE("dwconv_f32: padding taps are skipped, not multiplied by zero", "[dwconv_f32]") {
  // With +inf weights a padding tap counted as inf * 0 would give NaN; with a
  // -0 bias an output whose taps all lie in the padding keeps -0.
  Case k;
  k.c = 3, k.h = 6, k.w = 21, k.kh = k.kw = 1, k.pt = k.pl = k.pb = k.pr = 2;
  const ConvParams p = params(k);
  std::mt19937 rng(3);
  Data d = make_data(p, rng);
  for (float& v : d.x) v = std::fabs(v) + 0.5f;
  d.w.assign(d.w.size(), std::numeric_limits<float>::infinity());
  d.bias.assign(d.bias.size(), -0.f);
  const std::vector<float> y = reference(p, d, true);
  const int64_t oh = 10, ow = 25;
  for (int64_t q = 0; q < 3; ++q)
    for (int64_t r = 0; r < oh; ++r)
      for (int64_t c = 0; c < ow; ++c) {
        const float v = y[static_cast<size_t>((q * oh + r) * ow + c)];
        const bool inside = r >= 2 && r < 8 && c >= 2 && c < 23;
        if (inside) REQUIRE(std::isinf(v));
        else REQUIRE((v == 0.f && std::signbit(v)));
      }
  check_levels(p, d, true);
  // The same with a 3x3 kernel: border outputs add fewer infinite taps.
  Case k3 = k;
  k3.kh = k3.kw = 3, k3.pt = k3.pl = k3.pb = k3.pr = 1;
  const ConvParams p3 = params(k3);
  Data d3 = make_data(p3, rng);
  for (float& v : d3.x) v = std::fabs(v) + 0.5f;
  d3.w.assign(d3.w.size(), std::numeric_limits<float>::infinity());
  const std::vector<float> y3 = reference(p3, d3, true);
  for (float v : y3) REQUIRE(std::isinf(v));
  check_levels(p3, d3, true);
}

TEST_CASE("dwconv_f32: the reference agrees with a double-precision convolution", "[dwconv_f32]") {
  Case k;
  k.batch = 2, k.c = 4, k.h = 9, k.w = 11, k.kh = 5, k.kw = 3, k.sh = 2, k.sw = 1, k.dh = 1, k.dw = 2;
  k.pt = 2, k.pl = 0, k.pb = 1, k.pr = 2;
  const ConvParams p = params(k);
  std::mt19937 rng(21);
  const Data d = make_data(p, rng);
  const std::vector<float> y = reference(p, d, true);
  const int64_t oh = p.window.out_size[0], ow = p.window.out_size[1];
  for (int64_t n = 0; n < k.batch; ++n)
    for (int64_t c = 0; c < k.c; ++c)
      for (int64_t r = 0; r < oh; ++r)
        for (int64_t col = 0; col < ow; ++col) {
          double sum = d.bias[c], magnitude = std::fabs(d.bias[c]);
          for (int64_t i = 0; i < k.kh; ++i)
            for (int64_t j = 0; j < k.kw; ++j) {
              const int64_t ih = r * k.sh - k.pt + i * k.dh, iw = col * k.sw - k.pl + j * k.dw;
              if (ih < 0 || ih >= k.h || iw < 0 || iw >= k.w) continue;
              const double t = double(d.w[(c * k.kh + i) * k.kw + j]) * d.x[((n * k.c + c) * k.h + ih) * k.w + iw];
              sum += t, magnitude += std::fabs(t);
            }
          const float got = y[static_cast<size_t>(((n * k.c + c) * oh + r) * ow + col)];
          REQUIRE(std::fabs(got - sum) <= 2e-6 * magnitude + 1e-7);
        }
}

TEST_CASE("dwconv_f32: conv_f32 sends depthwise convolutions here", "[dwconv_f32]") {
  Case k;
  k.batch = 2, k.c = 24, k.h = 15, k.w = 19, k.sh = k.sw = 2;
  const ConvParams p = params(k);
  std::mt19937 rng(8);
  const Data d = make_data(p, rng);
  std::vector<float> want(out_count(p)), got(out_count(p));
  dwconv_f32(p, d.x.data(), d.w.data(), d.bias.data(), want.data());
  conv_f32(p, d.x.data(), d.w.data(), d.bias.data(), got.data());
  CHECK(std::memcmp(got.data(), want.data(), want.size() * sizeof(float)) == 0);
  CHECK(conv_f32_scratch(p) == 0);
}

TEST_CASE("dwconv_f32: rejects what is not depthwise or not runnable", "[dwconv_f32]") {
  Case k;
  ConvParams p = params(k);
  p.out_channels = 6;  // channel multiplier 2
  CHECK_FALSE(dwconv_f32_applies(p));
  std::vector<float> buf(1024);
  CHECK_THROWS_AS(dwconv_f32(Isa::Ref, p, buf.data(), buf.data(), nullptr, buf.data()), std::invalid_argument);
  p = params(k);
  p.window.out_size[1] = 7;  // inconsistent with the window
  CHECK_THROWS_AS(dwconv_f32(Isa::Ref, p, buf.data(), buf.data(), nullptr, buf.data()), std::invalid_argument);
}
