// QuantizeLinear on NEON, 16 floats per step; the last n % 16 go through
// the scalar reference, which gives the same bits.
#include <arm_neon.h>

#include <limits>

#include "kernels/arm/quantize_arm.h"
#include "kernels/arm/requantize_neon.h"
#include "kernels/ref/requantize.h"

namespace octet::kernels::arm {

namespace {

template <class Q>
void quantize(const float* x, int64_t n, float scale, int32_t zero_point, Q* y) {
  const float32x4_t s = vdupq_n_f32(scale);
  const float32x4_t lo = vdupq_n_f32(static_cast<float>(std::numeric_limits<Q>::min() - zero_point));
  const float32x4_t hi = vdupq_n_f32(static_cast<float>(std::numeric_limits<Q>::max() - zero_point));
  const int32x4_t zp = vdupq_n_s32(zero_point);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    int32x4_t q[4];
    for (int j = 0; j < 4; ++j) q[j] = round_clamp(vdivq_f32(vld1q_f32(x + i + 4 * j), s), lo, hi, zp);
    vst1q_u8(reinterpret_cast<uint8_t*>(y + i), narrow_bytes(q));
  }
  for (; i < n; ++i) y[i] = quantize_value<Q>(x[i], scale, zero_point);
}

// The reference's `x < lo ? x : lo` per lane: NaN compares false and is
// skipped, and -0 never replaces +0 (fminnm would take it).
inline float32x4_t keep_less(float32x4_t v, float32x4_t lo) { return vbslq_f32(vcltq_f32(v, lo), v, lo); }
inline float32x4_t keep_greater(float32x4_t v, float32x4_t hi) { return vbslq_f32(vcgtq_f32(v, hi), v, hi); }

}  // namespace

void range_with_zero_neon(const float* x, int64_t n, float* lo, float* hi) {
  float32x4_t vlo = vdupq_n_f32(0.0f), vhi = vdupq_n_f32(0.0f);
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t v = vld1q_f32(x + i);
    vlo = keep_less(v, vlo);
    vhi = keep_greater(v, vhi);
  }
  float lanes_lo[4], lanes_hi[4];
  vst1q_f32(lanes_lo, vlo);
  vst1q_f32(lanes_hi, vhi);
  float l = 0.0f, h = 0.0f;
  for (int j = 0; j < 4; ++j) {
    if (lanes_lo[j] < l) l = lanes_lo[j];
    if (lanes_hi[j] > h) h = lanes_hi[j];
  }
  for (; i < n; ++i) {
    if (x[i] < l) l = x[i];
    if (x[i] > h) h = x[i];
  }
  *lo = l;
  *hi = h;
}

void quantize_f32_neon(const float* x, int64_t n, float scale, int32_t zero_point, uint8_t* y) {
  quantize(x, n, scale, zero_point, y);
}
void quantize_f32_neon(const float* x, int64_t n, float scale, int32_t zero_point, int8_t* y) {
  quantize(x, n, scale, zero_point, y);
}

}  // namespace octet::kernels::arm
