#pragma once
// Spatial geometry of ONNX convolutions and pools, resolved once from a
// node's attributes and its input shapes so every conv-like op (Conv,
// ConvInteger, QLinearConv, the pools) validates and pads the same way.
//
// Attributes read (ONNX names): kernel_shape, strides, dilations, pads,
// auto_pad (NOTSET, SAME_UPPER, SAME_LOWER, VALID), group (conv only),
// ceil_mode (pool only). All checks throw octet::FormatError naming the node.
//
// Output size per spatial dim, with extent = dilation * (kernel - 1) + 1:
//   NOTSET/VALID: floor((in + pad_begin + pad_end - extent) / stride) + 1
//                 (ceil instead of floor for a pool with ceil_mode = 1, minus
//                 one when the last window would start in the end padding)
//   SAME_*:       ceil(in / stride), padding the total needed, the odd
//                 element going to the end (SAME_UPPER) or the begin (SAME_LOWER).
#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace octet::graph {

enum class AutoPad { NotSet, SameUpper, SameLower, Valid };

// Parses the auto_pad attribute ("" and "NOTSET" both mean NotSet).
AutoPad read_auto_pad(const Node& node);

// Per spatial dim (all vectors have rank() entries); sizes in elements.
struct SpatialGeometry {
  Shape in_size;    // input spatial dims
  Shape kernel;     // kernel spatial dims
  Shape stride;
  Shape dilation;
  Shape pad_begin;  // resolved: auto_pad already applied
  Shape pad_end;
  Shape out_size;   // every entry >= 1

  size_t rank() const { return in_size.size(); }
  int64_t in_numel() const;      // product of in_size
  int64_t out_numel() const;     // product of out_size
  int64_t kernel_numel() const;  // product of kernel
  bool has_padding() const;      // any pad_begin/pad_end non-zero
};

// Input X [N, C, D1..Dr], weight W [M, C/group, k1..kr] (r >= 1), output
// [N, M, O1..Or].
struct ConvGeometry : SpatialGeometry {
  int64_t batch = 0;
  int64_t in_channels = 0;   // C
  int64_t out_channels = 0;  // M
  int64_t group = 1;
  int64_t in_channels_per_group() const { return in_channels / group; }
  int64_t out_channels_per_group() const { return out_channels / group; }
  Shape output_shape() const;  // [N, M, O1..Or]
};

// Validates x_shape, w_shape (C == W.dim(1) * group, M % group == 0,
// kernel_shape if given equals W's spatial dims) and the attributes
// (lengths match the spatial rank, strides/dilations >= 1, pads >= 0,
// output size >= 1) and resolves the geometry.
ConvGeometry resolve_conv_geometry(const Node& node, const Shape& x_shape, const Shape& w_shape);

// Input X [N, C, D1..Dr] (r >= 1), output [N, C, O1..Or].
struct PoolGeometry : SpatialGeometry {
  int64_t batch = 0;
  int64_t channels = 0;
  bool ceil_mode = false;
  Shape output_shape() const;  // [N, C, O1..Or]
};

// kernel_shape is required; ceil_mode is read (0 or 1); dilations default to
// 1 (pools before opset 10 have none). Same validation as for Conv, and
// every pad must be smaller than the dilated kernel extent so that no
// window lies wholly in the padding (as ONNX Runtime requires).
PoolGeometry resolve_pool_geometry(const Node& node, const Shape& x_shape);

}  // namespace octet::graph
