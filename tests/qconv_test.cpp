// The INT8 convolution (kernels/qconv.h) at every ISA level this CPU runs,
// bit for bit (memcmp of the whole output) against the direct-loop NHWC
// truth kernels/ref/qconv_nhwc_ref.h, over the paths (pointwise GEMM,
// im2col GEMM, indirect GEMM with pixels or kernel rows as taps,
// depthwise kernels), every tail of the channel blocks, padding, strides,
// dilations, groups, output modes and extreme values; and a few shapes
// against the independent NCHW kernels/ref/qconv.h through a transpose.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>
#include <sstream>
#include <string>
#include <vector>

#include "conv_case_geometry.h"
#include "kernels/qconv.h"
#include "kernels/ref/qconv.h"
#include "kernels/ref/qconv_nhwc_ref.h"

using namespace octet::kernels;

namespace {

enum class Fill { Random, X255_Wm128, X255_Wm127, X0_Wrandom };

struct Case {
  int64_t batch = 1, h = 5, w = 5, c = 3, m = 3, groups = 1;
  int64_t kh = 3, kw = 3, sh = 1, sw = 1, dh = 1, dw = 1;
  int64_t pt = 1, pl = 1, pb = 1, pr = 1;
  int32_t x_zp = 7;
  QGemmOutput type = QGemmOutput::U8;
  bool per_channel = true, bias = true;
  int32_t y_zp = 5, qmin = 0, qmax = 255;
  Fill fill = Fill::Random;

  std::string describe() const {
    std::ostringstream s;
    s << "N" << batch << " H" << h << " W" << w << " C" << c << " M" << m << " g" << groups << " k" << kh << "x"
      << kw << " s" << sh << "," << sw << " d" << dh << "," << dw << " pads " << pt << "," << pl << "," << pb << ","
      << pr << " xzp " << x_zp << " type " << static_cast<int>(type) << " pc " << per_channel << " bias " << bias
      << " yzp " << y_zp << " clamp " << qmin << ".." << qmax << " fill " << static_cast<int>(fill);
    return s.str();
  }
};

ConvParams params(const Case& k) {
  ConvParams p;
  p.batch = k.batch;
  p.in_channels = k.c;
  p.out_channels = k.m;
  p.group = k.groups;
  SpatialWindow& w = p.window;
  w.in_size = {k.h, k.w};
  w.kernel = {k.kh, k.kw};
  w.stride = {k.sh, k.sw};
  w.dilation = {k.dh, k.dw};
  w.pad_begin = {k.pt, k.pl};
  w.pad_end = {k.pb, k.pr};
  w.out_size = {octet::testing::out_h(k), octet::testing::out_w(k)};
  return p;
}

size_t elem_size(QGemmOutput t) { return t == QGemmOutput::U8 || t == QGemmOutput::S8 ? 1 : 4; }

struct Data {
  std::vector<uint8_t> x;
  std::vector<int8_t> w;
  std::vector<int32_t> bias;
  std::vector<float> mult;
};

Data make_data(const Case& k, std::mt19937& rng) {
  Data d;
  const int64_t K = k.c / k.groups * k.kh * k.kw;
  d.x.resize(static_cast<size_t>(k.batch * k.h * k.w * k.c));
  d.w.resize(static_cast<size_t>(k.m * K));
  std::uniform_int_distribution<int> u8(0, 255), s8(-128, 127);
  for (auto& v : d.x) v = k.fill == Fill::Random ? static_cast<uint8_t>(u8(rng)) : k.fill == Fill::X0_Wrandom ? 0 : 255;
  for (auto& v : d.w)
    v = static_cast<int8_t>(k.fill == Fill::X255_Wm128 ? -128 : k.fill == Fill::X255_Wm127 ? -127 : s8(rng));
  std::uniform_int_distribution<int32_t> b(-200000, 200000);
  for (int64_t m = 0; m < k.m; ++m) d.bias.push_back(b(rng));
  // Spread the accumulators over the output range; every fourth channel
  // gets a power of two so round-half-to-even ties really occur.
  std::uniform_real_distribution<float> f(0.5f, 2.0f);
  const float base = 60.0f / (6000.0f * static_cast<float>(std::sqrt(static_cast<double>(K))) + 1.0f);
  for (int64_t m = 0; m < k.m; ++m) d.mult.push_back(m % 4 == 3 ? 0.5f : base * f(rng));
  if (k.fill == Fill::X255_Wm128 || k.fill == Fill::X255_Wm127) d.mult.assign(d.mult.size(), 1.0f / (4096.0f * K));
  return d;
}

QConvOutput output_of(const Case& k, const Data& d) {
  QConvOutput o;
  o.type = k.type;
  o.multiplier = d.mult.data();
  o.per_channel = k.per_channel;
  o.zero_point = k.y_zp;
  o.qmin = k.qmin;
  o.qmax = k.qmax;
  return o;
}

// Where the kernel splits channels: parts of whole units, a last part
// with the tail, an empty one and one that also cuts rows write exactly
// their pixels' channels of the whole call's bytes.
void check_channel_parts(const Case& k, const PackedConv& pc, const Data& d, const std::vector<uint8_t>& want) {
  const int64_t unit = qconv_channel_unit(pc), rows = k.batch * pc.shape.out_h;
  if (unit == 0) {
    if (k.m > 1)
      CHECK_THROWS_AS(qconv_u8s8_part(pc, d.x.data(), nullptr, nullptr, QConvPart{0, rows, 0, k.m - 1}),
                      std::invalid_argument);
    return;
  }
  const int64_t es = static_cast<int64_t>(elem_size(k.type)), pixels = rows * pc.shape.out_w;
  const int64_t first = std::min(unit, k.m), last = (k.m - 1) / unit * unit;  // the first unit's end, the last's start
  const QConvPart parts[] = {{0, rows, 0, first}, {0, rows, last, k.m}, {0, rows, first, first},
                             {1, rows, last, k.m}, {0, rows, 0, k.m}};
  for (const QConvPart& q : parts) {
    INFO("rows " << q.row_begin << " to " << q.row_end << ", channels " << q.channel_begin << " to " << q.channel_end);
    std::vector<uint8_t> got(want.size(), 0x5A);
    qconv_u8s8_part(pc, d.x.data(), got.data(), nullptr, q);
    const int64_t p0 = q.row_begin * pc.shape.out_w, p1 = q.row_end * pc.shape.out_w;
    for (int64_t p = 0; p < pixels; ++p)
      for (int64_t m = 0; m < k.m; ++m) {
        const bool inside = p >= p0 && p < p1 && m >= q.channel_begin && m < q.channel_end;
        const size_t at = static_cast<size_t>((p * k.m + m) * es);
        for (int64_t b = 0; b < es; ++b)
          if (got[at + b] != (inside ? want[at + b] : 0x5A)) FAIL("pixel " << p << " channel " << m << " byte " << b);
      }
  }
  if (k.m > 1)  // channel 1 is neither a unit's start nor M
    CHECK_THROWS_AS(qconv_u8s8_part(pc, d.x.data(), nullptr, nullptr, QConvPart{0, rows, 1, k.m}),
                    std::invalid_argument);
}

// Runs k on data d at every ISA level against the NHWC truth; returns the path taken.
QConvPath run_data(const Case& k, const Data& d) {
  INFO(k.describe());
  REQUIRE(octet::testing::valid(k));
  const ConvParams p = params(k);
  const QConvOutput out = output_of(k, d);
  const int32_t* bias = k.bias ? d.bias.data() : nullptr;
  const size_t bytes = static_cast<size_t>(k.batch * p.window.out_numel() * k.m) * elem_size(k.type);
  std::vector<uint8_t> want(bytes, 0xA5);
  qconv_nhwc_ref(p, d.x.data(), k.x_zp, d.w.data(), bias, out, want.data());
  QConvPath path = QConvPath::Im2col;
  for (Isa isa : supported_isas()) {
    INFO("isa " << isa_name(isa));
    const PackedConv pc = prepack_qconv(isa, p, d.w.data(), bias, k.x_zp, out);
    path = pc.path;
    // Guard bytes after the output catch stores past its end.
    std::vector<uint8_t> got(bytes + 64, 0x5A);
    std::vector<uint8_t> scratch(static_cast<size_t>(qconv_scratch_bytes(pc)) + 1);
    qconv_u8s8(pc, k.batch, d.x.data(), got.data(), scratch.data() + 1);  // deliberately unaligned scratch
    REQUIRE(std::memcmp(got.data(), want.data(), bytes) == 0);
    REQUIRE(std::all_of(got.begin() + static_cast<std::ptrdiff_t>(bytes), got.end(), [](uint8_t v) { return v == 0x5A; }));
    // As threads split it: uneven row ranges (one empty, one crossing into
    // the next image when the batch has several), each with its own
    // scratch, write their rows' bytes of the whole call and nothing else.
    const int64_t rows = k.batch * pc.shape.out_h, row_bytes = static_cast<int64_t>(bytes) / rows;
    const int64_t cuts[] = {0, rows / 3, rows / 3, std::min(rows, rows / 3 + rows / 2 + 1), rows};
    for (size_t c = 0; c + 1 < std::size(cuts); ++c) {
      INFO("rows " << cuts[c] << " to " << cuts[c + 1]);
      std::vector<uint8_t> part(bytes, 0x5A), own(static_cast<size_t>(qconv_scratch_bytes(pc)));
      qconv_u8s8_part(pc, d.x.data(), part.data(), own.data(), QConvPart{cuts[c], cuts[c + 1], 0, k.m});
      const auto from = static_cast<std::ptrdiff_t>(cuts[c] * row_bytes), to = static_cast<std::ptrdiff_t>(cuts[c + 1] * row_bytes);
      REQUIRE(std::equal(part.begin() + from, part.begin() + to, want.begin() + from));
      REQUIRE(std::all_of(part.begin(), part.begin() + from, [](uint8_t v) { return v == 0x5A; }));
      REQUIRE(std::all_of(part.begin() + to, part.end(), [](uint8_t v) { return v == 0x5A; }));
    }
    check_channel_parts(k, pc, d, want);
  }
  return path;
}

QConvPath run_case(const Case& k, std::mt19937& rng) { return run_data(k, make_data(k, rng)); }

// Case i of a sweep: the input zero point, output type (u8, s8, s32 in turn,
// every other u8 with a fused clamp), per-channel scales and bias.
void vary_output(Case& k, int i, std::mt19937& rng) {
  const QGemmOutput types[] = {QGemmOutput::U8, QGemmOutput::S8, QGemmOutput::S32};
  k.x_zp = static_cast<int32_t>(rng() % 256);
  k.type = types[i % 3];
  if (k.type == QGemmOutput::S8) k.y_zp = -7, k.qmin = -128, k.qmax = 127;
  if (k.type == QGemmOutput::U8 && i % 2) k.y_zp = 100, k.qmin = 100, k.qmax = 230;  // a fused clamp
  k.per_channel = i % 5 != 0;
  k.bias = i % 7 != 0;
}

template <class T> T pick(const std::vector<T>& v, std::mt19937& rng) {
  return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
}

struct Pads {
  int64_t t, l, b, r;
};

}  // namespace

TEST_CASE("qconv: geometry sweep over kernels, strides, dilations, pads and groups", "[qconv]") {
  std::mt19937 rng(1234);
  const std::vector<std::pair<int64_t, int64_t>> kernels = {{1, 1}, {3, 3}, {5, 5}, {7, 7}, {3, 1}, {1, 3}};
  const std::vector<Pads> pads = {{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 2, 2, 2}, {1, 0, 2, 1}, {0, 2, 1, 0}};
  const std::vector<int64_t> channels = {1, 3, 7, 17, 33, 65}, sizes = {1, 2, 5, 7, 13};
  int paths[4] = {0, 0, 0, 0};
  for (auto [kh, kw] : kernels)
    for (int64_t s : {1, 2, 3})
      for (int64_t dil : {1, 2})
        for (const Pads& pd : pads)
          for (int gmode = 0; gmode < 3; ++gmode) {
            Case k;
            k.kh = kh, k.kw = kw, k.sh = s, k.sw = s == 3 ? 2 : s, k.dh = dil, k.dw = dil;
            k.pt = pd.t, k.pl = pd.l, k.pb = pd.b, k.pr = pd.r;
            k.batch = rng() % 3 == 0 ? 2 : 1;
            k.h = pick(sizes, rng), k.w = pick(sizes, rng);
            while (!octet::testing::valid(k)) ++k.h, ++k.w;
            if (gmode == 0) {  // dense: keep C * M * taps modest so the scalar truth stays quick
              k.c = pick(channels, rng) % 34, k.m = pick(channels, rng), k.groups = 1;
              if (kh * kw >= 25) k.c = std::min<int64_t>(k.c, 7);
            } else if (gmode == 1) {
              k.groups = 2, k.c = 2 * (1 + rng() % 9), k.m = 2 * (1 + rng() % 9);
            } else {
              k.c = pick(channels, rng), k.groups = k.c, k.m = k.c;
            }
            k.x_zp = static_cast<int32_t>(rng() % 256);
            k.y_zp = static_cast<int32_t>(rng() % 256);
            k.bias = rng() % 2;
            k.per_channel = rng() % 2;
            paths[static_cast<int>(run_case(k, rng))]++;
          }
  // Every path was exercised (Indirect only where the CPU runs VNNI).
  CHECK(paths[static_cast<int>(QConvPath::Pointwise)] > 0);
  CHECK(paths[static_cast<int>(QConvPath::Im2col)] > 0);
  CHECK(paths[static_cast<int>(QConvPath::Depthwise)] > 0);
  if (isa_supported(Isa::Avx512Vnni)) CHECK(paths[static_cast<int>(QConvPath::Indirect)] > 0);
}

// C/g % 4 == 0 takes the indirect GEMM at Avx512Vnni (the im2col GEMM at
// the other levels, which run_case compares too): tap pointers across
// padding, strides, dilations, groups, batches, several pointer tiles,
// every column and row-block tail, and every output type.
TEST_CASE("qconv: indirect path over C/g % 4 == 0 geometries", "[qconv]") {
  std::mt19937 rng(4242);
  const bool vnni = isa_supported(Isa::Avx512Vnni);
  struct Geo {
    int64_t kh, kw, s, d, pad, groups;
  };
  const Geo geos[] = {{3, 3, 1, 1, 1, 1}, {3, 3, 2, 1, 1, 1}, {3, 3, 1, 2, 2, 1}, {5, 5, 2, 1, 2, 1},
                      {3, 1, 1, 1, 1, 1}, {1, 3, 2, 1, 0, 1}, {1, 1, 1, 1, 1, 1}, {3, 3, 1, 1, 1, 2},
                      {3, 3, 2, 2, 1, 4}, {2, 2, 2, 1, 0, 1}, {1, 1, 2, 1, 0, 1}};  // the last: a strided 1x1
  int i = 0;
  for (const Geo& geo : geos)
    for (int64_t cg : {4, 8, 12, 64})
      for (int64_t mg : {1, 16, 17, 40, 65}) {  // 1 to 5 panels: narrow, wide, wide + narrow tiles
        Case k;
        k.kh = geo.kh, k.kw = geo.kw, k.sh = k.sw = geo.s, k.dh = k.dw = geo.d;
        k.pt = k.pl = k.pb = k.pr = geo.pad;
        if (i % 3 == 1) k.pb = k.pr = 0;
        k.groups = geo.groups, k.c = cg * geo.groups, k.m = mg * geo.groups;
        k.h = 5 + i % 7, k.w = 4 + i % 9;
        k.batch = i % 4 == 0 ? 2 : 1;
        vary_output(k, i, rng);
        ++i;
        const QConvPath path = run_case(k, rng);
        if (vnni) CHECK(path == QConvPath::Indirect);
      }
  // Extreme values, and an image whose tap pointers take more than one tile.
  for (Fill fill : {Fill::X255_Wm128, Fill::X255_Wm127, Fill::Random})
    for (int32_t x_zp : {0, 255}) {
      Case k;
      k.c = 128, k.m = 33, k.x_zp = x_zp, k.fill = fill, k.y_zp = 128, k.h = 6, k.w = 9;
      k.type = fill == Fill::Random ? QGemmOutput::U8 : QGemmOutput::S32;
      const QConvPath path = run_case(k, rng);
      if (vnni) CHECK(path == QConvPath::Indirect);
    }
  Case big;
  big.c = 4, big.m = 5, big.h = 131, big.w = 97, big.batch = 2;
  const QConvPath path = run_case(big, rng);
  if (vnni) {
    CHECK(path == QConvPath::Indirect);
    std::vector<float> mult(5, 0.01f);
    QConvOutput o;
    o.multiplier = mult.data();
    const std::vector<int8_t> w(5 * 4 * 9, 1);
    const PackedConv pc = prepack_qconv(Isa::Avx512Vnni, params(big), w.data(), nullptr, 0, o);
    CHECK(pc.tile_pixels < big.h * big.w);  // more than one pointer tile per image
  }
}

// Threads split a convolution with few output rows by channels
// (engine/ops/qconv_prepared.cpp): resnet18's layer4 shape (7x7, K = 9 * C)
// with whole units, a tail unit and a single unit, through the VNNI tiles
// and (49 rows) the AMX ones; run_data checks every part.
TEST_CASE("qconv: indirect path split by output channels", "[qconv]") {
  std::mt19937 rng(4242);
  int i = 0;
  for (int64_t m : {64, 128, 200, 520})
    for (int64_t c : {16, 64}) {
      Case k;
      k.h = k.w = 7, k.c = c, k.m = m, k.batch = i % 3 == 2 ? 2 : 1;
      vary_output(k, i++, rng);
      const QConvPath path = run_case(k, rng);
      if (isa_supported(Isa::Avx512Vnni)) CHECK(path == QConvPath::Indirect);
    }
  Case strided;  // a stride-2 layer4.0 conv1: 4 x 4 output rows
  strided.h = strided.w = 8, strided.sh = strided.sw = 2, strided.c = 32, strided.m = 192;
  run_case(strided, rng);
}

// Dense convolutions with C % 4 != 0 and dilation_w 1 (the RGB first layer)
// take the indirect GEMM at Avx512Vnni with kernel rows as taps on a
// bordered copy of the image; horizontal dilation and the other levels take
// im2col. Padding (symmetric and not), strides, vertical dilation, batches,
// every output type, tails of the column panels, and the extreme values.
TEST_CASE("qconv: indirect path with kernel rows as taps for C % 4 != 0", "[qconv]") {
  std::mt19937 rng(31337);
  struct Geo {
    int64_t kh, kw, s, dh, dw, pad;
  };
  // conv1 of resnet18 (7x7/2 pad 3), mobilenet_v2's first conv (3x3/2 pad 1),
  // stride 1, dilations, a 1x1 with padding (not pointwise), a 5x3 window.
  const Geo geos[] = {{7, 7, 2, 1, 1, 3}, {3, 3, 2, 1, 1, 1}, {3, 3, 1, 1, 1, 1}, {3, 3, 1, 2, 1, 2},
                      {3, 3, 1, 2, 2, 2}, {1, 1, 2, 1, 1, 1}, {5, 3, 2, 1, 1, 2}, {1, 5, 3, 1, 1, 0}};
  auto check_paths = [](const Case& k) {
    INFO(k.describe());
    std::vector<int8_t> w(static_cast<size_t>(k.m * k.c * k.kh * k.kw), 1);
    float mult = 0.01f;
    QConvOutput o;
    o.multiplier = &mult;
    for (Isa isa : supported_isas()) {
      INFO("isa " << isa_name(isa));
      const PackedConv pc = prepack_qconv(isa, params(k), w.data(), nullptr, 0, o);
      const bool row_taps = runs_avx512vnni(isa) && k.dw == 1;
      CHECK(pc.path == (row_taps ? QConvPath::Indirect : QConvPath::Im2col));
      CHECK(pc.row_span == (row_taps ? (k.kw * k.c + 3) / 4 * 4 : 0));
    }
  };
  int i = 0;
  for (const Geo& geo : geos)
    for (int64_t c : {1, 2, 3, 5, 6, 7, 9, 17})
      for (int64_t m : {1, 17, 32, 64}) {
        Case k;
        k.kh = geo.kh, k.kw = geo.kw, k.sh = k.sw = geo.s, k.dh = geo.dh, k.dw = geo.dw;
        k.pt = k.pl = k.pb = k.pr = geo.pad;
        if (i % 3 == 1) k.pb = k.pr = 0;
        if (i % 3 == 2) k.pt = 0;
        k.c = c, k.m = c == 1 && m == 1 ? 2 : m;  // C = M = 1 is depthwise
        k.h = 7 + i % 9, k.w = 6 + i % 11;
        k.batch = i % 4 == 0 ? 2 : 1;
        vary_output(k, i, rng);
        ++i;
        run_case(k, rng);
        check_paths(k);
      }
  // 255 against -128 (and -127) everywhere, zero points at both ends (the
  // border included), and an image of several pointer tiles.
  for (int64_t c : {1, 2, 3, 5, 6, 7})
    for (Fill fill : {Fill::X255_Wm128, Fill::X255_Wm127, Fill::X0_Wrandom})
      for (int32_t x_zp : {0, 255})
        for (QGemmOutput type : {QGemmOutput::S32, QGemmOutput::U8}) {
          Case k;
          k.c = c, k.m = type == QGemmOutput::U8 ? 31 : 64, k.kh = k.kw = 7, k.sh = k.sw = 2, k.h = k.w = 13;
          k.pt = k.pl = k.pb = k.pr = 3;
          k.batch = 2, k.fill = fill, k.x_zp = x_zp, k.type = type, k.y_zp = 128;
          run_case(k, rng);
          check_paths(k);
        }
  Case big;
  big.c = 3, big.m = 32, big.h = 131, big.w = 97, big.batch = 2;
  run_case(big, rng);
  check_paths(big);
  if (isa_supported(Isa::Avx512Vnni)) {
    std::vector<float> mult(32, 0.01f);
    QConvOutput o;
    o.multiplier = mult.data();
    const std::vector<int8_t> w(32 * 3 * 9, 1);
    const PackedConv pc = prepack_qconv(Isa::Avx512Vnni, params(big), w.data(), nullptr, 0, o);
    CHECK(pc.tile_pixels < pc.shape.out_h * pc.shape.out_w);  // more than one pointer tile per image
  }
}

TEST_CASE("qconv: depthwise every channel tail, 3x3 and 5x5, stride 1 and 2", "[qconv]") {
  std::mt19937 rng(99);
  for (int64_t c : {1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 40, 63, 64, 65, 100, 127, 144})
    for (int64_t kk : {3, 5})
      for (int64_t s : {1, 2}) {
        Case k;
        k.c = k.m = k.groups = c;
        k.kh = k.kw = kk, k.sh = k.sw = s;
        k.pt = k.pl = k.pb = k.pr = kk / 2;
        if (c % 3 == 0) k.pb = k.pr = 0;  // asymmetric (TF "SAME" with stride 2 pads only the end)
        k.h = 7, k.w = 6;
        k.x_zp = static_cast<int32_t>(rng() % 256);
        k.type = c % 2 ? QGemmOutput::U8 : QGemmOutput::S8;
        if (k.type == QGemmOutput::S8) k.y_zp = -3, k.qmin = -128, k.qmax = 127;
        k.per_channel = c % 4 != 1;
        k.batch = c % 5 == 0 ? 2 : 1;
        CHECK(run_case(k, rng) == QConvPath::Depthwise);
      }
}

// 3x3 with dilation 1 and stride_w 1 or 2 runs the row kernel at
// Avx512Vnni (kernels/x86/dwconv_x86.h): every column position of the
// reuse window (widths 1..20 and 112, whole padding columns), every
// channel tail, rows in the padding, stride_h apart from stride_w.
TEST_CASE("qconv: depthwise 3x3 rows over widths, heights, channels, strides and pads", "[qconv]") {
  std::mt19937 rng(31);
  const std::vector<int64_t> channels = {1,  2,  3,  4,  5,   8,   15,  16,  17,  31,  32,  33,  48, 63,
                                         64, 65, 95, 96, 97, 127, 128, 129, 144, 160, 191, 192, 200};
  const std::vector<Pads> pads = {{1, 1, 1, 1}, {0, 0, 0, 0}, {0, 0, 1, 1}, {1, 1, 0, 0},
                                  {1, 0, 0, 1}, {2, 2, 2, 2}, {0, 2, 1, 0}};
  int i = 0;
  for (int64_t w = 1; w <= 21; ++w)
    for (int64_t h = 1; h <= 5; ++h)
      for (int64_t s : {1, 2}) {
        Case k;
        k.w = w == 21 ? 112 : w, k.h = h;
        k.sw = s, k.sh = i % 3 == 0 ? 3 - s : s;
        const Pads& p = pads[static_cast<size_t>(i) % pads.size()];
        k.pt = p.t, k.pl = p.l, k.pb = p.b, k.pr = p.r;
        k.c = k.m = k.groups = channels[static_cast<size_t>(i) % channels.size()];
        vary_output(k, i, rng);
        ++i;
        if (octet::testing::valid(k)) CHECK(run_case(k, rng) == QConvPath::Depthwise);
      }
  for (int64_t c = 1; c <= 200; ++c) {
    Case k;
    k.c = k.m = k.groups = c;
    k.h = 3, k.w = 4 + c % 5, k.sh = k.sw = 1 + c % 2;
    const Pads& p = pads[static_cast<size_t>(c) % pads.size()];
    k.pt = p.t, k.pl = p.l, k.pb = p.b, k.pr = p.r;
    vary_output(k, static_cast<int>(c), rng);
    CHECK(run_case(k, rng) == QConvPath::Depthwise);
  }
}

// The row kernel's epilogue saturates in 16-bit words and adds the zero
// point there: extreme accumulators (all 255 against -128, all 0, bias at
// the int32 limits, wrapping), multipliers that overflow float or flush
// to zero, every zero point and clamp at the ends of the output types.
TEST_CASE("qconv: depthwise 3x3 rows with extreme values, zero points and multipliers", "[qconv]") {
  std::mt19937 rng(77);
  struct Mode {
    QGemmOutput type;
    int32_t zp, qmin, qmax;
  };
  const Mode modes[] = {{QGemmOutput::U8, 0, 0, 255},      {QGemmOutput::U8, 128, 0, 255},
                        {QGemmOutput::U8, 255, 0, 255},    {QGemmOutput::U8, 128, 140, 200},
                        {QGemmOutput::U8, 0, 0, 0},        {QGemmOutput::S8, -128, -128, 127},
                        {QGemmOutput::S8, 127, -128, 127}, {QGemmOutput::S8, 0, -20, 50},
                        {QGemmOutput::S8, 127, 127, 127},  {QGemmOutput::S32, 0, 0, 0}};
  const float big = std::numeric_limits<float>::max();
  const std::vector<std::vector<float>> mult_sets = {
      {1e30f}, {-1e30f}, {1e-38f}, {big}, {-big}, {1.0f}, {0.999f}, {-1.01f},
      {1e30f, -1e30f, 1e-38f, big, 0.0f, 0.5f, -0.25f, 3e-3f}};
  // Around the bound (2^30) under which the row kernel drops its float clamp.
  const int32_t bmax = std::numeric_limits<int32_t>::max(), bmin = std::numeric_limits<int32_t>::min();
  const int32_t near = (1 << 30) - 300000;
  const std::vector<std::vector<int32_t>> bias_sets = {
      {0}, {bmax}, {bmin}, {near, -near}, {bmax, bmin, 0, -1, 1, 1 << 20}};
  int i = 0;
  for (int64_t c : {16, 32, 48, 64, 96, 144})
    for (int64_t s : {1, 2})
      for (Fill fill : {Fill::X255_Wm128, Fill::X0_Wrandom, Fill::Random})
        for (const Mode& mode : modes) {
          Case k;
          k.c = k.m = k.groups = c;
          k.h = 4, k.w = 9, k.sh = k.sw = s;
          k.fill = fill;
          k.x_zp = std::vector<int32_t>{0, 128, 255}[static_cast<size_t>(i) % 3];
          k.type = mode.type, k.y_zp = mode.zp, k.qmin = mode.qmin, k.qmax = mode.qmax;
          Data d = make_data(k, rng);
          const auto& mults = mult_sets[static_cast<size_t>(i) % mult_sets.size()];
          const auto& biases = bias_sets[static_cast<size_t>(i / 7) % bias_sets.size()];
          for (int64_t m = 0; m < c; ++m) {
            d.mult[static_cast<size_t>(m)] = mults[static_cast<size_t>(m) % mults.size()];
            d.bias[static_cast<size_t>(m)] = biases[static_cast<size_t>(m) % biases.size()];
          }
          ++i;
          run_data(k, d);
        }
}

TEST_CASE("qconv: output modes, clamps, bias and multipliers", "[qconv]") {
  std::mt19937 rng(7);
  struct Mode {
    QGemmOutput type;
    int32_t zp, qmin, qmax;
  };
  const Mode modes[] = {
      {QGemmOutput::U8, 0, 0, 255},      {QGemmOutput::U8, 128, 128, 255},  // ReLU: qmin = zero point
      {QGemmOutput::U8, 10, 10, 70},     // ReLU6 at scale 0.1
      {QGemmOutput::U8, 255, 0, 255},    {QGemmOutput::S8, 0, -128, 127},
      {QGemmOutput::S8, -128, -128, 0},  {QGemmOutput::S8, 20, 20, 127},
      {QGemmOutput::S32, 0, 0, 0},
  };
  // One shape per path: depthwise, im2col (dense and grouped), pointwise (stride 1 and 2).
  std::vector<Case> shapes(5);
  shapes[0].c = shapes[0].m = shapes[0].groups = 33;
  shapes[1].c = 17, shapes[1].m = 19;
  shapes[2].c = 6, shapes[2].m = 9, shapes[2].groups = 3;
  shapes[3].kh = shapes[3].kw = 1, shapes[3].pt = shapes[3].pl = shapes[3].pb = shapes[3].pr = 0;
  shapes[3].c = 65, shapes[3].m = 33, shapes[3].batch = 2, shapes[3].h = 7;
  shapes[4] = shapes[3], shapes[4].sh = shapes[4].sw = 2, shapes[4].groups = 1, shapes[4].c = 20;
  for (const Case& shape : shapes)
    for (const Mode& mode : modes)
      for (bool per_channel : {false, true})
        for (bool bias : {false, true}) {
          Case k = shape;
          k.type = mode.type, k.y_zp = mode.zp, k.qmin = mode.qmin, k.qmax = mode.qmax;
          k.per_channel = per_channel, k.bias = bias;
          run_case(k, rng);
        }
}

TEST_CASE("qconv: extreme values are exact", "[qconv]") {
  std::mt19937 rng(5);
  std::vector<Case> shapes(5);
  shapes[0].c = shapes[0].m = shapes[0].groups = 65, shapes[0].kh = shapes[0].kw = 5, shapes[0].pt = 2;
  shapes[1].c = 64, shapes[1].m = 17;  // 3x3, K = 576
  shapes[2].c = 3, shapes[2].m = 65, shapes[2].kh = shapes[2].kw = 7, shapes[2].pt = shapes[2].pl = 3;
  shapes[2].h = shapes[2].w = 13, shapes[2].sh = shapes[2].sw = 2;
  shapes[3].kh = shapes[3].kw = 1, shapes[3].pt = shapes[3].pl = shapes[3].pb = shapes[3].pr = 0;
  shapes[3].c = 300, shapes[3].m = 7;
  shapes[4].c = shapes[4].m = shapes[4].groups = 144, shapes[4].sh = shapes[4].sw = 2;
  for (const Case& shape : shapes)
    for (Fill fill : {Fill::X255_Wm128, Fill::X255_Wm127, Fill::X0_Wrandom})
      for (int32_t x_zp : {0, 255})
        for (QGemmOutput type : {QGemmOutput::S32, QGemmOutput::U8}) {
          Case k = shape;
          k.fill = fill, k.x_zp = x_zp, k.type = type;
          k.y_zp = 128;
          run_case(k, rng);
        }
}

TEST_CASE("qconv: 1-D convolution is H = 1", "[qconv]") {
  std::mt19937 rng(3);
  for (int64_t groups : {1, 5}) {
    ConvParams p;
    p.batch = 2, p.in_channels = 5, p.out_channels = 5, p.group = groups;
    p.window.in_size = {11};
    p.window.kernel = {3};
    p.window.stride = {2};
    p.window.dilation = {1};
    p.window.pad_begin = {1};
    p.window.pad_end = {0};
    p.window.out_size = {5};
    // The same convolution written 2-D with a height of one.
    Case k;
    k.batch = 2, k.c = 5, k.m = 5, k.groups = groups, k.h = 1, k.w = 11, k.kh = 1, k.kw = 3, k.sh = 1, k.sw = 2;
    k.pt = 0, k.pb = 0, k.pl = 1, k.pr = 0;
    const Data d = make_data(k, rng);
    const QConvOutput out = output_of(k, d);
    std::vector<uint8_t> want(2 * 5 * 5), got(want.size());
    qconv_nhwc_ref(params(k), d.x.data(), k.x_zp, d.w.data(), d.bias.data(), out, want.data());
    for (Isa isa : supported_isas()) {
      const PackedConv pc = prepack_qconv(isa, p, d.w.data(), d.bias.data(), k.x_zp, out);
      qconv_u8s8(pc, 2, d.x.data(), got.data());
      CHECK(std::memcmp(got.data(), want.data(), want.size()) == 0);
    }
  }
}

namespace {

// NHWC <-> NCHW for the cross-check against the NCHW reference.
template <class T> std::vector<T> to_nchw(const std::vector<T>& v, int64_t n, int64_t hw, int64_t c) {
  std::vector<T> out(v.size());
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < hw; ++i)
      for (int64_t ch = 0; ch < c; ++ch) out[(b * c + ch) * hw + i] = v[(b * hw + i) * c + ch];
  return out;
}

}  // namespace

TEST_CASE("qconv: agrees with the NCHW reference QLinearConv and ConvInteger", "[qconv]") {
  std::mt19937 rng(11);
  std::vector<Case> shapes(4);
  shapes[0].c = 17, shapes[0].m = 9, shapes[0].h = 7, shapes[0].w = 13, shapes[0].batch = 2;
  shapes[1].c = shapes[1].m = shapes[1].groups = 33, shapes[1].sh = shapes[1].sw = 2, shapes[1].kh = shapes[1].kw = 5;
  shapes[1].pt = shapes[1].pl = 2, shapes[1].h = shapes[1].w = 13;
  shapes[2].c = 8, shapes[2].m = 6, shapes[2].groups = 2, shapes[2].dh = shapes[2].dw = 2, shapes[2].pt = 2;
  shapes[2].h = shapes[2].w = 7;
  shapes[3].kh = shapes[3].kw = 1, shapes[3].pt = shapes[3].pl = shapes[3].pb = shapes[3].pr = 0, shapes[3].c = 20;
  shapes[3].m = 7, shapes[3].sh = 2, shapes[3].sw = 3, shapes[3].h = 7, shapes[3].w = 13;
  for (const Case& k : shapes) {
    INFO(k.describe());
    const ConvParams p = params(k);
    const Data d = make_data(k, rng);
    const int64_t hw_in = k.h * k.w, hw_out = p.window.out_numel();
    const std::vector<uint8_t> x_nchw = to_nchw(d.x, k.batch, hw_in, k.c);
    // QLinearConv's multipliers from scales, exactly as the reference derives them.
    const float x_scale = 0.02f, y_scale = 0.7f;
    std::vector<float> w_scale(static_cast<size_t>(k.m)), mult(static_cast<size_t>(k.m));
    for (int64_t m = 0; m < k.m; ++m) {
      w_scale[m] = 0.001f * static_cast<float>(1 + m % 5);
      mult[m] = requantize_multiplier(x_scale, w_scale[m], y_scale);
    }
    QuantParams w_qp;
    w_qp.scale = w_scale.data();
    w_qp.stride = 1;
    const size_t n_out = static_cast<size_t>(k.batch * hw_out * k.m);
    std::vector<uint8_t> want_nchw(n_out);
    qlinear_conv_ref<uint8_t, int8_t, uint8_t>(p, x_nchw.data(), x_scale, k.x_zp, d.w.data(), w_qp, d.bias.data(),
                                                y_scale, k.y_zp, want_nchw.data());
    std::vector<int32_t> want_s32_nchw(n_out);
    conv_s32_ref<uint8_t, int8_t>(p, x_nchw.data(), k.x_zp, d.w.data(), nullptr, 0, nullptr, want_s32_nchw.data());
    QConvOutput out;
    out.type = QGemmOutput::U8, out.multiplier = mult.data(), out.per_channel = true, out.zero_point = k.y_zp;
    QConvOutput s32;
    s32.type = QGemmOutput::S32;
    for (Isa isa : supported_isas()) {
      INFO("isa " << isa_name(isa));
      std::vector<uint8_t> got(n_out);
      qconv_u8s8(prepack_qconv(isa, p, d.w.data(), d.bias.data(), k.x_zp, out), k.batch, d.x.data(), got.data());
      CHECK(to_nchw(got, k.batch, hw_out, k.m) == want_nchw);
      std::vector<int32_t> got_s32(n_out);
      qconv_u8s8(prepack_qconv(isa, p, d.w.data(), nullptr, k.x_zp, s32), k.batch, d.x.data(), got_s32.data());
      CHECK(to_nchw(got_s32, k.batch, hw_out, k.m) == want_s32_nchw);
    }
  }
}

TEST_CASE("qconv: rejects bad shapes and output stages", "[qconv]") {
  Case k;
  ConvParams p = params(k);
  std::vector<int8_t> w(static_cast<size_t>(k.m * k.c * 9), 1);
  float mult = 0.01f;
  QConvOutput out;
  out.multiplier = &mult;
  CHECK_NOTHROW(prepack_qconv(Isa::Ref, p, w.data(), nullptr, 0, out));
  CHECK_THROWS_AS(prepack_qconv(Isa::Ref, p, w.data(), nullptr, 256, out), std::invalid_argument);
  ConvParams bad = p;
  bad.window.out_size = {4, 5};
  CHECK_THROWS_AS(prepack_qconv(Isa::Ref, bad, w.data(), nullptr, 0, out), std::invalid_argument);
  bad = p;
  bad.group = 2;
  CHECK_THROWS_AS(prepack_qconv(Isa::Ref, bad, w.data(), nullptr, 0, out), std::invalid_argument);
  QConvOutput o = out;
  o.qmin = 10, o.qmax = 5;
  CHECK_THROWS_AS(prepack_qconv(Isa::Ref, p, w.data(), nullptr, 0, o), std::invalid_argument);
  o = out;
  o.type = QGemmOutput::S8, o.qmin = -128, o.qmax = 200;
  CHECK_THROWS_AS(prepack_qconv(Isa::Ref, p, w.data(), nullptr, 0, o), std::invalid_argument);
  o = out;
  mult = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_AS(prepack_qconv(Isa::Ref, p, w.data(), nullptr, 0, o), std::invalid_argument);
}
