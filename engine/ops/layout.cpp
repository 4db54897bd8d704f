// The data-movement ops: byte copies, so every dtype works. Shapes were
// checked by the shape rules (graph/shapes_layout.cpp); the geometry is
// resolved again here through the same graph/layout_attrs helpers.
#include <algorithm>
#include <cstring>

#include "engine/op_registry.h"
#include "graph/error.h"
#include "graph/layout_attrs.h"
#include "graph/shape_inference.h"
#include "kernels/ref/strided_copy.h"

namespace octet::engine {

namespace {

using graph::DType;
using graph::Shape;
using kernels::dense_strides;
using kernels::strided_copy;

const Tensor* optional_input(const OpContext& ctx, size_t i) { return ctx.has_input(i) ? &ctx.input(i) : nullptr; }

uint8_t* bytes(Tensor& t) { return static_cast<uint8_t*>(t.raw()); }
const uint8_t* bytes(const Tensor& t) { return static_cast<const uint8_t*>(t.raw()); }

void check_output(const OpContext& ctx, const Tensor& out, const Shape& expected) {
  if (out.shape() != expected)
    throw Error(ctx.node.label() + ": output allocated as " + graph::shape_str(out.shape()) + ", computed " +
                graph::shape_str(expected));
}

// Reshape, Flatten, Squeeze, Unsqueeze and Identity only relabel the dims.
void copy_op(OpContext& ctx) {
  const Tensor& in = ctx.input(0);
  Tensor& out = ctx.output(0);
  if (out.dtype() != in.dtype() || out.nbytes() != in.nbytes())
    throw Error(ctx.node.label() + ": output allocated as " + graph::shape_str(out.shape()) + " for input " +
                graph::shape_str(in.shape()));
  if (in.nbytes() > 0) std::memcpy(out.raw(), in.raw(), in.nbytes());
}

void concat_op(OpContext& ctx) {
  Tensor& out = ctx.output(0);
  const size_t axis = static_cast<size_t>(graph::concat_axis(ctx.node, out.rank()));
  const std::vector<int64_t> out_strides = dense_strides(out.shape());
  const size_t elem = graph::dtype_size(out.dtype());
  int64_t offset = 0;  // elements into out where the next input starts
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor& in = ctx.input(i);
    strided_copy(bytes(out) + offset * elem, out_strides, in.raw(), dense_strides(in.shape()), in.shape(), elem);
    offset += in.dim(axis) * out_strides[axis];
  }
}

void split_op(OpContext& ctx) {
  const Tensor& in = ctx.input(0);
  const size_t axis = static_cast<size_t>(graph::split_axis(ctx.node, in.rank()));
  const std::vector<int64_t> in_strides = dense_strides(in.shape());
  const size_t elem = graph::dtype_size(in.dtype());
  int64_t offset = 0;
  for (size_t i = 0; i < ctx.num_outputs(); ++i) {
    if (!ctx.has_output(i)) {
      // An unused output still occupies its part of the input; its size is
      // only known from the split sizes.
      const Tensor* split = graph::opset_before(ctx.node, 13) ? nullptr : optional_input(ctx, 1);
      offset += graph::split_sizes(ctx.node, in.shape(), split)[i] * in_strides[axis];
      continue;
    }
    Tensor& out = ctx.output(i);
    strided_copy(out.raw(), dense_strides(out.shape()), bytes(in) + offset * elem, in_strides, out.shape(), elem);
    offset += out.dim(axis) * in_strides[axis];
  }
}

void transpose_op(OpContext& ctx) {
  const Tensor& in = ctx.input(0);
  Tensor& out = ctx.output(0);
  const std::vector<int64_t> perm = graph::transpose_perm(ctx.node, in.rank());
  const std::vector<int64_t> in_strides = dense_strides(in.shape());
  std::vector<int64_t> src_strides;
  Shape shape;
  for (int64_t p : perm) {
    src_strides.push_back(in_strides[p]);
    shape.push_back(in.dim(p));
  }
  check_output(ctx, out, shape);
  strided_copy(out.raw(), dense_strides(shape), in.raw(), src_strides, shape, graph::dtype_size(in.dtype()));
}

void slice_op(OpContext& ctx) {
  const Tensor& in = ctx.input(0);
  Tensor& out = ctx.output(0);
  const graph::SliceSpec spec = graph::resolve_slice(ctx.node, in.shape(), optional_input(ctx, 1),
                                                     optional_input(ctx, 2), optional_input(ctx, 3),
                                                     optional_input(ctx, 4));
  check_output(ctx, out, spec.out);
  if (out.numel() == 0) return;
  const std::vector<int64_t> in_strides = dense_strides(in.shape());
  std::vector<int64_t> src_strides(in.rank());
  int64_t first = 0;
  for (size_t d = 0; d < in.rank(); ++d) {
    first += spec.start[d] * in_strides[d];
    src_strides[d] = spec.step[d] * in_strides[d];
  }
  const size_t elem = graph::dtype_size(in.dtype());
  strided_copy(out.raw(), dense_strides(spec.out), bytes(in) + first * elem, src_strides, spec.out, elem);
}

void expand_op(OpContext& ctx) {
  const Tensor& in = ctx.input(0);
  Tensor& out = ctx.output(0);
  const size_t lead = out.rank() - in.rank();  // the shape rule made out.rank() >= in.rank()
  const std::vector<int64_t> in_strides = dense_strides(in.shape());
  std::vector<int64_t> src_strides(out.rank(), 0);
  for (size_t d = 0; d < in.rank(); ++d) src_strides[lead + d] = in.dim(d) == 1 ? 0 : in_strides[d];
  strided_copy(out.raw(), dense_strides(out.shape()), in.raw(), src_strides, out.shape(),
               graph::dtype_size(in.dtype()));
}

void gather_op(OpContext& ctx) {
  const Tensor& data = ctx.input(0);
  const Tensor& indices = ctx.input(1);
  Tensor& out = ctx.output(0);
  const int64_t axis = graph::normalize_axis(ctx.node.attr_int("axis", 0), static_cast<int64_t>(data.rank()),
                                             ctx.node.label());
  const int64_t extent = data.dim(axis);
  std::vector<int64_t> rows = indices.to_int64();
  for (int64_t& r : rows) {
    if (r < -extent || r >= extent)
      throw FormatError(ctx.node.label() + ": index " + std::to_string(r) + " is out of range for axis " +
                        std::to_string(axis) + " of size " + std::to_string(extent));
    if (r < 0) r += extent;
  }
  const Shape& s = data.shape();
  const int64_t outer = graph::shape_numel(Shape(s.begin(), s.begin() + axis));
  const int64_t inner = graph::shape_numel(Shape(s.begin() + axis + 1, s.end()));
  if (out.numel() == 0) return;
  kernels::gather_rows(out.raw(), data.raw(), outer, extent, rows.data(), static_cast<int64_t>(rows.size()),
                       static_cast<size_t>(inner) * graph::dtype_size(data.dtype()));
}

void shape_op(OpContext& ctx) {
  const Shape& dims = ctx.input(0).shape();
  const auto range = graph::shape_range(ctx.node, static_cast<int64_t>(dims.size()));
  Tensor& out = ctx.output(0);
  check_output(ctx, out, {range.second - range.first});
  for (int64_t i = range.first; i < range.second; ++i) out.data<int64_t>()[i - range.first] = dims[i];
}

void constant_op(OpContext& ctx) {
  const Tensor value = graph::constant_value(ctx.node);
  Tensor& out = ctx.output(0);
  check_output(ctx, out, value.shape());
  if (value.nbytes() > 0) std::memcpy(out.raw(), value.raw(), value.nbytes());
}

void fill_ones(Tensor& t) {
  switch (t.dtype()) {
    case DType::Bool: std::fill_n(t.data<bool>(), t.numel(), true); break;
    case DType::Float32: std::fill_n(t.data<float>(), t.numel(), 1.0f); break;
    case DType::Float64: std::fill_n(t.data<double>(), t.numel(), 1.0); break;
    default: throw UnsupportedError(std::string("Dropout mask of dtype ") + graph::dtype_name(t.dtype()));
  }
}

void dropout_op(OpContext& ctx) {
  graph::check_dropout_inference(ctx.node, optional_input(ctx, 1), optional_input(ctx, 2));
  copy_op(ctx);
  if (ctx.has_output(1)) fill_ones(ctx.output(1));  // every element kept
}

}  // namespace

void add_layout_ops(OpTable& t) {
  t["Concat"] = concat_op;
  t["Split"] = split_op;
  t["Flatten"] = copy_op;
  t["Reshape"] = copy_op;
  t["Transpose"] = transpose_op;
  t["Squeeze"] = copy_op;
  t["Unsqueeze"] = copy_op;
  t["Slice"] = slice_op;
  t["Gather"] = gather_op;
  t["Expand"] = expand_op;
  t["Shape"] = shape_op;
  t["Constant"] = constant_op;
  t["Identity"] = copy_op;
  t["Dropout"] = dropout_op;
}

}  // namespace octet::engine
