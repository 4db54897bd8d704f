// NEON quantized Add / Mul / requantize: 16 bytes per step, widened to four
// vectors of 4 int32, the float32 arithmetic of qelementwise_ref.h, then
// narrowed back. Tails run the same vector code on a zero-padded copy, so
// every element takes the one code path.
#include <arm_neon.h>

#include <type_traits>

#include "kernels/arm/qelementwise_arm.h"
#include "kernels/arm/requantize_neon.h"
#include "kernels/padded_tail.h"

namespace octet::kernels::arm {

namespace {

constexpr int64_t kStep = 16;

// The 16 elements at p as four int32x4, minus the zero point.
template <class T> void widen_centered(const T* p, int32_t zero_point, int32x4_t out[4]) {
  int16x8_t lo, hi;
  if constexpr (std::is_same<T, uint8_t>::value) {
    const uint8x16_t v = vld1q_u8(p);
    lo = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(v)));
    hi = vreinterpretq_s16_u16(vmovl_high_u8(v));
  } else {
    const int8x16_t v = vld1q_s8(p);
    lo = vmovl_s8(vget_low_s8(v));
    hi = vmovl_high_s8(v);
  }
  const int32x4_t z = vdupq_n_s32(zero_point);
  out[0] = vsubq_s32(vmovl_s16(vget_low_s16(lo)), z);
  out[1] = vsubq_s32(vmovl_high_s16(lo), z);
  out[2] = vsubq_s32(vmovl_s16(vget_low_s16(hi)), z);
  out[3] = vsubq_s32(vmovl_high_s16(hi), z);
}

struct Vconsts {
  float32x4_t ma, mb, lo, hi;
  int32x4_t zy;
  explicit Vconsts(const QBinaryConsts& k)
      : ma(vdupq_n_f32(k.ma)), mb(vdupq_n_f32(k.mb)), lo(vdupq_n_f32(k.lo)), hi(vdupq_n_f32(k.hi)),
        zy(vdupq_n_s32(k.zy)) {}
};


// v[j] (already in float, scaled) requantized and stored as 16 elements.
template <class T> void store16(T* y, const float32x4_t v[4], const Vconsts& c) {
  int32x4_t q[4];
  for (int j = 0; j < 4; ++j) q[j] = round_clamp(v[j], c.lo, c.hi, c.zy);
  vst1q_u8(reinterpret_cast<uint8_t*>(y), narrow_bytes(q));
}

}  // namespace

template <class T> void qadd_neon(const QBinaryConsts& k, const T* a, const T* b, T* y, int64_t n) {
  const Vconsts c(k);
  for_each_block_padded<kStep>(a, b, y, n, [&](const T* pa, const T* pb, T* py) {
    int32x4_t da[4], db[4];
    widen_centered(pa, k.za, da);
    widen_centered(pb, k.zb, db);
    float32x4_t v[4];
    for (int j = 0; j < 4; ++j)
      v[j] = vaddq_f32(vmulq_f32(vcvtq_f32_s32(da[j]), c.ma), vmulq_f32(vcvtq_f32_s32(db[j]), c.mb));
    store16(py, v, c);
  });
}

template <class T> void qadd_scalar_neon(const QBinaryConsts& k, const T* a, float b_term, T* y, int64_t n) {
  const Vconsts c(k);
  const float32x4_t vb = vdupq_n_f32(b_term);
  for_each_block_padded<kStep, T>(a, nullptr, y, n, [&](const T* pa, const T*, T* py) {
    int32x4_t da[4];
    widen_centered(pa, k.za, da);
    float32x4_t v[4];
    for (int j = 0; j < 4; ++j) v[j] = vaddq_f32(vmulq_f32(vcvtq_f32_s32(da[j]), c.ma), vb);
    store16(py, v, c);
  });
}

// |a - za| * |b - zb| <= 255 * 255 < 2^24, so the float product is exact.
template <class T> void qmul_neon(const QBinaryConsts& k, const T* a, const T* b, T* y, int64_t n) {
  const Vconsts c(k);
  for_each_block_padded<kStep>(a, b, y, n, [&](const T* pa, const T* pb, T* py) {
    int32x4_t da[4], db[4];
    widen_centered(pa, k.za, da);
    widen_centered(pb, k.zb, db);
    float32x4_t v[4];
    for (int j = 0; j < 4; ++j)
      v[j] = vmulq_f32(vmulq_f32(vcvtq_f32_s32(da[j]), vcvtq_f32_s32(db[j])), c.ma);
    store16(py, v, c);
  });
}

template <class T>
void qmul_scalar_neon(const QBinaryConsts& k, const T* a, int32_t b_centered, T* y, int64_t n) {
  const Vconsts c(k);
  const float32x4_t vb = vdupq_n_f32(static_cast<float>(b_centered));
  for_each_block_padded<kStep, T>(a, nullptr, y, n, [&](const T* pa, const T*, T* py) {
    int32x4_t da[4];
    widen_centered(pa, k.za, da);
    float32x4_t v[4];
    for (int j = 0; j < 4; ++j) v[j] = vmulq_f32(vmulq_f32(vcvtq_f32_s32(da[j]), vb), c.ma);
    store16(py, v, c);
  });
}

#define OCTET_INSTANTIATE(T)                                                             \
  template void qadd_neon(const QBinaryConsts&, const T*, const T*, T*, int64_t);        \
  template void qmul_neon(const QBinaryConsts&, const T*, const T*, T*, int64_t);        \
  template void qadd_scalar_neon(const QBinaryConsts&, const T*, float, T*, int64_t);    \
  template void qmul_scalar_neon(const QBinaryConsts&, const T*, int32_t, T*, int64_t);
OCTET_INSTANTIATE(uint8_t)
OCTET_INSTANTIATE(int8_t)
#undef OCTET_INSTANTIATE

}  // namespace octet::kernels::arm
