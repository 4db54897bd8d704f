#pragma once
// The clamp graph::fuse_activations leaves on a producing node (see
// graph/passes.h): ops that can carry one call this on their output.
#include <limits>

#include "graph/error.h"
#include "graph/graph.h"
#include "graph/passes.h"
#include "kernels/fp32/elementwise_f32.h"

namespace octet::engine {

inline void apply_fused_activation(const graph::Node& node, graph::Tensor& y) {
  if (!node.has_attr(graph::kActivationMin) && !node.has_attr(graph::kActivationMax)) return;
  if (y.dtype() != graph::DType::Float32)
    throw UnsupportedError(node.label() + ": a fused activation needs a float32 output, not " +
                           graph::dtype_name(y.dtype()));
  const float inf = std::numeric_limits<float>::infinity();
  kernels::clip_f32(y.data<float>(), y.data<float>(), y.numel(), node.attr_float(graph::kActivationMin, -inf),
                    node.attr_float(graph::kActivationMax, inf));
}

}  // namespace octet::engine
