#include "graph/elementwise_attrs.h"

#include "graph/error.h"
#include "graph/shape_inference.h"

namespace octet::graph {

namespace {

void require(const Node& node, bool condition, const std::string& message) {
  if (!condition) throw FormatError(node.label() + ": " + message);
}

}  // namespace

SoftmaxView softmax_view(const Node& node, const Shape& shape) {
  const int64_t rank = static_cast<int64_t>(shape.size());
  const bool coerce_2d = opset_before(node, 13);
  require(node, rank >= 1, "input must have rank >= 1, has shape " + shape_str(shape));
  const int64_t axis = normalize_axis(node.attr_int("axis", coerce_2d ? 1 : -1), rank, node.label());
  SoftmaxView v;
  v.axis = shape[axis];
  for (int64_t i = 0; i < axis; ++i) v.outer *= shape[i];
  for (int64_t i = axis + 1; i < rank; ++i) (coerce_2d ? v.axis : v.inner) *= shape[i];
  return v;
}

bool reduce_axes_from_input(const Node& node) {
  return !opset_before(node, node.op_type == "ReduceSum" ? 13 : 18);
}

std::vector<bool> reduced_axes(const Node& node, const Shape& shape, const Tensor* axes_input) {
  const int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<int64_t> axes;
  if (!reduce_axes_from_input(node)) {
    axes = node.attr_ints("axes");
  } else if (axes_input) {
    require(node, axes_input->dtype() == DType::Int64, "axes (input 1) must be int64");
    require(node, axes_input->rank() == 1, "axes (input 1) must be 1-D, has shape " + shape_str(axes_input->shape()));
    axes = axes_input->to_int64();
  }
  const bool noop = node.attr_int("noop_with_empty_axes", 0) != 0;
  std::vector<bool> reduced(shape.size(), axes.empty() && !noop);
  for (int64_t a : axes) {
    const int64_t axis = normalize_axis(a, rank, node.label());
    require(node, !reduced[axis], "axis " + std::to_string(a) + " is listed twice");
    reduced[axis] = true;
  }
  return reduced;
}

Shape reduced_shape(const Node& node, const Shape& shape, const std::vector<bool>& reduced) {
  const int64_t keepdims = node.attr_int("keepdims", 1);
  require(node, keepdims == 0 || keepdims == 1, "keepdims must be 0 or 1, is " + std::to_string(keepdims));
  Shape out;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (!reduced[i]) out.push_back(shape[i]);
    else if (keepdims) out.push_back(1);
  }
  return out;
}

}  // namespace octet::graph
