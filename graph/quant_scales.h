#pragma once
// Which inputs of the quantized operators are scales, and the rules they
// keep. A scale that divides (QuantizeLinear's, every operator's output
// scale: x / scale) must be finite and positive; the others only multiply
// (DequantizeLinear's, input and weight scales) and must be finite and not
// negative (0 is a pruned channel: its values are all 0). Anything else has
// no real number it stands for, so such a model is refused at planning,
// naming the node, the input and the value, instead of computing garbage.
#include <cstddef>
#include <vector>

#include "graph/shape_inference.h"

namespace octet::graph {

struct ScaleInputs {
  std::vector<size_t> dividing, multiplying;  // input indices
};

ScaleInputs scale_inputs(const Node& node);

// The rule above for one scale value: finite, and positive when it divides,
// not negative when it only multiplies.
bool scale_is_valid(float scale, bool divides);

// Throws octet::FormatError when a constant scale input of ctx's node breaks
// its rule. Scales fed at run time are the caller's.
void check_constant_scales(const InferContext& ctx);

}  // namespace octet::graph
