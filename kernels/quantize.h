#pragma once
// ONNX QuantizeLinear of float32 to 8 bits with one scale and zero point, at
// an ISA level: the bits of quantize_linear_ref (kernels/ref/quantize.h),
// which stays the truth. Runs where a model enters INT8, once per input
// element per run, so it is worth a vector loop.
#include <cstdint>

#include "kernels/isa.h"

namespace octet::kernels {

// y[i] = saturate(round_half_even(x[i] / scale) + zero_point); Q is uint8_t
// or int8_t, zero_point inside Q's range.
template <class Q>
void quantize_f32(Isa isa, const float* x, int64_t n, float scale, int32_t zero_point, Q* y);

}  // namespace octet::kernels
