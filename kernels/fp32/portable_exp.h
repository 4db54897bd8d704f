#pragma once
// e^x, sigmoid and tanh built from IEEE basic operations only (multiply,
// add, correctly rounded divide, round to nearest even, exponent bits), so
// that every target gives the same bits. xsimd::exp and xsimd::tanh fuse
// multiply-adds where the target has FMA (NEON's fmla, x86's vfmadd), and
// xsimd divides float batches approximately on aarch64 (float_batch.h's
// divide); one ulp in a gate can flip a rounding of an INT8 LSTM's
// dynamically quantized h, so its outputs would differ between x86 and
// ARM. The library builds with -ffp-contract=off, so nothing fuses these.
//
// Each works on a float or an xsimd float batch with the same code, so the
// scalar tails of a vector loop get the vector's bits too. Accuracy
// (tests/qlstm_test.cpp sweeps it against std::): within 2^-23 absolute.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/fp32/float_batch.h"

namespace octet::kernels::fp32 {

inline float round_even(float v) { return std::nearbyint(v); }
inline Batch round_even(const Batch& v) { return xsimd::nearbyint(v); }

// 2^k for integral k in [-126, 127], exactly (the exponent field alone).
// A NaN k (from a NaN x, whose result is NaN anyway) becomes 0 here, where
// converting it would be undefined; the batch conversion is defined.
inline float pow2_integral(float k) {
  if (!(std::fabs(k) <= 127.0f)) k = 0.0f;
  const int32_t bits = (static_cast<int32_t>(k) + 127) << 23;
  float out;
  std::memcpy(&out, &bits, sizeof(out));
  return out;
}
inline Batch pow2_integral(const Batch& k) {
  const auto bits = (xsimd::batch_cast<int32_t>(k) + 127) << 23;
  return xsimd::bitwise_cast<Batch>(bits);
}

// e^x for |x| <= 87 (callers clamp). Cody-Waite: x = k ln2 + r with ln2
// split so that k * kLn2Hi is exact (kLn2Hi has 9 significant bits, |k| <=
// 126), |r| <= ln2 / 2; e^r from the degree-6 polynomial of Cephes' expf
// (Moshier), then scaled by 2^k.
template <class V> V exp_bounded(V x) {
  const V k = round_even(x * V(1.44269504088896341f));
  const V r = (x - k * V(0.693359375f)) - k * V(-2.12194440e-4f);
  V p = V(1.9875691500e-4f);
  p = p * r + V(1.3981999507e-3f);
  p = p * r + V(8.3334519073e-3f);
  p = p * r + V(4.1665795894e-2f);
  p = p * r + V(1.6666665459e-1f);
  p = p * r + V(5.0000001201e-1f);
  p = p * (r * r) + r + V(1.0f);
  return p * pow2_integral(k);
}

// Comparisons, not min / max: SSE's maxps drops a NaN operand, and a NaN
// must stay NaN.
template <class V> V clamp_to(V v, float lo, float hi) {
  const V low = where(v < V(lo), V(lo), v);
  return where(low > V(hi), V(hi), low);
}

// 1 / (1 + e^-x). Above x = 87 that is 1 in float; below -87 it is under
// 1.7e-38, given as 0 (as 1 / (1 + inf) gives it from -88.7 on).
template <class V> V sigmoid_portable(V x) {
  const V s = divide(V(1.0f), V(1.0f) + exp_bounded(clamp_to(V(0.0f) - x, -87.0f, 87.0f)));
  return where(x < V(-87.0f), V(0.0f), s);
}

// tanh: an odd polynomial below |x| = 0.625 (Cephes' tanhf), where
// 1 - 2 / (e^2|x| + 1) would cancel; that form above, with |x| capped at
// 10 (tanh is 1 in float from about 9.01 on).
template <class V> V tanh_portable(V x) {
  const V z = x * x;
  V p = V(-5.70498872745e-3f);
  p = p * z + V(2.06390887954e-2f);
  p = p * z + V(-5.37397155531e-2f);
  p = p * z + V(1.33314422036e-1f);
  p = p * z + V(-3.33332819422e-1f);
  const V small = p * z * x + x;
  const V a = clamp_to(where(x < V(0.0f), V(0.0f) - x, x), 0.0f, 10.0f);
  const V large_abs = V(1.0f) - divide(V(2.0f), exp_bounded(a + a) + V(1.0f));
  const V large = where(x < V(0.0f), V(0.0f) - large_abs, large_abs);
  return where(z < V(0.625f * 0.625f), small, large);
}

}  // namespace octet::kernels::fp32
