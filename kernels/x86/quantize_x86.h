#pragma once
// x86 QuantizeLinear loops behind kernels/quantize.h. Both divide by the
// scale (as the reference does, so no reciprocal changes a rounding), map
// NaN to 0, clamp to the integer bounds minus the zero point before the
// round-to-nearest-even conversion (rounding commutes with clamping to
// integers, and cvtps_epi32 of a value beyond int32 would be INT_MIN), then
// add the zero point: the reference's bits. Call only at a level
// isa_supported() reports.
#include <cstdint>

namespace octet::kernels::x86 {

void quantize_f32_avx2(const float* x, int64_t n, float scale, int32_t zero_point, uint8_t* y);
void quantize_f32_avx2(const float* x, int64_t n, float scale, int32_t zero_point, int8_t* y);
void quantize_f32_avx512vnni(const float* x, int64_t n, float scale, int32_t zero_point, uint8_t* y);
void quantize_f32_avx512vnni(const float* x, int64_t n, float scale, int32_t zero_point, int8_t* y);

// [min(0, x...), max(0, x...)], NaN ignored (kernels/quantize.h).
void range_with_zero_avx2(const float* x, int64_t n, float* lo, float* hi);
void range_with_zero_avx512vnni(const float* x, int64_t n, float* lo, float* hi);

}  // namespace octet::kernels::x86
