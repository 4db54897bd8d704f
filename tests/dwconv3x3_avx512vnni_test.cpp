// The AVX-512 VNNI 3x3 depthwise row kernel called directly, for what
// prepack_qconv never hands it: non-finite multipliers (NaN, +-inf, and
// 0 * inf), whose NaN requantize.h maps to the zero point; and beside them
// the two other guards its pack picks (ordinary multipliers: Bounded;
// finite ones that overflow int32: Clamped). Checked bit for bit against
// the scalar definition (store_output of kernels/ref) over one output row,
// zero-point columns and a row in the padding included.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "kernels/isa.h"
#include "kernels/ref/qconv_nhwc_ref.h"
#if defined(__x86_64__) || defined(_M_X64)
#include "kernels/aligned_buffer.h"
#include "kernels/x86/dwconv_x86.h"

using namespace octet::kernels;

namespace {

struct RowCase {
  int64_t c = 70, in_w = 7, stride = 1, pad_left = 1;
  QGemmOutput type = QGemmOutput::U8;
  int32_t zp = 100, qmin = 0, qmax = 255;
  int64_t out_rows = 1;
};

// Output pixels of one row over in_w columns, padded by pad_left and 1 on the right.
int64_t out_w(const RowCase& k) { return (k.in_w + k.pad_left + 1 - 3) / k.stride + 1; }

void run_row(const RowCase& k, const std::vector<float>& mult, std::mt19937& rng) {
  INFO("C " << k.c << " in_w " << k.in_w << " stride " << k.stride << " pad_left " << k.pad_left << " type "
            << static_cast<int>(k.type) << " zp " << k.zp << " clamp " << k.qmin << ".." << k.qmax << " out_rows "
            << k.out_rows);
  const int64_t C = k.c, ow = out_w(k);
  const uint8_t x_zp = 3;
  std::uniform_int_distribution<int> u8(0, 255), s8(-128, 127), b(-5000, 5000);
  // Input rows 0, 1 and 3 are image rows 0, 1 and 2; row 2 lies in the
  // padding (the zero-point row, pixel stride 0).
  std::vector<uint8_t> image(static_cast<size_t>(3 * k.in_w * C));
  for (auto& v : image) v = static_cast<uint8_t>(u8(rng));
  std::vector<uint8_t> zero_row(static_cast<size_t>((C + 63) / 64 * 64), x_zp);
  std::vector<int8_t> w(static_cast<size_t>(C * 9));
  for (auto& v : w) v = static_cast<int8_t>(s8(rng));
  std::vector<int32_t> bias(static_cast<size_t>(C));
  for (auto& v : bias) v = b(rng);
  for (int64_t c = 0; c < C; c += 5) {  // acc = 0 there: 0 * inf is NaN
    bias[static_cast<size_t>(c)] = 0;
    for (int64_t t = 0; t < 9; ++t) w[static_cast<size_t>(c * 9 + t)] = 0;
  }
  std::vector<float> m(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; ++c) m[static_cast<size_t>(c)] = mult[static_cast<size_t>(c) % mult.size()];

  AlignedBuffer packed(static_cast<size_t>(dwconv3x3_packed_bytes_avx512vnni(C)));
  dwconv3x3_pack_avx512vnni(C, w.data(), bias.data(), m.data(), packed.data());
  DwConv3x3RowArgs a;
  a.channels = C;
  const uint8_t* rows[4] = {image.data(), image.data() + k.in_w * C, zero_row.data(), image.data() + 2 * k.in_w * C};
  for (int i = 0; i < 4; ++i) a.rows[i] = rows[i], a.pixel_stride[i] = i == 2 ? 0 : C;
  a.out_rows = k.out_rows;
  a.in_w = k.in_w, a.out_w = ow, a.stride = k.stride, a.pad_left = k.pad_left;
  a.x_zero_point = x_zp;
  a.zero_row = zero_row.data();
  a.packed = packed.data();
  a.type = k.type, a.zero_point = k.zp, a.qmin = k.qmin, a.qmax = k.qmax;
  const size_t esize = k.type == QGemmOutput::S32 ? 4 : 1;
  const size_t bytes = static_cast<size_t>(k.out_rows * ow * C) * esize;
  std::vector<uint8_t> got(bytes + 64, 0x5A), want(bytes, 0xA5);
  a.y = got.data();
  dwconv3x3_u8s8_row_avx512vnni(a);

  for (int64_t oy = 0; oy < k.out_rows; ++oy)  // output row oy reads input rows oy .. oy + 2
    for (int64_t ox = 0; ox < ow; ++ox)
      for (int64_t c = 0; c < C; ++c) {
        uint32_t acc = static_cast<uint32_t>(bias[static_cast<size_t>(c)]);
        for (int64_t ky = 0; ky < 3; ++ky)
          for (int64_t kx = 0; kx < 3; ++kx) {
            const int64_t ix = ox * k.stride - k.pad_left + kx, row = oy + ky;
            const int64_t image_row = row < 2 ? row : 2;
            const bool pad = row == 2 || ix < 0 || ix >= k.in_w;
            const int32_t xv = pad ? x_zp : image[static_cast<size_t>((image_row * k.in_w + ix) * C + c)];
            acc += static_cast<uint32_t>(xv * w[static_cast<size_t>(c * 9 + ky * 3 + kx)]);
          }
        store_output(k.type, static_cast<int32_t>(acc), m[static_cast<size_t>(c)], k.zp, k.qmin, k.qmax, want.data(),
                     (oy * ow + ox) * C + c);
      }
  CHECK(std::memcmp(got.data(), want.data(), bytes) == 0);
  CHECK(std::all_of(got.begin() + static_cast<std::ptrdiff_t>(bytes), got.end(), [](uint8_t v) { return v == 0x5A; }));
}

}  // namespace

TEST_CASE("dwconv3x3 avx512vnni: non-finite, huge and ordinary multipliers", "[qconv][dwconv]") {
  if (!isa_supported(Isa::Avx512Vnni)) {
    SUCCEED("no AVX-512 VNNI on this CPU");
    return;
  }
  std::mt19937 rng(11);
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> non_finite = {nan, inf, -inf, 0.01f, 1e30f, -0.02f, inf};
  const std::vector<float> huge = {0.01f, 1e30f, -0.02f, 1e-38f, std::numeric_limits<float>::max()};
  const std::vector<float> ordinary = {0.01f, -0.02f, 3e-3f, 1e-38f, 0.0f, 0.5f};
  struct Mode {
    QGemmOutput type;
    int32_t zp, qmin, qmax;
  };
  const Mode modes[] = {{QGemmOutput::U8, 100, 0, 255}, {QGemmOutput::U8, 255, 0, 255}, {QGemmOutput::U8, 0, 20, 90},
                        {QGemmOutput::S8, -128, -128, 127}, {QGemmOutput::S8, 5, -7, 100},
                        {QGemmOutput::S32, 0, 0, 0}};
  for (int64_t c : {1, 16, 32, 70, 128})
    for (int64_t stride : {1, 2})
      for (int64_t out_rows : {1, 2})
        for (const Mode& mode : modes) {
          RowCase k;
          k.c = c, k.stride = stride, k.pad_left = c % 2, k.in_w = 5 + c % 4, k.out_rows = out_rows;
          k.type = mode.type, k.zp = mode.zp, k.qmin = mode.qmin, k.qmax = mode.qmax;
          for (const auto* mult : {&non_finite, &huge, &ordinary}) run_row(k, *mult, rng);
        }
}

#endif
