#pragma once
// x86 depthwise convolution microkernels (see kernels/ref/dwconv_ref.h for
// the arguments and the indirection scheme). Exact over the whole u8 x s8
// range, no 16-bit intermediate can saturate:
//   AVX2: each u8 zero-extended to a 32-bit lane, vpmaddwd against the
//         sign-extended 32-bit weight (the high 16-bit halves give 0 * w_high);
//         weights as the Ref layout, int32 [taps][weights_stride].
//   AVX-512 VNNI: four taps of a channel per lane, one vpdpbusd (u8 x s8 sums
//         into int32 with no intermediate rounding); weights, bias and
//         multipliers in one buffer from dwconv_pack_avx512vnni (the
//         arguments' bias and multiplier are not read).
// Call only at a level isa_supported() reports.
#include "kernels/ref/dwconv_ref.h"

namespace octet::kernels {

void dwconv_u8s8_avx2(const DwConvArgs& a);
void dwconv_u8s8_avx512vnni(const DwConvArgs& a);

// w: ONNX depthwise weights [channels][taps]; bias (folded) and multiplier
// [channels]. packed: 64-byte aligned, dwconv_packed_bytes_avx512vnni bytes.
int64_t dwconv_packed_bytes_avx512vnni(int64_t channels, int64_t taps);
void dwconv_pack_avx512vnni(int64_t channels, int64_t taps, const int8_t* w, const int32_t* bias,
                            const float* multiplier, void* packed);

}  // namespace octet::kernels
