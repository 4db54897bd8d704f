#pragma once
// Depthwise convolution microkernel (channel multiplier 1), NHWC, u8 x s8:
// the scalar twin of kernels/x86/dwconv_u8s8_{avx2,avx512vnni}.cpp and
// kernels/arm/dwconv_u8s8_neon.cpp, and the
// Ref path of qconv_u8s8.
//
// The caller resolves the geometry into an indirection array, as XNNPACK
// does: for each output pixel, one pointer per tap to the C input bytes
// under it, or to a row of x_zero_point bytes where the tap falls in the
// padding. So the kernel knows no strides, dilations or borders, and with
// -x_zero_point * sum(w) folded into the bias a padding tap contributes 0.
#include <cstdint>

#include "kernels/qgemm.h"  // QGemmOutput

namespace octet::kernels {

// Channel padding of the packed weights, bias and multipliers: the SIMD
// kernels read whole blocks of up to 64 channels past C.
constexpr int64_t kDwChannelPad = 64;

struct DwConvArgs {
  int64_t channels = 0;  // C
  int64_t taps = 0;      // kh * kw
  int64_t pixels = 0;    // output pixels in this call
  const uint8_t* const* input = nullptr;  // [pixels][taps] -> C bytes each
  // Weights in the kernel's layout: for Ref and AVX2 int32 [taps][weights_stride]
  // (sign-extended s8, so AVX2 multiplies them against zero-extended u8 with
  // vpmaddwd exactly); NEON int16 [taps][weights_stride]
  // (kernels/arm/dwconv_arm.h); AVX-512 VNNI packs its own
  // (kernels/x86/dwconv_x86.h).
  // Bias and multiplier are [channels]; all readable to a multiple of
  // kDwChannelPad channels.
  const void* weights = nullptr;
  int64_t weights_stride = 0;
  const int32_t* bias = nullptr;
  const float* multiplier = nullptr;
  QGemmOutput type = QGemmOutput::U8;  // U8, S8 or S32
  int32_t zero_point = 0, qmin = 0, qmax = 255;
  void* y = nullptr;     // pixel p's C outputs at y + p * y_stride (elements)
  int64_t y_stride = 0;
};

void dwconv_u8s8_ref(const DwConvArgs& a);

}  // namespace octet::kernels
