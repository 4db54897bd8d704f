#pragma once
// Version-dependent attributes of the elementwise, Softmax and reduction
// ops, resolved in one place so the shape rule and the op agree.
// All checks throw octet::FormatError naming the node.
//
//   Softmax  opset < 13: the input is coerced to 2-D at `axis` (default 1)
//            and normalized over all trailing dims together;
//            opset >= 13: over the single dim `axis` (default -1).
//   Reduce*  `axes` attribute before opset 18 (ReduceSum: 13), optional
//            input 1 from then on, with noop_with_empty_axes. No axes
//            reduces all dims (unless noop_with_empty_axes = 1: none).
//   Clip     opset < 11: `min`/`max` float attributes; opset >= 11:
//            optional scalar inputs 1 and 2.
// Versions are tested with opset_before (graph/graph.h).
#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace octet::graph {

// The input seen as [outer, axis, inner] for Softmax.
struct SoftmaxView {
  int64_t outer = 1;
  int64_t axis = 1;
  int64_t inner = 1;
};
SoftmaxView softmax_view(const Node& node, const Shape& shape);

// True when the reduction node takes its axes as input 1 (if given).
bool reduce_axes_from_input(const Node& node);

// One flag per input dim: true where the reduction runs. `axes_input` is
// the value of input 1 when reduce_axes_from_input, else nullptr.
std::vector<bool> reduced_axes(const Node& node, const Shape& shape, const Tensor* axes_input);

// The output shape of a reduction: reduced dims become 1 (keepdims = 1,
// the default) or are dropped.
Shape reduced_shape(const Node& node, const Shape& shape, const std::vector<bool>& reduced);

}  // namespace octet::graph
