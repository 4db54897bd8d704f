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

}  // namespace octet::kernels::fp32
