#pragma once
// Octet's one quantization scheme, used by every kernel (DESIGN.md):
//
//   quantize:    q = saturate(round_half_even(x / scale) + zero_point)
//   requantize:  q = saturate(round_half_even(float(acc) * multiplier) + zero_point)
//                with multiplier = (in_scale * w_scale) / out_scale in float
//
// The arithmetic is float32 throughout (multiply, round to nearest even in the
// default rounding mode, add the zero point), which a SIMD kernel reproduces
// bit for bit with cvtepi32_ps / mulps / cvtps_epi32 (NEON: vcvtq_f32_s32 /
// vmulq_f32 / vcvtnq_s32_f32). NaN maps to the zero point (real 0), so no
// input makes the float-to-int conversion undefined.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace octet::kernels {

// `scaled` is x / scale (or acc * multiplier), not yet rounded.
template <class Q> inline Q quantize_scaled(float scaled, int32_t zero_point) {
  constexpr float lo = static_cast<float>(std::numeric_limits<Q>::min());
  constexpr float hi = static_cast<float>(std::numeric_limits<Q>::max());
  float r = std::isnan(scaled) ? 0.0f : std::nearbyint(scaled);
  r += static_cast<float>(zero_point);
  return static_cast<Q>(std::min(std::max(r, lo), hi));
}

template <class Q> inline Q quantize_value(float x, float scale, int32_t zero_point) {
  return quantize_scaled<Q>(x / scale, zero_point);
}

inline float requantize_multiplier(float in_scale, float w_scale, float out_scale) {
  return in_scale * w_scale / out_scale;
}

template <class Q> inline Q requantize(int32_t acc, float multiplier, int32_t zero_point) {
  return quantize_scaled<Q>(static_cast<float>(acc) * multiplier, zero_point);
}

// Quantization parameters over raw buffers: per tensor (stride 0, one
// value) or per channel (stride 1). A null zero_point means zero.
struct QuantParams {
  const float* scale = nullptr;
  const int32_t* zero_point = nullptr;
  int64_t stride = 0;

  float scale_at(int64_t i) const { return scale[i * stride]; }
  int32_t zero_point_at(int64_t i) const { return zero_point ? zero_point[i * stride] : 0; }
};

}  // namespace octet::kernels
