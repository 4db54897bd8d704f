#pragma once
// x86 FP32 depthwise kernels (the contract of kernels/fp32/dwconv_f32.h).
//
// Each output row is cut into vectors of `lanes` output columns (8 for AVX2,
// 16 for AVX-512). For a vector and a kernel column j, the input columns
// under its lanes are offset + lane * stride_w in every kernel row, so where
// each tap lands is known once per convolution, not per row: the plan holds,
// per (vector, j), that offset and which lanes fall inside the image. Rows
// only decide which kernel rows are inside.
//
// Vectors are grouped into tiles of up to 4 (the accumulators of a tile stay
// in registers through all taps). A tile is "interior" when every lane of
// every tap is inside the image: it runs with plain loads (stride 1, or
// stride 2 through two loads and an even-lane shuffle). The others are
// masked: masked loads that read only inside the image, and the FMA result
// kept only in the lanes whose tap is inside (so padding taps are skipped,
// exactly as the reference does). Stride 3 and more gather.
//
// Several channel planes run together (group_planes) so that a narrow row
// still has enough independent FMA chains to hide the FMA latency.
// Call only at a level isa_supported() reports.
#include <cstdint>
#include <vector>

#include "kernels/qconv.h"  // QConvShape

namespace octet::kernels {

struct DwF32Column {
  int64_t offset = 0;  // input column under lane 0 (negative in the left padding)
  uint32_t tap_bits = 0;            // lanes whose tap lies inside the image and the output row
  uint32_t lo_bits = 0, hi_bits = 0;  // stride 2: lanes of the two loads that lie inside the image
  int32_t tap_lanes[16] = {};       // the same masks as -1 / 0 per lane (AVX2 maskload and blend)
  int32_t lo_lanes[16] = {}, hi_lanes[16] = {};
};

struct DwF32Tile {
  int64_t first_vector = 0;
  int vectors = 1;  // 1..4
  bool masked = true;
};

struct DwF32Plan {
  QConvShape shape;
  int lanes = 8;
  int group_planes = 1;               // 1, 2, 4 or 8 planes per pass
  std::vector<DwF32Column> columns;   // [vector * kernel_w + j]
  std::vector<DwF32Tile> tiles;       // one output row, left to right
};

// x [planes, in_h, in_w], y [planes, out_h, out_w]; plane q is channel
// q % in_channels (weights w + channel * kernel_h * kernel_w, bias[channel]).
void dwconv_f32_avx2(const DwF32Plan& plan, int64_t planes, const float* x, const float* w, const float* bias,
                     float* y);
void dwconv_f32_avx512(const DwF32Plan& plan, int64_t planes, const float* x, const float* w, const float* bias,
                       float* y);

}  // namespace octet::kernels
