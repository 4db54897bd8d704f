// What the sweeps of qgemm_test and qconv_test (which run every level,
// Amx included) do not reach on the AMX tile path: the packed-a buffer is
// reused across calls and a conv's packed rows leave their depth padding
// as it was, so a shorter depth after a longer one must meet it only with
// the weights' zero padding; and the tile configuration is
// thread state, so threads running tile GEMMs at once must each get their
// own. Bit for bit against the Ref level. Skipped where the CPU (or OS)
// has no AMX.
#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "kernels/isa.h"
#include "kernels/qconv.h"
#include "kernels/qgemm.h"

using namespace octet::kernels;

namespace {

struct Gemm {
  int64_t m, n, k;
  std::vector<uint8_t> a;
  std::vector<int8_t> b;
  std::vector<int32_t> bias;
  float scale = 0;
};

Gemm make_gemm(int64_t m, int64_t n, int64_t k, uint8_t a_fill, std::mt19937& rng) {
  Gemm g{m, n, k, std::vector<uint8_t>(static_cast<size_t>(m * k), a_fill), std::vector<int8_t>(static_cast<size_t>(n * k)),
         std::vector<int32_t>(static_cast<size_t>(n)), 0};
  std::uniform_int_distribution<int> s8(-128, 127), b(-50000, 50000);
  for (auto& v : g.b) v = static_cast<int8_t>(s8(rng));
  for (auto& v : g.bias) v = b(rng);
  g.scale = 1.0f / (128.0f * 64.0f * static_cast<float>(k));
  return g;
}

std::vector<uint8_t> run_gemm(Isa isa, const Gemm& g) {
  const PackedWeights w = prepack_weights_s8(isa, g.n, g.k, g.b.data(), g.k, 1);
  std::vector<uint8_t> c(static_cast<size_t>(g.m * g.n));
  QGemmArgs args;
  args.m = g.m;
  args.a = g.a.data();
  args.lda = g.k;
  args.b = &w;
  args.epilogue.type = QGemmOutput::U8;
  args.epilogue.bias = g.bias.data();
  args.epilogue.scale = &g.scale;
  args.epilogue.zero_point = 128;
  args.epilogue.qmin = 0;
  args.epilogue.qmax = 255;
  args.c = c.data();
  args.ldc = g.n;
  qgemm_u8s8(args);
  return c;
}

struct ConvCase {
  int64_t c = 8, m = 40, groups = 1, h = 8, w = 8, stride = 1;
  QGemmOutput type = QGemmOutput::U8;
};

ConvParams conv_params(const ConvCase& k) {
  ConvParams p;
  p.batch = 1;
  p.in_channels = k.c;
  p.out_channels = k.m;
  p.group = k.groups;
  p.window.in_size = {k.h, k.w};
  p.window.kernel = {3, 3};
  p.window.stride = {k.stride, k.stride};
  p.window.dilation = {1, 1};
  p.window.pad_begin = {1, 1};
  p.window.pad_end = {1, 1};
  p.window.out_size = {(k.h - 1) / k.stride + 1, (k.w - 1) / k.stride + 1};
  return p;
}

// A 3x3 convolution with padding 1; the default: C = 8 (72 depths, padded
// to 128 in the tile rows), 8x8 image, 64 output pixels in two 32-row blocks.
std::vector<uint8_t> run_conv(Isa isa, const ConvCase& k, const std::vector<uint8_t>& x, const std::vector<int8_t>& w) {
  const ConvParams p = conv_params(k);
  std::vector<float> mult(static_cast<size_t>(k.m));
  for (size_t i = 0; i < mult.size(); ++i) mult[i] = (1.0f + static_cast<float>(i % 7)) / 4096.0f;
  QConvOutput out;
  out.type = k.type;
  out.multiplier = mult.data();
  out.per_channel = true;
  out.zero_point = k.type == QGemmOutput::S8 ? -9 : k.type == QGemmOutput::U8 ? 77 : 0;
  out.qmin = k.type == QGemmOutput::S8 ? -128 : 0;
  out.qmax = k.type == QGemmOutput::S8 ? 127 : 255;
  const PackedConv pc = prepack_qconv(isa, p, w.data(), nullptr, 11, out);
  const int64_t pixels = p.window.out_size[0] * p.window.out_size[1];
  std::vector<uint8_t> y(static_cast<size_t>(pixels * k.m * (k.type == QGemmOutput::S32 ? 4 : 1)));
  qconv_u8s8(pc, 1, x.data(), y.data());
  return y;
}

struct ConvData {
  std::vector<uint8_t> x;
  std::vector<int8_t> w;
};

ConvData conv_data(const ConvCase& k, std::mt19937& rng) {
  ConvData d{std::vector<uint8_t>(static_cast<size_t>(k.h * k.w * k.c)),
             std::vector<int8_t>(static_cast<size_t>(k.m * k.c / k.groups * 9))};
  std::uniform_int_distribution<int> u8(0, 255), s8(-128, 127);
  for (auto& v : d.x) v = static_cast<uint8_t>(u8(rng));
  for (auto& v : d.w) v = static_cast<int8_t>(s8(rng));
  return d;
}

}  // namespace

TEST_CASE("qgemm amx: stale bytes in the depth padding of a add nothing", "[qgemm][amx]") {
  if (!isa_supported(Isa::Amx)) {
    SUCCEED("no AMX on this CPU");
    return;
  }
  std::mt19937 rng(5);
  const ConvCase k;
  const ConvData d = conv_data(k, rng);
  const std::vector<uint8_t> want = run_conv(Isa::Ref, k, d.x, d.w);
  // Rows of 255 over 256 depths fill the thread's packed-a buffer past
  // where the convolution's rows of 128 bytes end their 72 depths.
  const Gemm wide = make_gemm(96, 48, 256, 255, rng);
  CHECK(run_gemm(Isa::Amx, wide) == run_gemm(Isa::Ref, wide));
  CHECK(run_conv(Isa::Amx, k, d.x, d.w) == want);
  const Gemm narrow = make_gemm(40, 20, 36, 255, rng);
  CHECK(run_gemm(Isa::Amx, wide) == run_gemm(Isa::Ref, wide));
  CHECK(run_gemm(Isa::Amx, narrow) == run_gemm(Isa::Ref, narrow));
}

// Grouped convolutions (each group's taps start a_offset into the pixel),
// depths from one tile row to several with a partial last one, every
// column tail of a panel pair, both strides, and every output type.
TEST_CASE("qgemm amx: convolutions on the tiles over groups, depths and column tails", "[qgemm][amx]") {
  if (!isa_supported(Isa::Amx)) {
    SUCCEED("no AMX on this CPU");
    return;
  }
  std::mt19937 rng(77);
  const QGemmOutput types[] = {QGemmOutput::U8, QGemmOutput::S8, QGemmOutput::S32};
  int i = 0;
  for (int64_t groups : {1, 2, 3})
    for (int64_t cg : {8, 16, 20, 64})
      for (int64_t mg : {1, 16, 31, 33, 64}) {
        ConvCase k;
        k.groups = groups, k.c = cg * groups, k.m = mg * groups;
        k.h = 9 + i % 4, k.w = 11 - i % 3, k.stride = 1 + i % 2;
        k.type = types[i % 3];
        ++i;
        INFO("groups " << groups << " cg " << cg << " mg " << mg << " " << k.h << "x" << k.w << " stride "
                       << k.stride << " type " << static_cast<int>(k.type));
        const ConvData d = conv_data(k, rng);
        CHECK(run_conv(Isa::Amx, k, d.x, d.w) == run_conv(Isa::Ref, k, d.x, d.w));
      }
}

TEST_CASE("qgemm amx: threads running tile GEMMs at once each get their own tiles", "[qgemm][amx]") {
  if (!isa_supported(Isa::Amx)) {
    SUCCEED("no AMX on this CPU");
    return;
  }
  std::mt19937 rng(9);
  std::vector<Gemm> gemms;
  for (int64_t k : {64, 100, 576, 17}) gemms.push_back(make_gemm(70, 50, k, 0, rng));
  for (Gemm& g : gemms) {
    std::uniform_int_distribution<int> u8(0, 255);
    for (auto& v : g.a) v = static_cast<uint8_t>(u8(rng));
  }
  std::vector<std::vector<uint8_t>> want;
  for (const Gemm& g : gemms) want.push_back(run_gemm(Isa::Ref, g));
  std::vector<int> mismatches(gemms.size(), 0);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < gemms.size(); ++t)
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 50; ++rep) mismatches[t] += run_gemm(Isa::Amx, gemms[t]) != want[t];
    });
  for (auto& th : threads) th.join();
  for (size_t t = 0; t < gemms.size(); ++t) {
    INFO("k = " << gemms[t].k);
    CHECK(mismatches[t] == 0);
  }
}
