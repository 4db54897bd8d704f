#pragma once
// Scalar FP32 depthwise convolution, NCHW: the truth the SIMD kernels of
// kernels/fp32/dwconv_f32.h are compared with bit for bit. Direct loops in
// the contract's order: acc = bias (or +0), then std::fma per tap inside the
// image, kernel rows then columns; padding taps skipped.
#include "kernels/qconv.h"  // QConvShape: the 2-D geometry (1-D is H = 1)

namespace octet::kernels {

// x [planes, in_h, in_w], y [planes, out_h, out_w]; plane q is channel
// q % in_channels, whose weights are w + channel * kernel_h * kernel_w.
void dwconv_f32_ref(const QConvShape& s, int64_t planes, const float* x, const float* w, const float* bias, float* y);

}  // namespace octet::kernels
