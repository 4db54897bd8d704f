#pragma once
// Which inputs of the quantized operators are scales, and the rule they
// keep: every constant scale is finite and positive. A zero, negative, NaN
// or infinite scale has no real number it stands for (x / 0, or every code
// meaning NaN), so such a model is refused at planning, naming the node,
// the input and the value, instead of computing garbage.
#include <cstddef>
#include <vector>

#include "graph/shape_inference.h"

namespace octet::graph {

// The scale inputs of `node` (by index), empty for an op without any.
std::vector<size_t> scale_inputs(const Node& node);

// Throws octet::FormatError when a constant scale input of ctx's node has
// a value that is not finite and positive. Scales fed at run time are
// the caller's.
void check_constant_scales(const InferContext& ctx);

}  // namespace octet::graph
