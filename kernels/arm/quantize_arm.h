#pragma once
// NEON QuantizeLinear and range loops behind kernels/quantize.h, the same
// arithmetic as the reference and the x86 twins (kernels/x86/quantize_x86.h):
// divide by the scale (no reciprocal), NaN to 0, round half to even, clamp,
// add the zero point. Call only at an ARM level isa_supported() reports.
#include <cstdint>

namespace octet::kernels::arm {

void quantize_f32_neon(const float* x, int64_t n, float scale, int32_t zero_point, uint8_t* y);
void quantize_f32_neon(const float* x, int64_t n, float scale, int32_t zero_point, int8_t* y);

// [min(0, x...), max(0, x...)], NaN ignored (kernels/quantize.h).
void range_with_zero_neon(const float* x, int64_t n, float* lo, float* hi);

}  // namespace octet::kernels::arm
