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

// range_with_zero_ref (kernels/ref/quantize.h) at an ISA level: min and
// max are exact in any order, and `x < lo ? x : lo` (vminps) ignores NaN as
// the reference's comparison does, so every level gives its result.
void range_with_zero(Isa isa, const float* x, int64_t n, float* lo, float* hi);

// DynamicQuantizeLinear at an ISA level: the qparams of
// dynamic_quantize_params and the codes of quantize_linear_ref, bit for bit.
void dynamic_quantize_u8(Isa isa, const float* x, int64_t n, float* scale, int32_t* zero_point, uint8_t* xq);

}  // namespace octet::kernels
