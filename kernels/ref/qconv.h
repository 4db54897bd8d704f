#pragma once
// Scalar reference integer convolution: ONNX ConvInteger and QLinearConv,
// N-d, grouped, NCHW, over raw buffers.
#include <cstdint>

#include "kernels/fp32/conv_f32.h"  // ConvParams: the conv geometry all kernels share
#include "kernels/ref/requantize.h"

namespace octet::kernels {

// y[n, m, p] = bias[m] + sum over taps (x - x_zero_point) * (w[m, ...] - w_zp[m]),
// int32, wrapping modulo 2^32 as ONNX allows. Taps in the padding contribute
// 0 (padding holds the zero point, real 0). w_zp has stride 0 (per tensor)
// or 1 (per output channel), null for 0; bias may be null.
template <class X, class W>
void conv_s32_ref(const ConvParams& p, const X* x, int32_t x_zero_point, const W* w, const int32_t* w_zp,
                  int64_t w_zp_stride, const int32_t* bias, int32_t* y);

// QLinearConv: the accumulators above (with an int32 bias quantized at
// x_scale * w_scale[m]) requantized with multiplier x_scale * w_scale[m] / y_scale.
template <class X, class W, class Y>
void qlinear_conv_ref(const ConvParams& p, const X* x, float x_scale, int32_t x_zero_point, const W* w,
                      const QuantParams& w_qp, const int32_t* bias, float y_scale, int32_t y_zero_point, Y* y);

}  // namespace octet::kernels
