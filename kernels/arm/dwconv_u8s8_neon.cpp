// NEON depthwise kernel: 16 channels (4 int32x4 accumulators) per step,
// then a tail staged through small stack buffers so no load or store
// touches bytes past C. Taps are a template constant for 3x3 and 5x5 so
// the tap loop unrolls. Per tap and 16 channels: one input load, two
// widenings, two weight loads and four smlal.
#include <arm_neon.h>

#include <cstring>

#include "kernels/arm/dwconv_arm.h"
#include "kernels/arm/requantize_neon.h"

namespace octet::kernels::arm {

namespace {

constexpr int kStep = 16;

struct Requant {
  float32x4_t lo, hi;  // qmin - zp, qmax - zp
  int32x4_t zp;
};

inline void tap16(const uint8_t* x, const int16_t* w, int32x4_t acc[4]) {
  const uint8x16_t v = vld1q_u8(x);
  const int16x8_t x0 = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(v)));
  const int16x8_t x1 = vreinterpretq_s16_u16(vmovl_high_u8(v));
  const int16x8_t w0 = vld1q_s16(w), w1 = vld1q_s16(w + 8);
  acc[0] = vmlal_s16(acc[0], vget_low_s16(x0), vget_low_s16(w0));
  acc[1] = vmlal_high_s16(acc[1], x0, w0);
  acc[2] = vmlal_s16(acc[2], vget_low_s16(x1), vget_low_s16(w1));
  acc[3] = vmlal_high_s16(acc[3], x1, w1);
}

// Stores the 16 accumulators of channels [c, c + count), count <= 16.
void store16(const DwConvArgs& a, const Requant& r, const int32x4_t acc[4], int64_t index, int64_t c, int count) {
  if (a.type == QGemmOutput::S32) {
    int32_t tmp[kStep];
    for (int j = 0; j < 4; ++j) vst1q_s32(tmp + 4 * j, acc[j]);
    std::memcpy(static_cast<int32_t*>(a.y) + index, tmp, sizeof(int32_t) * static_cast<size_t>(count));
    return;
  }
  int32x4_t q[4];
  for (int j = 0; j < 4; ++j) {
    const float32x4_t s = vmulq_f32(vcvtq_f32_s32(acc[j]), vld1q_f32(a.multiplier + c + 4 * j));
    q[j] = round_clamp(s, r.lo, r.hi, r.zp);
  }
  uint8_t* y = static_cast<uint8_t*>(a.y) + index;
  if (count == kStep) return vst1q_u8(y, narrow_bytes(q));
  uint8_t tmp[kStep];
  vst1q_u8(tmp, narrow_bytes(q));
  std::memcpy(y, tmp, static_cast<size_t>(count));
}

template <int kTaps>
void dwconv_pixels(const DwConvArgs& a) {
  const int64_t taps = kTaps ? kTaps : a.taps, C = a.channels, ws = a.weights_stride;
  const int16_t* weights = static_cast<const int16_t*>(a.weights);
  const Requant r{vdupq_n_f32(static_cast<float>(a.qmin - a.zero_point)),
                  vdupq_n_f32(static_cast<float>(a.qmax - a.zero_point)), vdupq_n_s32(a.zero_point)};
  for (int64_t p = 0; p < a.pixels; ++p) {
    const uint8_t* const* in = a.input + p * taps;
    const int64_t out = p * a.y_stride;
    // Bias, multiplier and weights are readable to a multiple of
    // kDwChannelPad channels; only the input needs the staged tail.
    for (int64_t c = 0; c < C; c += kStep) {
      const int count = C - c < kStep ? static_cast<int>(C - c) : kStep;
      int32x4_t acc[4];
      for (int j = 0; j < 4; ++j) acc[j] = vld1q_s32(a.bias + c + 4 * j);
      for (int64_t t = 0; t < taps; ++t) {
        const int16_t* w = weights + t * ws + c;
        if (count == kStep) {
          tap16(in[t] + c, w, acc);
        } else {
          uint8_t x[kStep] = {};
          std::memcpy(x, in[t] + c, static_cast<size_t>(count));
          tap16(x, w, acc);
        }
      }
      store16(a, r, acc, out + c, c, count);
    }
  }
}

}  // namespace

void dwconv_pack_neon(int64_t channels, int64_t taps, const int8_t* w, int64_t stride, int16_t* packed) {
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t t = 0; t < taps; ++t) packed[t * stride + c] = w[c * taps + t];
}

void dwconv_u8s8_neon(const DwConvArgs& a) {
  switch (a.taps) {
    case 9: return dwconv_pixels<9>(a);
    case 25: return dwconv_pixels<25>(a);
    default: return dwconv_pixels<0>(a);
  }
}

}  // namespace octet::kernels::arm
