#pragma once
// The xsimd float batch the FP32 kernels share, and one select for scalars
// and batches alike, so an op written as a generic lambda runs on full
// batches and on the scalar tail with the same code.
#include <xsimd/xsimd.hpp>

#include <cstdint>

namespace octet::kernels::fp32 {

using Batch = xsimd::batch<float>;
constexpr int64_t kWidth = Batch::size;

inline float where(bool c, float t, float f) { return c ? t : f; }
inline Batch where(const Batch::batch_bool_type& c, const Batch& t, const Batch& f) { return xsimd::select(c, t, f); }

// a / b correctly rounded on every target. xsimd 8.1 divides float
// batches on aarch64 with its 32-bit NEON code: a reciprocal estimate and
// two Newton steps, off by up to a few ulp (it overrides only double
// division for NEON64), so there the batch takes fdiv itself.
inline float divide(float a, float b) { return a / b; }
inline Batch divide(const Batch& a, const Batch& b) {
#if defined(__aarch64__)
  return Batch(vdivq_f32(a, b));
#else
  return a / b;
#endif
}

}  // namespace octet::kernels::fp32
