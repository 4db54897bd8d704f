#pragma once
// FP32 N-d convolution (ONNX Conv): one GEMM per group and image, the
// weights times the im2col columns. At the AVX2 / AVX-512 levels the GEMM
// is sgemm_packed, which gathers a 2-D convolution's columns panel by panel
// (kernels/fp32/sgemm_packed.h); otherwise im2col writes them out and Eigen
// multiplies. A 1x1, stride-1, unpadded convolution reads the image as is.
#include <cstdint>

#include "kernels/fp32/sgemm_packed.h"
#include "kernels/isa.h"
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
// The level conv_f32 runs its dense GEMM at, chosen once per process
// (selected_isa_or_ref(), so OCTET_ISA as it was at the first call); at Ref
// that GEMM is Eigen's, whose sums are not the packed GEMM's fma chains.
Isa conv_f32_level();

void conv_f32(const ConvParams& p, const float* x, const float* w, const float* bias, float* y);

// The same with the weights prepacked once (prepack_sgemm_a): groups[g]
// holds group g's [M/group, C/group * kernel] at one ISA level, which the
// GEMMs run at. Not for depthwise convolutions (dwconv_f32_applies), which
// need no GEMM; throws std::invalid_argument on those or on packed weights
// of another shape. The same bits as conv_f32 at the AVX2 / AVX-512 levels
// (conv_f32 runs Eigen at Ref and for one channel per group).
void conv_f32_prepacked(const ConvParams& p, const float* x, const PackedSgemmA* groups, const float* bias,
                        float* y);

// Floats of scratch conv_f32 allocates for im2col (0 when it needs none), so
// callers can refuse sizes that cannot fit before running.
int64_t conv_f32_scratch(const ConvParams& p);

}  // namespace octet::kernels
