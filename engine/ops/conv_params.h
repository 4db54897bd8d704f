#pragma once
// A resolved convolution as the kernels take it, shared by the FP32 and
// INT8 Conv ops (reference and prepared).
#include <cstdint>

#include "engine/op_registry.h"
#include "graph/conv_attrs.h"
#include "graph/error.h"
#include "kernels/fp32/conv_f32.h"

namespace octet::engine {

inline kernels::SpatialWindow to_window(const graph::SpatialGeometry& g) {
  return {g.in_size, g.kernel, g.stride, g.dilation, g.pad_begin, g.pad_end, g.out_size};
}

// The kernels' parameters of g. The im2col buffer the reference kernels lay
// out is the product of three validated but unbounded sizes; one past 2^32
// elements is refused (checked without overflowing).
inline kernels::ConvParams checked_conv_params(const graph::Node& node, const graph::ConvGeometry& g) {
  constexpr int64_t kMaxScratch = int64_t(1) << 32;
  const int64_t cg = g.in_channels_per_group(), k = g.kernel_numel(), o = g.out_numel();
  if (k > 0 && o > 0 && (cg > kMaxScratch / k || cg * k > kMaxScratch / o))
    throw UnsupportedError(node.label() + ": the im2col buffer would exceed 2^32 elements");
  kernels::ConvParams p;
  p.batch = g.batch;
  p.in_channels = g.in_channels;
  p.out_channels = g.out_channels;
  p.group = g.group;
  p.window = to_window(g);
  return p;
}

}  // namespace octet::engine
