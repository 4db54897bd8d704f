#pragma once
// Version-dependent attributes of the data-movement ops, resolved in one
// place so each shape rule and its op agree. All checks throw
// octet::FormatError naming the node. A node whose opset is 0 (unknown)
// follows the newest version.
//
//   Slice      opset < 10: starts/ends/axes attributes (no steps);
//              opset >= 10: inputs 1..4 (axes, steps optional).
//              Out-of-range starts and ends clamp as numpy's slices do.
//   Split      opset < 13: `split` attribute; opset >= 13: optional input 1;
//              opset >= 18: or `num_outputs`. Neither: equal parts, one
//              per output.
//   Squeeze,   opset < 13: `axes` attribute; opset >= 13: optional input 1
//   Unsqueeze  (required for Unsqueeze).
//   Dropout    opset < 12: `ratio` attribute; opset >= 12: inputs 1, 2.
//   Shape      opset >= 15: `start`/`end`, clamped into [0, rank].
#include <cstdint>
#include <utility>
#include <vector>

#include "graph/graph.h"

namespace octet::graph {

// Slice resolved per input dim: out[d] elements from start[d] on, every
// step[d]-th. Steps are clamped to +-max(dim, 1) (a longer step selects
// the same single element), so start + step * stride never overflows.
struct SliceSpec {
  Shape start, step, out;
};
// The tensors are Slice's inputs 1..4 (nullptr when omitted); before
// opset 10 they are ignored and the attributes read instead.
SliceSpec resolve_slice(const Node& node, const Shape& data, const Tensor* starts, const Tensor* ends,
                        const Tensor* axes, const Tensor* steps);

// The permutation: `perm`, or the dims reversed when absent.
std::vector<int64_t> transpose_perm(const Node& node, size_t rank);

// The concatenation axis in [0, rank).
int64_t concat_axis(const Node& node, size_t rank);

// The split axis in [0, rank) and the size of each output along it;
// `split` is input 1 (nullptr when omitted or before opset 13).
int64_t split_axis(const Node& node, size_t rank);
std::vector<int64_t> split_sizes(const Node& node, const Shape& input, const Tensor* split);

// Squeeze's output shape; `axes` is input 1 (nullptr when omitted).
Shape squeezed_shape(const Node& node, const Shape& input, const Tensor* axes);
// Unsqueeze's output shape; `axes` is input 1.
Shape unsqueezed_shape(const Node& node, const Shape& input, const Tensor* axes);
// Reshape's output shape from the `shape` input's value.
Shape reshaped_shape(const Node& node, const Shape& input, const Tensor& shape);
// Expand's output shape: the input broadcast with the `shape` input's value.
Shape expanded_shape(const Node& node, const Shape& input, const Tensor& shape);
// Flatten's 2-D output shape.
Shape flattened_shape(const Node& node, const Shape& input);

// The [start, end) range of dims that Shape reports.
std::pair<int64_t, int64_t> shape_range(const Node& node, int64_t rank);

// Dropout at inference passes its input through. Checks the ratio
// (attribute before opset 12, else input 1, default 0.5) is in [0, 1) and
// throws octet::UnsupportedError when training_mode (input 2) is true with a
// ratio above 0, as Octet runs inference only. Inputs are nullptr when omitted.
void check_dropout_inference(const Node& node, const Tensor* ratio, const Tensor* training_mode);

// Constant's value from `value` or value_float(s) / value_int(s).
Tensor constant_value(const Node& node);

}  // namespace octet::graph
