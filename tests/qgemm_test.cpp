// The INT8 GEMM (kernels/qgemm.h) at every ISA level this CPU runs, against
// a plain int64 triple loop with the scalar requantization of
// kernels/ref/requantize.h and against the Ref level, bit for bit (memcmp of
// whole output buffers, row gaps included). Weights drawn in [-64, 64] also
// run the AVX2 7-bit (vpmaddubsw) kernel, whose int16 pair sums peak at
// 255 * 64 * 2 = 32640; one weight outside sends the whole matrix to the
// widening kernel.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/qgemm.h"
#include "kernels/ref/requantize.h"

using namespace octet::kernels;

namespace {

enum class Fill {
  Random,
  A255_Bm128,
  A255_Bm127,
  A255_B127,
  A0_Brandom,
  // |b| <= 64: the AVX2 7-bit kernel.
  Random7,
  A255_Bm64,    // every pair sum -32640
  A255_B64,     // every pair sum +32640
  A255_Bpm64,   // -64 and +64 at random
  A255_Bm65,    // one step past the 7-bit bound: the widening kernel
};

// The fills whose weights all satisfy |b| <= 64.
bool fill_is_7bit(Fill f) {
  return f == Fill::Random7 || f == Fill::A255_Bm64 || f == Fill::A255_B64 || f == Fill::A255_Bpm64;
}

struct EpilogueCase {
  QGemmOutput type;
  bool bias, per_channel;
  int32_t zero_point, qmin, qmax;
  const char* name;
};

// Every output type, per tensor and per channel, bias or not, the usual
// clamps (full range, ReLU6-like, S8 full range) and odd zero points.
const EpilogueCase kEpilogues[] = {
    {QGemmOutput::S32, true, false, 0, 0, 0, "s32 bias"},
    {QGemmOutput::S32, false, false, 0, 0, 0, "s32"},
    {QGemmOutput::F32, true, false, 0, 0, 0, "f32 per-tensor bias"},
    {QGemmOutput::F32, false, true, 0, 0, 0, "f32 per-channel"},
    {QGemmOutput::U8, true, false, 128, 0, 255, "u8 per-tensor zp128"},
    {QGemmOutput::U8, true, true, 0, 0, 6, "u8 per-channel relu6-like"},
    {QGemmOutput::U8, false, true, 255, 0, 255, "u8 per-channel zp255"},
    {QGemmOutput::U8, true, true, 3, 3, 200, "u8 per-channel clamp 3..200"},
    {QGemmOutput::S8, true, true, -5, -128, 127, "s8 per-channel"},
    {QGemmOutput::S8, false, false, 0, -128, 127, "s8 per-tensor"},
    {QGemmOutput::S8, true, false, 3, -20, 100, "s8 per-tensor clamp -20..100"},
};

size_t elem_size(QGemmOutput t) { return t == QGemmOutput::U8 || t == QGemmOutput::S8 ? 1 : 4; }

struct Problem {
  int64_t m, n, k, lda, ldc;
  std::vector<uint8_t> a;
  std::vector<int8_t> b;  // [n][k]
  std::vector<int32_t> bias;
  std::vector<float> scale;
  EpilogueCase ep;
};

Problem make_problem(int64_t m, int64_t n, int64_t k, int64_t lda_pad, int64_t ldc_pad, Fill fill,
                     const EpilogueCase& ep, std::mt19937& rng) {
  Problem p{m, n, k, k + lda_pad, n + ldc_pad, {}, {}, {}, {}, ep};
  p.a.resize(static_cast<size_t>(m * p.lda));
  p.b.resize(static_cast<size_t>(n * k));
  std::uniform_int_distribution<int> u8(0, 255), s8(-128, 127), s7(-64, 64), coin(0, 1);
  const bool random_a = fill == Fill::Random || fill == Fill::Random7;
  for (auto& v : p.a) v = static_cast<uint8_t>(random_a ? u8(rng) : fill == Fill::A0_Brandom ? 0 : 255);
  for (auto& v : p.b) {
    switch (fill) {
      case Fill::A255_Bm128: v = -128; break;
      case Fill::A255_Bm127: v = -127; break;
      case Fill::A255_B127: v = 127; break;
      case Fill::Random7: v = static_cast<int8_t>(s7(rng)); break;
      case Fill::A255_Bm64: v = -64; break;
      case Fill::A255_B64: v = 64; break;
      case Fill::A255_Bpm64: v = coin(rng) ? 64 : -64; break;
      case Fill::A255_Bm65: v = -65; break;
      default: v = static_cast<int8_t>(s8(rng)); break;
    }
  }
  if (ep.bias) {
    std::uniform_int_distribution<int32_t> bd(-100000, 100000);
    p.bias.resize(n);
    for (auto& v : p.bias) v = bd(rng);
  }
  // Multipliers that spread the outputs over the quantized range, and exact
  // powers of two now and then so that rounding ties (x.5) happen.
  double typical = 128.0 * 128.0 * std::sqrt(static_cast<double>(std::max<int64_t>(k, 1))) + 1.0;
  std::uniform_real_distribution<float> spread(0.25f, 4.0f);
  p.scale.resize(ep.per_channel ? n : 1);
  for (size_t i = 0; i < p.scale.size(); ++i)
    p.scale[i] = i % 5 == 4 ? 0.5f : static_cast<float>(spread(rng) * 100.0 / typical);
  return p;
}

// The truth, written independently of kernels/ref/qgemm_u8s8_ref: int64
// sums, wrapped to int32 as the interface defines, then requantize.h.
std::vector<uint8_t> expected_output(const Problem& p, uint8_t sentinel) {
  const size_t es = elem_size(p.ep.type);
  std::vector<uint8_t> out(static_cast<size_t>(p.m * p.ldc) * es, sentinel);
  for (int64_t i = 0; i < p.m; ++i)
    for (int64_t j = 0; j < p.n; ++j) {
      int64_t s = p.ep.bias ? p.bias[j] : 0;
      for (int64_t q = 0; q < p.k; ++q) s += int64_t(p.a[i * p.lda + q]) * int64_t(p.b[j * p.k + q]);
      int32_t acc = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(s)));
      float sc = p.scale[p.ep.per_channel ? j : 0];
      uint8_t* dst = out.data() + (i * p.ldc + j) * es;
      if (p.ep.type == QGemmOutput::S32) {
        std::memcpy(dst, &acc, 4);
      } else if (p.ep.type == QGemmOutput::F32) {
        float f = static_cast<float>(acc) * sc;
        std::memcpy(dst, &f, 4);
      } else if (p.ep.type == QGemmOutput::U8) {
        int32_t q = requantize<uint8_t>(acc, sc, p.ep.zero_point);
        *dst = static_cast<uint8_t>(std::min(std::max(q, p.ep.qmin), p.ep.qmax));
      } else {
        int32_t q = requantize<int8_t>(acc, sc, p.ep.zero_point);
        int8_t v = static_cast<int8_t>(std::min(std::max(q, p.ep.qmin), p.ep.qmax));
        std::memcpy(dst, &v, 1);
      }
    }
  return out;
}

QGemmEpilogue epilogue_of(const Problem& p) {
  QGemmEpilogue e;
  e.type = p.ep.type;
  e.bias = p.ep.bias ? p.bias.data() : nullptr;
  e.scale = p.scale.data();
  e.per_channel = p.ep.per_channel;
  e.zero_point = p.ep.zero_point;
  e.qmin = p.ep.qmin;
  e.qmax = p.ep.qmax;
  return e;
}

std::vector<uint8_t> run(const Problem& p, const PackedWeights& w, uint8_t sentinel) {
  std::vector<uint8_t> out(static_cast<size_t>(p.m * p.ldc) * elem_size(p.ep.type), sentinel);
  QGemmArgs args;
  args.m = p.m;
  args.a = p.a.data();
  args.lda = p.lda;
  args.b = &w;
  args.epilogue = epilogue_of(p);
  args.c = out.data();
  args.ldc = p.ldc;
  qgemm_u8s8(args);
  return out;
}

std::string describe(const Problem& p, Isa isa) {
  return std::string(isa_name(isa)) + " m=" + std::to_string(p.m) + " n=" + std::to_string(p.n) +
         " k=" + std::to_string(p.k) + " lda=" + std::to_string(p.lda) + " ldc=" + std::to_string(p.ldc) + " " +
         p.ep.name;
}

bool all_7bit(const std::vector<int8_t>& b) {
  return std::all_of(b.begin(), b.end(), [](int8_t w) { return w >= -64 && w <= 64; });
}

// Every supported level against the int64 truth and against Ref; AVX2 must
// have chosen its 7-bit kernel exactly when every |b| <= 64.
void check_all_levels(const Problem& p) {
  const uint8_t sentinel = 0xA5;
  std::vector<uint8_t> truth = expected_output(p, sentinel);
  std::vector<uint8_t> ref;
  for (Isa isa : supported_isas()) {
    PackedWeights w = prepack_weights_s8(isa, p.n, p.k, p.b.data(), p.k, 1);
    std::vector<uint8_t> got = run(p, w, sentinel);
    INFO(describe(p, isa) << (w.weights_7bit ? " (7-bit kernel)" : ""));
    CHECK(w.weights_7bit == (isa == Isa::Avx2 && all_7bit(p.b)));
    REQUIRE(got.size() == truth.size());
    CHECK(std::memcmp(got.data(), truth.data(), got.size()) == 0);
    if (isa == Isa::Ref) ref = got;
    CHECK(std::memcmp(got.data(), ref.data(), got.size()) == 0);
  }
}

// Every level over odd M / N / K, every tail length and primes; fill_of
// picks the values from the shape's counter.
template <class FillOf> void shape_sweep(FillOf fill_of, unsigned seed) {
  const int64_t ms[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33};
  std::vector<int64_t> ns;
  for (int64_t n = 1; n <= 20; ++n) ns.push_back(n);
  for (int64_t n : {31, 32, 33, 47, 48, 49, 63, 64, 65, 97}) ns.push_back(n);
  const int64_t ks[] = {1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 255, 257, 1024};
  std::mt19937 rng(seed);
  const size_t n_ep = sizeof(kEpilogues) / sizeof(kEpilogues[0]);
  size_t counter = 0;
  for (int64_t m : ms)
    for (int64_t n : ns)
      for (int64_t k : ks) {
        ++counter;
        // The full product (~7000 shapes, under a second); the epilogue,
        // values and strides rotate with the shape.
        const EpilogueCase& ep = kEpilogues[counter % n_ep];
        const Fill fill = fill_of(counter);
        int64_t lda_pad = counter % 3 == 0 ? 0 : int64_t(counter % 13);
        int64_t ldc_pad = counter % 4 == 0 ? 0 : int64_t(counter % 5 + 1);
        check_all_levels(make_problem(m, n, k, lda_pad, ldc_pad, fill, ep, rng));
      }
}

}  // namespace

TEST_CASE("qgemm_u8s8: every level equals the int64 truth over the shape sweep", "[qgemm]") {
  shape_sweep(
      [](size_t counter) {
        return counter % 11 == 3 ? Fill::A255_Bm128 : counter % 11 == 7 ? Fill::A255_Bm127 : Fill::Random;
      },
      1234);
}

TEST_CASE("qgemm_u8s8: weights in [-64, 64] (AVX2 7-bit kernel) over the shape sweep", "[qgemm]") {
  shape_sweep(
      [](size_t counter) {
        switch (counter % 11) {
          case 3: return Fill::A255_Bm64;
          case 5: return Fill::A255_Bpm64;
          case 7: return Fill::A255_B64;
          default: return Fill::Random7;
        }
      },
      4321);
}

TEST_CASE("qgemm_u8s8: every epilogue on a few tile-crossing shapes", "[qgemm]") {
  std::mt19937 rng(99);
  const int64_t shapes[][3] = {{1, 97, 257}, {33, 65, 63}, {17, 49, 1024}, {8, 32, 64}, {9, 17, 5}};
  for (const auto& s : shapes)
    for (const EpilogueCase& ep : kEpilogues)
      for (Fill fill : {Fill::Random, Fill::A255_Bm128, Fill::A255_Bm127, Fill::A255_B127, Fill::A0_Brandom,
                        Fill::Random7, Fill::A255_Bm64, Fill::A255_B64, Fill::A255_Bpm64, Fill::A255_Bm65})
        check_all_levels(make_problem(s[0], s[1], s[2], 3, 2, fill, ep, rng));
}

TEST_CASE("qgemm_u8s8: 255 x -128 everywhere is exact up to K = 65793", "[qgemm]") {
  std::mt19937 rng(7);
  EpilogueCase s32{QGemmOutput::S32, false, false, 0, 0, 0, "s32"};
  EpilogueCase f32{QGemmOutput::F32, false, true, 0, 0, 0, "f32"};
  for (Fill fill : {Fill::A255_Bm128, Fill::A255_Bm127, Fill::A255_B127}) {
    check_all_levels(make_problem(5, 33, 4096, 0, 0, fill, s32, rng));
    check_all_levels(make_problem(2, 3, 65793, 1, 0, fill, s32, rng));
    check_all_levels(make_problem(1, 17, 65793, 0, 0, fill, f32, rng));
  }
  // The exactness limit itself: -255 * 128 * 65793 = -2147483520 fits int32.
  Problem p = make_problem(1, 1, 65793, 0, 0, Fill::A255_Bm128, s32, rng);
  std::vector<uint8_t> t = expected_output(p, 0);
  int32_t v;
  std::memcpy(&v, t.data(), 4);
  CHECK(v == -2147483520);
}

TEST_CASE("qgemm_u8s8: the 7-bit bound, pair sums of +-32640 and one weight past it", "[qgemm]") {
  std::mt19937 rng(64);
  EpilogueCase s32{QGemmOutput::S32, false, false, 0, 0, 0, "s32"};
  EpilogueCase u8{QGemmOutput::U8, true, true, 7, 0, 255, "u8"};
  // 255 x +-64 everywhere: every vpmaddubsw pair sum is +-32640, the edge of
  // int16, and the sums grow to 255 * 64 * K.
  for (Fill fill : {Fill::A255_Bm64, Fill::A255_B64, Fill::A255_Bpm64})
    for (const EpilogueCase& ep : {s32, u8})
      for (int64_t m : {1, 4, 5})
        for (int64_t k : {1, 2, 3, 4, 5, 4096, 131586}) check_all_levels(make_problem(m, 19, k, 2, 1, fill, ep, rng));
  // 255 * -64 * 131586 = -2147483520, the most negative sum the 7-bit
  // weights reach without wrapping.
  {
    Problem p = make_problem(1, 1, 131586, 0, 0, Fill::A255_Bm64, s32, rng);
    std::vector<uint8_t> t = expected_output(p, 0);
    int32_t v;
    std::memcpy(&v, t.data(), 4);
    CHECK(v == -2147483520);
  }
  // One weight at -65 (or +65) anywhere sends the whole matrix to the
  // widening kernel, still exact; with 7-bit kernels it would saturate
  // (255 * -65 * 2 = -33150 < -32768).
  // (channel, depth) of the outlier pair: first, middle, last full pair,
  // and the lone depth of the k tail.
  const int64_t spots[][2] = {{0, 0}, {8, 16}, {16, 30}, {16, 32}};
  for (int8_t outlier : {int8_t(-65), int8_t(65), int8_t(-128), int8_t(127)})
    for (const auto& spot : spots) {
      Problem p = make_problem(6, 17, 33, 1, 0, Fill::A255_Bpm64, s32, rng);
      auto set_pair = [&](int8_t w) {
        for (int64_t q = spot[1]; q < std::min<int64_t>(spot[1] + 2, p.k); ++q) p.b[spot[0] * p.k + q] = w;
      };
      if (isa_supported(Isa::Avx2)) {
        set_pair(64);
        CHECK(prepack_weights_s8(Isa::Avx2, p.n, p.k, p.b.data(), p.k, 1).weights_7bit);
      }
      set_pair(outlier);  // with the 7-bit kernel this pair would saturate
      if (isa_supported(Isa::Avx2))
        CHECK_FALSE(prepack_weights_s8(Isa::Avx2, p.n, p.k, p.b.data(), p.k, 1).weights_7bit);
      check_all_levels(p);
    }
  for (int64_t k : {1, 4, 33, 1024}) {
    Problem p = make_problem(5, 9, k, 0, 0, Fill::A255_Bm65, s32, rng);
    if (isa_supported(Isa::Avx2)) CHECK_FALSE(prepack_weights_s8(Isa::Avx2, p.n, p.k, p.b.data(), p.k, 1).weights_7bit);
    check_all_levels(p);
  }
}

TEST_CASE("qgemm_u8s8: non-finite multipliers follow requantize.h (NaN -> zero point)", "[qgemm]") {
  std::mt19937 rng(5);
  for (QGemmOutput type : {QGemmOutput::U8, QGemmOutput::S8, QGemmOutput::F32}) {
    EpilogueCase ep{type, true, true, type == QGemmOutput::U8 ? 100 : -7, type == QGemmOutput::U8 ? 0 : -128,
                    type == QGemmOutput::U8 ? 255 : 127, "non-finite"};
    Problem p = make_problem(3, 35, 19, 0, 0, Fill::Random, ep, rng);
    const float inf = std::numeric_limits<float>::infinity();
    for (size_t j = 0; j < p.scale.size(); ++j)
      p.scale[j] = j % 4 == 0 ? std::nanf("") : j % 4 == 1 ? inf : j % 4 == 2 ? -inf : 0.0f;
    p.bias[0] = 0;  // an all-zero row of b gives 0 * inf = NaN
    check_all_levels(p);
  }
}

// The SIMD stores take a shorter path when every multiplier is finite: an
// upper clamp in float, then the conversion, whose overflow below int32
// an integer max must catch. Products far beyond int32 in both directions,
// with the zero points at their ends (S8's -128 would wrap INT_MIN if
// added before the max) and fused clamps, must still saturate exactly.
TEST_CASE("qgemm_u8s8: finite multipliers whose products overflow int32 saturate like requantize.h", "[qgemm]") {
  std::mt19937 rng(6);
  const float big = std::numeric_limits<float>::max();
  const EpilogueCase cases[] = {
      {QGemmOutput::U8, true, true, 255, 0, 255, "u8 zp 255"},
      {QGemmOutput::U8, true, true, 0, 3, 200, "u8 zp 0 clamp"},
      {QGemmOutput::S8, true, true, -128, -128, 127, "s8 zp -128"},
      {QGemmOutput::S8, true, true, -128, -50, 100, "s8 zp -128 clamp"},
      {QGemmOutput::S8, true, true, 127, -100, 90, "s8 zp 127 clamp"},
  };
  for (const EpilogueCase& ep : cases)
    for (Fill fill : {Fill::Random, Fill::A255_Bm128, Fill::A255_B127}) {
      Problem p = make_problem(9, 37, 23, 0, 0, fill, ep, rng);
      const float scales[] = {big, -big, 1e30f, -1e30f, 3e4f, -3e4f, 1e-38f, 0.0f, -0.0f, 1.0f};
      for (size_t j = 0; j < p.scale.size(); ++j) p.scale[j] = scales[j % 10];
      check_all_levels(p);
    }
}

TEST_CASE("qgemm_u8s8: a MatMul B [K, N] packs the same as the [N, K] weight", "[qgemm]") {
  std::mt19937 rng(11);
  // Full s8 weights, then 7-bit ones (the AVX2 7-bit layout).
  for (int max_abs : {128, 64}) {
    std::uniform_int_distribution<int> s8(-max_abs, std::min(max_abs, 127));
    for (int64_t n : {1, 7, 16, 33}) {
      for (int64_t k : {1, 3, 4, 17, 64}) {
        std::vector<int8_t> nk(n * k), kn(k * n);
        for (int64_t j = 0; j < n; ++j)
          for (int64_t q = 0; q < k; ++q) kn[q * n + j] = nk[j * k + q] = static_cast<int8_t>(s8(rng));
        EpilogueCase s32{QGemmOutput::S32, false, false, 0, 0, 0, "s32"};
        Problem p = make_problem(5, n, k, 0, 0, Fill::Random, s32, rng);
        p.b = nk;
        std::vector<uint8_t> truth = expected_output(p, 0);
        for (Isa isa : supported_isas()) {
          PackedWeights from_kn = prepack_weights_s8(isa, n, k, kn.data(), 1, n);
          PackedWeights from_nk = prepack_weights_s8(isa, n, k, nk.data(), k, 1);
          INFO(describe(p, isa));
          REQUIRE(from_kn.data.size() == from_nk.data.size());
          CHECK(std::memcmp(from_kn.data.data(), from_nk.data.data(), from_kn.data.size()) == 0);
          CHECK(from_kn.col_sums == from_nk.col_sums);
          CHECK(from_kn.weights_7bit == (isa == Isa::Avx2 && all_7bit(nk)));
          std::vector<uint8_t> got = run(p, from_kn, 0);
          CHECK(std::memcmp(got.data(), truth.data(), got.size()) == 0);
          for (int64_t j = 0; j < n; ++j) {
            int32_t s = 0;
            for (int64_t q = 0; q < k; ++q) s += nk[j * k + q];
            CHECK(from_kn.col_sums[j] == s);
          }
        }
      }
    }
  }
}

TEST_CASE("qgemm_u8s8: empty shapes and bad arguments", "[qgemm]") {
  for (Isa isa : supported_isas()) {
    PackedWeights w0 = prepack_weights_s8(isa, 4, 0, nullptr, 0, 1);
    std::vector<int32_t> bias = {1, -2, 3, -4}, c(8, 99);
    uint8_t a[2] = {0, 0};
    QGemmArgs args;
    args.m = 2;
    args.a = a;
    args.lda = 1;
    args.b = &w0;
    args.epilogue.bias = bias.data();
    args.c = c.data();
    args.ldc = 4;
    qgemm_u8s8(args);  // K = 0: the bias alone
    CHECK(c == std::vector<int32_t>({1, -2, 3, -4, 1, -2, 3, -4}));
    args.ldc = 3;
    CHECK_THROWS_AS(qgemm_u8s8(args), std::invalid_argument);
  }
  CHECK_THROWS_AS(prepack_weights_s8(Isa::Ref, -1, 3, nullptr, 3, 1), std::invalid_argument);
}
