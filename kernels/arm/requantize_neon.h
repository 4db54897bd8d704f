#pragma once
// The QGemm epilogue on 4 int32 accumulators (one q register), bit-exact
// with qgemm_store_ref / requantize.h. Header-only, internal to each file
// that includes it (the Neon and NeonDot files are built with different
// -march flags, so they must not share an inline definition).
#include <arm_neon.h>

#include <cstdint>
#include <cstring>

#include "kernels/qgemm_tile.h"

namespace octet::kernels::arm {
namespace {

// Lanes [0, n) of p, the others zero; never reads past p[n - 1].
template <class T> inline void load_lanes(const T* p, int64_t n, T out[4]) {
  out[0] = out[1] = out[2] = out[3] = T(0);
  std::memcpy(out, p, static_cast<size_t>(n < 4 ? n : 4) * sizeof(T));
}

inline int32x4_t load_s32(const int32_t* p, int64_t n) {
  if (n >= 4) return vld1q_s32(p);
  int32_t v[4];
  load_lanes(p, n, v);
  return vld1q_s32(v);
}

inline float32x4_t load_f32(const float* p, int64_t n) {
  if (n >= 4) return vld1q_f32(p);
  float v[4];
  load_lanes(p, n, v);
  return vld1q_f32(v);
}

// Stores lanes [0, min(n, 4)) of 4 elements of `bytes` bytes each from v.
inline void store_lanes(void* dst, const void* v, int64_t n, size_t bytes) {
  std::memcpy(dst, v, static_cast<size_t>(n < 4 ? n : 4) * bytes);
}

// requantize.h on 4 scaled values x: round half to even (frintn), NaN to
// 0 (requantize.h maps NaN to the zero point; min / max would turn it into
// a bound), clamp to [lo, hi] (the output bounds minus the zero point:
// clamping commutes with rounding there), convert (exact: fcvtzs of an
// integral float) and add the zero point zp.
inline int32x4_t round_clamp(float32x4_t x, float32x4_t lo, float32x4_t hi, int32x4_t zp) {
  x = vrndnq_f32(x);
  x = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(x), vceqq_f32(x, x)));
  x = vminq_f32(vmaxq_f32(x, lo), hi);
  return vaddq_s32(vcvtq_s32_f32(x), zp);
}

// 16 int32 lanes already in [0, 255] (or [-128, 127]) to their 16 bytes.
inline uint8x16_t narrow_bytes(const int32x4_t q[4]) {
  const int16x8_t lo = vcombine_s16(vmovn_s32(q[0]), vmovn_s32(q[1]));
  const int16x8_t hi = vcombine_s16(vmovn_s32(q[2]), vmovn_s32(q[3]));
  return vreinterpretq_u8_s8(vcombine_s8(vmovn_s16(lo), vmovn_s16(hi)));
}

// acc for columns [col, col + min(left, 4)) of one row.
inline void qgemm_store_neon(int32x4_t acc, const QGemmTileEpilogue& ep, int64_t col, int64_t left, void* c_row) {
  if (ep.bias) acc = vaddq_s32(acc, load_s32(ep.bias + col, left));
  if (ep.type == QGemmOutput::S32) {
    if (left >= 4) return vst1q_s32(static_cast<int32_t*>(c_row) + col, acc);
    int32_t v[4];
    vst1q_s32(v, acc);
    return store_lanes(static_cast<int32_t*>(c_row) + col, v, left, 4);
  }
  const float32x4_t scale = ep.per_channel ? load_f32(ep.scale + col, left) : vdupq_n_f32(ep.scale[0]);
  // One rounding, like the scalar float(acc) * scale (the library builds
  // with -ffp-contract=off, so nothing fuses it).
  float32x4_t x = vmulq_f32(vcvtq_f32_s32(acc), scale);
  if (ep.type == QGemmOutput::F32) {
    if (left >= 4) return vst1q_f32(static_cast<float*>(c_row) + col, x);
    float v[4];
    vst1q_f32(v, x);
    return store_lanes(static_cast<float*>(c_row) + col, v, left, 4);
  }
  const int32x4_t q = round_clamp(x, vdupq_n_f32(ep.lo), vdupq_n_f32(ep.hi), vdupq_n_s32(ep.zero_point));
  const int16x4_t q16 = vmovn_s32(q);  // in range already: the clamp did it
  uint8_t bytes[8];
  if (ep.type == QGemmOutput::U8)
    vst1_u8(bytes, vreinterpret_u8_s8(vmovn_s16(vcombine_s16(q16, q16))));
  else
    vst1_s8(reinterpret_cast<int8_t*>(bytes), vmovn_s16(vcombine_s16(q16, q16)));
  store_lanes(static_cast<uint8_t*>(c_row) + col, bytes, left, 1);
}

}  // namespace
}  // namespace octet::kernels::arm
