// NEON uint8 pools over indirection rows (channels-last, 16 channels per
// q register) and over contiguous planes. Sums are exact int32; the float
// requantization of qpool_ref.h runs on blocks of 16 sums, the tail's sums
// gathered into a zero-padded block first.
#include <arm_neon.h>

#include <cstring>

#include "kernels/arm/qelementwise_arm.h"
#include "kernels/arm/requantize_neon.h"

namespace octet::kernels::arm {

namespace {

constexpr int64_t kBlock = 16;

// 16 sums -> 16 bytes: float(sum - bias) * m, requantized around zy.
uint8x16_t quantize_block(const int32x4_t sums[4], int32_t bias, float m, int32_t zy) {
  const float32x4_t lo = vdupq_n_f32(float(0 - zy)), hi = vdupq_n_f32(float(255 - zy));
  int32x4_t q[4];
  for (int j = 0; j < 4; ++j) {
    const float32x4_t v = vmulq_f32(vcvtq_f32_s32(vsubq_s32(sums[j], vdupq_n_s32(bias))), vdupq_n_f32(m));
    q[j] = round_clamp(v, lo, hi, vdupq_n_s32(zy));
  }
  return narrow_bytes(q);
}

void quantize_tail(const int32_t* sums, int64_t count, int32_t bias, float m, int32_t zy, uint8_t* y) {
  int32x4_t v[4];
  for (int j = 0; j < 4; ++j) v[j] = vld1q_s32(sums + 4 * j);
  uint8_t out[kBlock];
  vst1q_u8(out, quantize_block(v, bias, m, zy));
  std::memcpy(y, out, static_cast<size_t>(count));
}

}  // namespace

void qmax_rows_u8_neon(const uint8_t* const* rows, int64_t k, int64_t channels, uint8_t* y) {
  int64_t c = 0;
  for (; c + kBlock <= channels; c += kBlock) {
    uint8x16_t acc = vld1q_u8(rows[0] + c);
    for (int64_t j = 1; j < k; ++j) acc = vmaxq_u8(acc, vld1q_u8(rows[j] + c));
    vst1q_u8(y + c, acc);
  }
  for (; c < channels; ++c) {
    uint8_t acc = rows[0][c];
    for (int64_t j = 1; j < k; ++j) acc = rows[j][c] > acc ? rows[j][c] : acc;
    y[c] = acc;
  }
}

void qavg_rows_u8_neon(const uint8_t* const* rows, int64_t k, int64_t channels, int32_t bias, float m, int32_t zy,
                       uint8_t* y) {
  int64_t c = 0;
  for (; c + kBlock <= channels; c += kBlock) {
    uint32x4_t acc[4] = {vdupq_n_u32(0), vdupq_n_u32(0), vdupq_n_u32(0), vdupq_n_u32(0)};
    for (int64_t j = 0; j < k; ++j) {
      const uint8x16_t v = vld1q_u8(rows[j] + c);
      const uint16x8_t lo = vmovl_u8(vget_low_u8(v)), hi = vmovl_high_u8(v);
      acc[0] = vaddw_u16(acc[0], vget_low_u16(lo));
      acc[1] = vaddw_high_u16(acc[1], lo);
      acc[2] = vaddw_u16(acc[2], vget_low_u16(hi));
      acc[3] = vaddw_high_u16(acc[3], hi);
    }
    int32x4_t sums[4];
    for (int q = 0; q < 4; ++q) sums[q] = vreinterpretq_s32_u32(acc[q]);
    vst1q_u8(y + c, quantize_block(sums, bias, m, zy));
  }
  if (c == channels) return;
  int32_t sums[kBlock] = {};
  for (int64_t j = 0; j < k; ++j)
    for (int64_t i = c; i < channels; ++i) sums[i - c] += rows[j][i];
  quantize_tail(sums, channels - c, bias, m, zy, y + c);
}

void qavg_planes_u8_neon(const uint8_t* x, int64_t planes, int64_t plane_size, int32_t bias, float m, int32_t zy,
                         uint8_t* y) {
  for (int64_t p0 = 0; p0 < planes; p0 += kBlock) {
    const int64_t count = planes - p0 < kBlock ? planes - p0 : kBlock;
    int32_t sums[kBlock] = {};
    for (int64_t p = 0; p < count; ++p) {
      const uint8_t* row = x + (p0 + p) * plane_size;
      // uaddlp then uadalp: 16 bytes into 4 exact uint32 lanes.
      uint32x4_t acc = vdupq_n_u32(0);
      int64_t i = 0;
      for (; i + 16 <= plane_size; i += 16) acc = vpadalq_u16(acc, vpaddlq_u8(vld1q_u8(row + i)));
      uint32_t total = vaddvq_u32(acc);
      for (; i < plane_size; ++i) total += row[i];
      sums[p] = static_cast<int32_t>(total);
    }
    quantize_tail(sums, count, bias, m, zy, y + p0);
  }
}

}  // namespace octet::kernels::arm
