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

// A 3x3 convolution, C = 4 (36 depths, padded to 64 in the tile rows), 8x8
// image with padding 1: 64 output pixels, two 32-row blocks.
std::vector<uint8_t> run_conv(Isa isa, const std::vector<uint8_t>& x, const std::vector<int8_t>& w) {
  ConvParams p;
  p.batch = 1;
  p.in_channels = 4;
  p.out_channels = 40;
  p.window.in_size = {8, 8};
  p.window.kernel = {3, 3};
  p.window.stride = {1, 1};
  p.window.dilation = {1, 1};
  p.window.pad_begin = {1, 1};
  p.window.pad_end = {1, 1};
  p.window.out_size = {8, 8};
  const float mult = 1.0f / 2048.0f;
  QConvOutput out;
  out.multiplier = &mult;
  out.zero_point = 77;
  const PackedConv pc = prepack_qconv(isa, p, w.data(), nullptr, 11, out);
  std::vector<uint8_t> y(64 * 40);
  qconv_u8s8(pc, 1, x.data(), y.data());
  return y;
}

}  // namespace

TEST_CASE("qgemm amx: stale bytes in the depth padding of a add nothing", "[qgemm][amx]") {
  if (!isa_supported(Isa::Amx)) {
    SUCCEED("no AMX on this CPU");
    return;
  }
  std::mt19937 rng(5);
  std::vector<uint8_t> x(8 * 8 * 4);
  std::vector<int8_t> w(40 * 4 * 9);
  std::uniform_int_distribution<int> u8(0, 255), s8(-128, 127);
  for (auto& v : x) v = static_cast<uint8_t>(u8(rng));
  for (auto& v : w) v = static_cast<int8_t>(s8(rng));
  const std::vector<uint8_t> want = run_conv(Isa::Ref, x, w);
  // Rows of 255 over 256 depths fill the thread's packed-a buffer past
  // where the convolution's rows of 64 bytes end their 36 depths.
  const Gemm wide = make_gemm(96, 48, 256, 255, rng);
  CHECK(run_gemm(Isa::Amx, wide) == run_gemm(Isa::Ref, wide));
  CHECK(run_conv(Isa::Amx, x, w) == want);
  const Gemm narrow = make_gemm(40, 20, 36, 255, rng);
  CHECK(run_gemm(Isa::Amx, wide) == run_gemm(Isa::Ref, wide));
  CHECK(run_gemm(Isa::Amx, narrow) == run_gemm(Isa::Ref, narrow));
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
