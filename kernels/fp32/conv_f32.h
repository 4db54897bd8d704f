#pragma once
// FP32 N-d convolution (ONNX Conv): one GEMM per group and image, the
// weights times the im2col columns. At the AVX2 / AVX-512 levels the GEMM
// is sgemm_packed, which gathers a 2-D convolution's columns panel by panel
// (kernels/fp32/sgemm_packed.h); otherwise im2col writes them out and Eigen
// multiplies. A 1x1, stride-1, unpadded convolution reads the image as is.
#include <cstdint>

#include "kernels/window.h"

namespace octet::kernels {

struct ConvParams {
  int64_t batch = 0;
  int64_t in_channels = 0;   // C, a multiple of group
  int64_t out_channels = 0;  // M, a multiple of group
  int64_t group = 1;
  SpatialWindow window;
};

// y [N, M, out...] = x [N, C, in...] (*) w [M, C/group, kernel...] + bias[M].
// bias may be null (no bias).
void conv_f32(const ConvParams& p, const float* x, const float* w, const float* bias, float* y);

// Floats of scratch conv_f32 allocates for im2col (0 when it needs none), so
// callers can refuse sizes that cannot fit before running.
int64_t conv_f32_scratch(const ConvParams& p);

}  // namespace octet::kernels
