#include "graph/layout_attrs.h"

#include <algorithm>

#include "graph/elementwise_attrs.h"
#include "graph/error.h"
#include "graph/shape_inference.h"

namespace octet::graph {

namespace {

void require(const Node& node, bool condition, const std::string& message) {
  if (!condition) throw FormatError(node.label() + ": " + message);
}

// The values of a 1-D int32/int64 input such as Slice's starts or Reshape's shape.
std::vector<int64_t> int_list(const Node& node, const Tensor& t, const std::string& what) {
  require(node, t.dtype() == DType::Int64 || t.dtype() == DType::Int32,
          what + " must be int64 or int32, is " + dtype_name(t.dtype()));
  require(node, t.rank() == 1, what + " must be 1-D, has shape " + shape_str(t.shape()));
  return t.to_int64();
}

// Marks each axis of `axes` in [0, rank), rejecting repeats.
std::vector<bool> axis_set(const Node& node, const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<bool> set(static_cast<size_t>(rank), false);
  for (int64_t a : axes) {
    const int64_t axis = normalize_axis(a, rank, node.label());
    require(node, !set[axis], "axis " + std::to_string(a) + " is listed twice");
    set[axis] = true;
  }
  return set;
}

// shape_numel with the node named in its error.
int64_t checked_numel(const Node& node, const Shape& shape) {
  try {
    return shape_numel(shape);
  } catch (const FormatError& e) {
    throw FormatError(node.label() + ": " + e.what());
  }
}

int64_t clamp(int64_t v, int64_t lo, int64_t hi) { return std::min(std::max(v, lo), hi); }

}  // namespace

SliceSpec resolve_slice(const Node& node, const Shape& data, const Tensor* starts_in, const Tensor* ends_in,
                        const Tensor* axes_in, const Tensor* steps_in) {
  const int64_t rank = static_cast<int64_t>(data.size());
  std::vector<int64_t> starts, ends, axes, steps;
  bool has_axes = false;
  if (opset_before(node, 10)) {
    require(node, node.has_attr("starts") && node.has_attr("ends"), "attributes 'starts' and 'ends' are required");
    starts = node.attr_ints("starts");
    ends = node.attr_ints("ends");
    has_axes = node.has_attr("axes");
    axes = node.attr_ints("axes");
  } else {
    require(node, starts_in && ends_in, "inputs 'starts' and 'ends' are required");
    starts = int_list(node, *starts_in, "starts");
    ends = int_list(node, *ends_in, "ends");
    has_axes = axes_in != nullptr;
    if (axes_in) axes = int_list(node, *axes_in, "axes");
    if (steps_in) steps = int_list(node, *steps_in, "steps");
  }
  const size_t n = starts.size();
  require(node, ends.size() == n, "starts and ends differ in length");
  if (!has_axes) {
    require(node, static_cast<int64_t>(n) <= rank, "more starts than the input has dims");
    for (size_t i = 0; i < n; ++i) axes.push_back(static_cast<int64_t>(i));
  }
  require(node, axes.size() == n, "axes and starts differ in length");
  if (steps.empty()) steps.assign(n, 1);
  require(node, steps.size() == n, "steps and starts differ in length");
  axis_set(node, axes, rank);

  SliceSpec spec{Shape(rank, 0), Shape(rank, 1), data};
  for (size_t i = 0; i < n; ++i) {
    const int64_t a = normalize_axis(axes[i], rank, node.label());
    const int64_t dim = data[a];
    require(node, steps[i] != 0, "steps[" + std::to_string(i) + "] is 0");
    const int64_t reach = std::max<int64_t>(dim, 1);
    const int64_t step = clamp(steps[i], -reach, reach);
    int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t end = ends[i] < 0 ? ends[i] + dim : ends[i];
    int64_t count = 0;
    if (dim == 0) {
      start = 0;
    } else if (step > 0) {
      start = clamp(start, 0, dim);
      end = clamp(end, 0, dim);
      count = end > start ? (end - start + step - 1) / step : 0;
    } else {
      // As numpy (ONNX's reference): a start still before the first element
      // selects nothing; the spec's [0, dim - 1] would select element 0.
      start = clamp(start, -1, dim - 1);
      end = clamp(end, -1, dim - 1);
      count = start > end ? (start - end - step - 1) / -step : 0;
    }
    spec.start[a] = count > 0 ? start : 0;
    spec.step[a] = step;
    spec.out[a] = count;
  }
  return spec;
}

std::vector<int64_t> transpose_perm(const Node& node, size_t rank) {
  std::vector<int64_t> perm;
  if (!node.has_attr("perm")) {
    for (size_t i = rank; i-- > 0;) perm.push_back(static_cast<int64_t>(i));
    return perm;
  }
  perm = node.attr_ints("perm");
  require(node, perm.size() == rank,
          "perm has " + std::to_string(perm.size()) + " entries for an input of rank " + std::to_string(rank));
  std::vector<bool> seen(rank, false);
  for (int64_t p : perm) {
    require(node, p >= 0 && p < static_cast<int64_t>(rank) && !seen[p],
            "perm is not a permutation of 0.." + std::to_string(static_cast<int64_t>(rank) - 1));
    seen[p] = true;
  }
  return perm;
}

int64_t concat_axis(const Node& node, size_t rank) {
  require(node, rank >= 1, "inputs must have rank >= 1");
  require(node, node.has_attr("axis") || opset_before(node, 4), "attribute 'axis' is required");
  return normalize_axis(node.attr_int("axis", 1), static_cast<int64_t>(rank), node.label());
}

int64_t split_axis(const Node& node, size_t rank) {
  require(node, rank >= 1, "input must have rank >= 1");
  return normalize_axis(node.attr_int("axis", 0), static_cast<int64_t>(rank), node.label());
}

std::vector<int64_t> split_sizes(const Node& node, const Shape& input, const Tensor* split) {
  const int64_t dim = input[split_axis(node, input.size())];
  const int64_t parts = static_cast<int64_t>(node.outputs.size());
  require(node, parts >= 1, "needs at least one output");
  std::vector<int64_t> sizes;
  if (opset_before(node, 13)) {
    sizes = node.attr_ints("split");
  } else if (split) {
    sizes = int_list(node, *split, "split");
  } else if (!opset_before(node, 18) && node.has_attr("num_outputs")) {
    require(node, node.attr_int("num_outputs", 0) == parts,
            "num_outputs is " + std::to_string(node.attr_int("num_outputs", 0)) + " but the node has " +
                std::to_string(parts) + " outputs");
    // Equal chunks rounded up; the last one takes what is left.
    const int64_t chunk = (dim + parts - 1) / parts;
    require(node, chunk * (parts - 1) <= dim,
            "cannot split " + std::to_string(dim) + " into " + std::to_string(parts) + " parts");
    sizes.assign(parts - 1, chunk);
    sizes.push_back(dim - chunk * (parts - 1));
  }
  if (sizes.empty()) {
    require(node, dim % parts == 0,
            "dim " + std::to_string(dim) + " does not split into " + std::to_string(parts) + " equal parts");
    sizes.assign(parts, dim / parts);
  }
  require(node, static_cast<int64_t>(sizes.size()) == parts,
          std::to_string(sizes.size()) + " split sizes for " + std::to_string(parts) + " outputs");
  int64_t total = 0;
  for (int64_t s : sizes) {
    require(node, s >= 0 && s <= dim - total, "split sizes must be >= 0 and sum to " + std::to_string(dim));
    total += s;
  }
  require(node, total == dim, "split sizes sum to " + std::to_string(total) + ", not " + std::to_string(dim));
  return sizes;
}

Shape squeezed_shape(const Node& node, const Shape& input, const Tensor* axes_in) {
  const int64_t rank = static_cast<int64_t>(input.size());
  std::vector<int64_t> axes;
  if (opset_before(node, 13)) axes = node.attr_ints("axes");
  else if (axes_in) axes = int_list(node, *axes_in, "axes");
  std::vector<bool> drop(input.size(), false);
  if (axes.empty()) {
    for (size_t i = 0; i < input.size(); ++i) drop[i] = input[i] == 1;
  } else {
    drop = axis_set(node, axes, rank);
  }
  Shape out;
  for (size_t i = 0; i < input.size(); ++i) {
    if (!drop[i]) out.push_back(input[i]);
    else require(node, input[i] == 1, "cannot squeeze dim " + std::to_string(i) + " of shape " + shape_str(input));
  }
  return out;
}

Shape unsqueezed_shape(const Node& node, const Shape& input, const Tensor* axes_in) {
  std::vector<int64_t> axes;
  if (opset_before(node, 13)) {
    require(node, node.has_attr("axes"), "attribute 'axes' is required");
    axes = node.attr_ints("axes");
  } else {
    require(node, axes_in != nullptr, "input 'axes' is required");
    axes = int_list(node, *axes_in, "axes");
  }
  const int64_t out_rank = static_cast<int64_t>(input.size() + axes.size());
  const std::vector<bool> inserted = axis_set(node, axes, out_rank);
  Shape out;
  size_t next = 0;
  for (int64_t i = 0; i < out_rank; ++i) out.push_back(inserted[i] ? 1 : input[next++]);
  return out;
}

Shape reshaped_shape(const Node& node, const Shape& input, const Tensor& shape) {
  const std::vector<int64_t> dims = int_list(node, shape, "shape");
  const bool allow_zero = node.attr_int("allowzero", 0) != 0;
  Shape out;
  int64_t inferred = -1;
  bool has_zero = false;
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = dims[i];
    require(node, d >= -1, "shape entry " + std::to_string(d) + " is invalid");
    if (d == -1) {
      require(node, inferred < 0, "shape " + shape_str(dims) + " has more than one -1");
      inferred = static_cast<int64_t>(i);
      out.push_back(1);
    } else if (d == 0 && !allow_zero) {
      require(node, i < input.size(), "shape entry " + std::to_string(i) + " is 0 but the input has rank " +
                                          std::to_string(input.size()));
      out.push_back(input[i]);
    } else {
      has_zero = has_zero || d == 0;
      out.push_back(d);
    }
  }
  require(node, !(has_zero && inferred >= 0), "shape " + shape_str(dims) + " has both 0 and -1 with allowzero = 1");
  const int64_t numel = shape_numel(input);
  const int64_t known = checked_numel(node, out);
  if (inferred >= 0) {
    require(node, known != 0 && numel % known == 0,
            "cannot reshape " + shape_str(input) + " to " + shape_str(dims));
    out[inferred] = numel / known;
  }
  require(node, checked_numel(node, out) == numel, "cannot reshape " + shape_str(input) + " to " + shape_str(out));
  return out;
}

Shape expanded_shape(const Node& node, const Shape& input, const Tensor& shape) {
  const std::vector<int64_t> dims = int_list(node, shape, "shape");
  for (int64_t d : dims) require(node, d >= 0, "shape " + shape_str(dims) + " has a negative dim");
  return broadcast_shapes(input, dims, node.label());
}

Shape flattened_shape(const Node& node, const Shape& input) {
  const int64_t rank = static_cast<int64_t>(input.size());
  int64_t axis = node.attr_int("axis", 1);
  require(node, axis >= -rank && axis <= rank,
          "axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  if (axis < 0) axis += rank;
  const Shape outer(input.begin(), input.begin() + axis), inner(input.begin() + axis, input.end());
  return {shape_numel(outer), shape_numel(inner)};
}

std::pair<int64_t, int64_t> shape_range(const Node& node, int64_t rank) {
  auto resolve = [rank](int64_t v) { return clamp(v < 0 ? v + rank : v, 0, rank); };
  const int64_t start = resolve(node.attr_int("start", 0));
  const int64_t end = resolve(node.attr_int("end", rank));
  return {start, std::max(start, end)};
}

void check_dropout_inference(const Node& node, const Tensor* ratio_in, const Tensor* training_mode) {
  double ratio = 0.5;
  if (opset_before(node, 12)) {
    ratio = node.attr_float("ratio", 0.5f);
  } else if (ratio_in) {
    require(node, ratio_in->numel() == 1, "ratio must be a scalar, has shape " + shape_str(ratio_in->shape()));
    if (ratio_in->dtype() == DType::Float32) ratio = ratio_in->data<float>()[0];
    else if (ratio_in->dtype() == DType::Float64) ratio = ratio_in->data<double>()[0];
    else require(node, false, std::string("ratio must be a float, is ") + dtype_name(ratio_in->dtype()));
  }
  require(node, ratio >= 0 && ratio < 1, "ratio must be in [0, 1), is " + std::to_string(ratio));
  if (opset_before(node, 12) || !training_mode) return;
  require(node, training_mode->numel() == 1 && training_mode->dtype() == DType::Bool,
          "training_mode must be a bool scalar");
  if (training_mode->data<bool>()[0] && ratio > 0)
    throw UnsupportedError(node.label() + ": training mode is not supported (Octet runs inference only)");
}

Tensor constant_value(const Node& node) {
  static const char* const kForms[] = {"value", "value_float", "value_floats", "value_int", "value_ints"};
  int forms = 0;
  for (const char* f : kForms) forms += node.has_attr(f) ? 1 : 0;
  for (const char* f : {"sparse_value", "value_string", "value_strings"})
    if (node.has_attr(f)) throw UnsupportedError(node.label() + ": attribute '" + f + "' is not supported");
  require(node, forms == 1, "exactly one value attribute must be given, found " + std::to_string(forms));
  if (node.has_attr("value")) return node.attr_tensor("value");
  if (node.has_attr("value_float")) return Tensor::scalar<float>(node.attr_float("value_float", 0));
  if (node.has_attr("value_int")) return Tensor::scalar<int64_t>(node.attr_int("value_int", 0));
  if (node.has_attr("value_floats")) {
    std::vector<float> v = node.attr_floats("value_floats");
    return Tensor::from<float>({static_cast<int64_t>(v.size())}, v);
  }
  std::vector<int64_t> v = node.attr_ints("value_ints");
  return Tensor::from<int64_t>({static_cast<int64_t>(v.size())}, v);
}

}  // namespace octet::graph
