// Quantized uint8 pools (NHWC MaxPool / AveragePool, GlobalAveragePool in
// both layouts): every ISA level bit-exact with kernels/ref over odd sizes,
// pads, strides, dilations, ceil-mode windows and channel counts around the
// vector widths; the ref against the FP32 pools and exact arithmetic.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <sstream>
#include <vector>

#include "kernels/fp32/pool_f32.h"
#include "kernels/qpool.h"

using namespace octet::kernels;

namespace {

struct Case {
  QPoolParams p;
  bool floor_mode = true;  // else ceil mode: the last windows may hold no input
};

Case random_case(std::mt19937& rng, int64_t channels) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Case c;
  const int rank = pick(0, 5) == 0 ? 1 : (pick(0, 5) == 0 ? 3 : 2);
  c.floor_mode = pick(0, 3) != 0;
  SpatialWindow& w = c.p.window;
  for (int d = 0; d < rank; ++d) {
    const int64_t in = pick(1, rank == 3 ? 5 : 9), k = pick(1, 4), dil = pick(1, 2), s = pick(1, 3);
    const int64_t extent = (k - 1) * dil + 1;
    const int64_t pb = pick(0, int(extent) - 1);
    int64_t pe = pick(0, int(extent) - 1);
    if (in + pb + pe < extent) pe = extent - in - pb;
    const int64_t span = in + pb + pe - extent;
    const int64_t out = (c.floor_mode ? span / s : (span + s - 1) / s) + 1;
    w.in_size.push_back(in), w.kernel.push_back(k), w.dilation.push_back(dil), w.stride.push_back(s);
    w.pad_begin.push_back(pb), w.pad_end.push_back(pe), w.out_size.push_back(out);
  }
  c.p.batch = pick(1, 2);
  c.p.channels = channels;
  return c;
}

std::vector<uint8_t> pixels(std::mt19937& rng, int64_t n, int pattern) {
  std::vector<uint8_t> v(static_cast<size_t>(n));
  for (auto& x : v) x = pattern == 0 ? uint8_t(rng()) : pattern == 1 ? 0 : pattern == 2 ? 255 : (rng() & 1) * 255;
  return v;
}

// NHWC [batch, pixels, channels] -> NCHW [batch, channels, pixels] as float.
std::vector<float> to_nchw(const std::vector<uint8_t>& x, int64_t batch, int64_t pixels, int64_t channels,
                           int32_t zero_point) {
  std::vector<float> y(x.size());
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t i = 0; i < pixels; ++i)
      for (int64_t c = 0; c < channels; ++c)
        y[(n * channels + c) * pixels + i] = float(int32_t(x[(n * pixels + i) * channels + c]) - zero_point);
  return y;
}

// Whether every window holds an input element (dilation can step over a
// small input): the FP32 pools require it.
bool windows_nonempty(const SpatialWindow& w) {
  for (size_t d = 0; d < w.rank(); ++d)
    for (int64_t o = 0; o < w.out_size[d]; ++o) {
      bool any = false;
      for (int64_t k = 0; k < w.kernel[d]; ++k) {
        const int64_t i = o * w.stride[d] - w.pad_begin[d] + k * w.dilation[d];
        any = any || (i >= 0 && i < w.in_size[d]);
      }
      if (!any) return false;
    }
  return true;
}

struct QP {
  float sx;
  int32_t zx;
  float sy;
  int32_t zy;
};
// Exact ties (m = 1/count), ordinary, saturating both ways, near-constant.
const QP kQParams[] = {{0.1f, 128, 0.1f, 128}, {0.02f, 0, 0.05f, 10}, {0.5f, 255, 0.01f, 128}, {0.003f, 7, 0.9f, 250}};

// See qelementwise_test: equal, or one step off where e is within err of a tie.
struct ExactCheck {
  int failures = 0;
  std::string first;
  void operator()(int got, double e, double err, int zy) {
    const int exact = static_cast<int>(std::min(std::max(std::nearbyint(e) + zy, 0.0), 255.0));
    if (got == exact) return;
    if (std::fabs(std::fabs(e - std::floor(e)) - 0.5) <= err && std::abs(got - exact) == 1) return;
    if (failures++ == 0) {
      std::ostringstream s;
      s << "got " << got << ", exact " << exact << " (e = " << e << ")";
      first = s.str();
    }
  }
};

}  // namespace

TEST_CASE("quantized max and average pools: every level bit-exact with the ref", "[qpool]") {
  std::mt19937 rng(41);
  for (int64_t channels : {1, 3, 17, 33, 64, 65, 130})
    for (int trial = 0; trial < 30; ++trial) {
      const Case c = random_case(rng, channels);
      const QPoolParams& p = c.p;
      const int64_t in_n = p.batch * p.window.in_numel() * channels;
      const int64_t out_n = p.batch * p.window.out_numel() * channels;
      const int pattern = trial % 4;
      const QP& q = kQParams[trial % 4];
      const auto x = pixels(rng, in_n, pattern);
      std::vector<uint8_t> want(out_n), got(out_n);
      INFO("channels=" << channels << " trial=" << trial);

      qmax_pool_nhwc_ref(p, x.data(), want.data());
      for (Isa isa : supported_isas()) {
        std::fill(got.begin(), got.end(), uint8_t(0x77));
        qmax_pool_nhwc_u8(isa, p, x.data(), got.data());
        INFO("max " << isa_name(isa));
        REQUIRE(want == got);
        if (!qmax_pool_splits_rows(isa, p)) {
          CHECK((isa == Isa::Ref || p.window.rank() != 2));
          continue;
        }
        // As threads split it: uneven row ranges (one empty, one past the end)
        // write their rows' pixels and nothing else, the same bits as the whole.
        const int64_t rows = p.batch * p.window.out_size[0], row_bytes = p.window.out_size[1] * channels;
        const int64_t cuts[] = {0, rows / 3, rows / 3, rows - 1, rows + 2};
        const std::vector<DimTaps> taps = window_taps(p.window);
        std::fill(got.begin(), got.end(), uint8_t(0x77));
        for (size_t i = 0; i + 1 < std::size(cuts); ++i) {
          qmax_pool_nhwc_u8_rows(isa, p, taps, x.data(), got.data(), cuts[i], cuts[i + 1]);
          const auto end = got.begin() + std::min(cuts[i + 1], rows) * row_bytes;
          REQUIRE(std::equal(got.begin(), end, want.begin()));
          REQUIRE(std::all_of(end, got.end(), [](uint8_t v) { return v == 0x77; }));
        }
      }
      for (bool include_pad : {false, true}) {
        qaverage_pool_nhwc_u8_ref(p, x.data(), q.sx, q.zx, q.sy, q.zy, include_pad, want.data());
        for (Isa isa : supported_isas()) {
          std::fill(got.begin(), got.end(), uint8_t(0x77));
          qaverage_pool_nhwc_u8(isa, p, x.data(), q.sx, q.zx, q.sy, q.zy, include_pad, got.data());
          INFO("average " << isa_name(isa) << " count_include_pad=" << include_pad);
          REQUIRE(want == got);
        }
      }
    }
}

TEST_CASE("quantized pool refs agree with the FP32 pools", "[qpool]") {
  std::mt19937 rng(43);
  ExactCheck check;
  for (int64_t channels : {1, 3, 17})
    for (int trial = 0; trial < 60; ++trial) {
      Case c = random_case(rng, channels);
      if (!windows_nonempty(c.p.window)) continue;  // the FP32 pools want a tap in every window
      const QPoolParams& p = c.p;
      const int64_t pix_in = p.window.in_numel(), pix_out = p.window.out_numel();
      const QP& q = kQParams[trial % 4];
      const auto x = pixels(rng, p.batch * pix_in * channels, trial % 4);
      PoolParams fp;
      fp.planes = p.batch * channels;
      fp.window = p.window;
      const std::vector<float> xf = to_nchw(x, p.batch, pix_in, channels, q.zx);
      std::vector<float> yf(fp.planes * pix_out);
      std::vector<uint8_t> y(p.batch * pix_out * channels);
      INFO("channels=" << channels << " trial=" << trial);

      // Max commutes with x - zx: the FP32 max of the shifted values, shifted back.
      qmax_pool_nhwc_ref(p, x.data(), y.data());
      max_pool(fp, xf.data(), yf.data(), nullptr, false);
      for (int64_t n = 0; n < p.batch; ++n)
        for (int64_t o = 0; o < pix_out; ++o)
          for (int64_t ch = 0; ch < channels; ++ch)
            REQUIRE(int(y[(n * pix_out + o) * channels + ch]) ==
                    int(yf[(n * channels + ch) * pix_out + o]) + q.zx);

      // Average: the FP32 mean of exact integers (one float division), then
      // scaled in double.
      for (bool include_pad : {false, true}) {
        qaverage_pool_nhwc_u8_ref(p, x.data(), q.sx, q.zx, q.sy, q.zy, include_pad, y.data());
        average_pool_f32(fp, xf.data(), yf.data(), include_pad);
        for (int64_t n = 0; n < p.batch; ++n)
          for (int64_t o = 0; o < pix_out; ++o)
            for (int64_t ch = 0; ch < channels; ++ch) {
              const double e = double(yf[(n * channels + ch) * pix_out + o]) * q.sx / q.sy;
              check(y[(n * pix_out + o) * channels + ch], e, std::ldexp(std::fabs(e), -20), q.zy);
            }
      }
    }
  INFO(check.first);
  REQUIRE(check.failures == 0);
}

TEST_CASE("quantized global average pool: both layouts, every level bit-exact, ref exact", "[qpool]") {
  std::mt19937 rng(47);
  ExactCheck check;
  for (int64_t channels : {1, 3, 17, 33, 65})
    for (int64_t plane = 0; plane <= 140; ++plane)  // every tail of the 32- and 64-byte loops
      for (int k = 0; k < 4; ++k) {
        const QP& q = kQParams[k];
        const int64_t batch = 1 + (plane + k) % 2;
        const auto x = pixels(rng, batch * channels * plane, k);
        for (bool nhwc : {false, true}) {
          std::vector<uint8_t> want(batch * channels), got(batch * channels);
          qglobal_average_pool_u8_ref(batch, channels, plane, nhwc, x.data(), q.sx, q.zx, q.sy, q.zy, want.data());
          for (Isa isa : supported_isas()) {
            std::fill(got.begin(), got.end(), uint8_t(0x77));
            qglobal_average_pool_u8(isa, batch, channels, plane, nhwc, x.data(), q.sx, q.zx, q.sy, q.zy, got.data());
            INFO(isa_name(isa) << " channels=" << channels << " plane=" << plane << " nhwc=" << nhwc);
            REQUIRE(want == got);
          }
          if (nhwc || plane == 0) continue;
          for (int64_t i = 0; i < batch * channels; ++i) {
            double sum = 0;
            for (int64_t j = 0; j < plane; ++j) sum += double(x[i * plane + j]) - q.zx;
            const double e = sum / double(plane) * q.sx / q.sy;
            check(want[i], e, std::ldexp(std::fabs(e), -21), q.zy);
          }
        }
      }
  INFO(check.first);
  REQUIRE(check.failures == 0);
}
