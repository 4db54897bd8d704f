#pragma once
// FP32 depthwise convolution (ONNX Conv with group == C == M, channel
// multiplier 1), NCHW, 1-D or 2-D, any kernel size, stride, dilation,
// padding and batch. Each channel is an independent 2-D plane, so the SIMD
// kernels vectorize along the output rows (kernels/x86/dwconv_f32_x86.h)
// instead of running one im2col and a one-row GEMM per channel.
//
// Bit-exactness contract, kept by every ISA level (tests/dwconv_f32_test.cpp
// compares with memcmp): each output starts as bias[c] (or +0.f without
// bias); then for each tap (i, j) in row-major kernel order that falls
// inside the image, acc = fma(w[c, i, j], x[ih, iw], acc), one rounding per
// tap (std::fma in kernels/ref/dwconv_f32_ref.h). Taps in the padding are
// skipped, not multiplied by zero, so a -0.f bias or an infinite weight gives
// the same bits everywhere.
#include <cstdint>

#include "kernels/fp32/conv_f32.h"  // ConvParams
#include "kernels/isa.h"

namespace octet::kernels {

// Whether dwconv_f32 runs p: rank 1 or 2 and group == in_channels == out_channels.
bool dwconv_f32_applies(const ConvParams& p);

// x [N, C, in...], w [C, 1, kernel...], bias [C] or null, y [N, C, out...].
// Runs at selected_isa() (OCTET_ISA may lower it). Throws
// std::invalid_argument when p is not a valid depthwise convolution.
void dwconv_f32(const ConvParams& p, const float* x, const float* w, const float* bias, float* y);

// The same at an explicit level (for tests and benchmarks); throws
// std::invalid_argument when the CPU cannot run it.
void dwconv_f32(Isa isa, const ConvParams& p, const float* x, const float* w, const float* bias, float* y);

}  // namespace octet::kernels
