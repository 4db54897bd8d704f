#pragma once
// The fused activation graph::fuse_activations leaves on a producing node
// (octet.activation_min / octet.activation_max, real values) as a clamp of
// that node's quantized output: [quantize(min), quantize(max)] with the
// output's scale and zero point. Quantize saturates to the type's range and
// is monotonic, so an absent bound (-inf / +inf) gives the type's limit and
// clamping the quantized value equals quantizing the clamped real value.
#include <cstdint>
#include <limits>

#include "graph/dtype.h"
#include "graph/graph.h"
#include "graph/passes.h"
#include "kernels/ref/requantize.h"

namespace octet::engine {

struct QuantizedClamp {
  int32_t qmin = 0, qmax = 0;
};

// y is the output type (uint8 or int8).
inline QuantizedClamp quantized_activation_clamp(const graph::Node& node, graph::DType y, float y_scale,
                                                 int32_t y_zero_point) {
  const float inf = std::numeric_limits<float>::infinity();
  const float lo = node.attr_float(graph::kActivationMin, -inf), hi = node.attr_float(graph::kActivationMax, inf);
  if (y == graph::DType::UInt8)
    return {kernels::quantize_value<uint8_t>(lo, y_scale, y_zero_point),
            kernels::quantize_value<uint8_t>(hi, y_scale, y_zero_point)};
  return {kernels::quantize_value<int8_t>(lo, y_scale, y_zero_point),
          kernels::quantize_value<int8_t>(hi, y_scale, y_zero_point)};
}

}  // namespace octet::engine
