// Shape rules of the data-movement ops. Their outputs keep the input's
// dtype (any dtype: the ops copy bytes). Shape and Constant set their
// output values, so they fold away, and with them the shape arithmetic
// (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) that exporters emit.
#include "graph/elementwise_attrs.h"
#include "graph/layout_attrs.h"
#include "graph/shape_inference.h"

namespace octet::graph {

namespace {

// Input i's value when given (Squeeze's axes, Slice's steps), else nullptr.
const Tensor* optional_constant(const InferContext& ctx, size_t i) {
  return ctx.has_input(i) ? &ctx.constant(i) : nullptr;
}

void same_as_input(InferContext& ctx) { ctx.set_output(0, ctx.input(0).dtype, ctx.input(0).shape); }

void concat_rule(InferContext& ctx) {
  const TensorInfo& first = ctx.input(0);
  const int64_t axis = concat_axis(ctx.node, first.shape.size());
  Shape out = first.shape;
  out[axis] = 0;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const TensorInfo& in = ctx.input(i);
    ctx.require(in.dtype == first.dtype, "input " + std::to_string(i) + " is " + dtype_name(in.dtype) +
                                             ", input 0 is " + dtype_name(first.dtype));
    bool fits = in.shape.size() == out.size();
    for (size_t d = 0; fits && d < out.size(); ++d) fits = d == static_cast<size_t>(axis) || in.shape[d] == out[d];
    ctx.require(fits, "input " + std::to_string(i) + " of shape " + shape_str(in.shape) +
                          " does not match input 0 of shape " + shape_str(first.shape) + " off axis " +
                          std::to_string(axis));
    out[axis] += in.shape[axis];
  }
  ctx.set_output(0, first.dtype, out);
}

void split_rule(InferContext& ctx) {
  const TensorInfo& in = ctx.input(0);
  const Tensor* split = opset_before(ctx.node, 13) ? nullptr : optional_constant(ctx, 1);
  const std::vector<int64_t> sizes = split_sizes(ctx.node, in.shape, split);
  const int64_t axis = split_axis(ctx.node, in.shape.size());
  for (size_t i = 0; i < sizes.size(); ++i) {
    Shape out = in.shape;
    out[axis] = sizes[i];
    ctx.set_output(i, in.dtype, out);
  }
}

void flatten_rule(InferContext& ctx) {
  ctx.set_output(0, ctx.input(0).dtype, flattened_shape(ctx.node, ctx.input(0).shape));
}

void reshape_rule(InferContext& ctx) {
  ctx.set_output(0, ctx.input(0).dtype, reshaped_shape(ctx.node, ctx.input(0).shape, ctx.constant(1)));
}

void transpose_rule(InferContext& ctx) {
  const TensorInfo& in = ctx.input(0);
  const std::vector<int64_t> perm = transpose_perm(ctx.node, in.shape.size());
  Shape out;
  for (int64_t p : perm) out.push_back(in.shape[p]);
  ctx.set_output(0, in.dtype, out);
}

void squeeze_rule(InferContext& ctx) {
  const Tensor* axes = opset_before(ctx.node, 13) ? nullptr : optional_constant(ctx, 1);
  ctx.set_output(0, ctx.input(0).dtype, squeezed_shape(ctx.node, ctx.input(0).shape, axes));
}

void unsqueeze_rule(InferContext& ctx) {
  const Tensor* axes = opset_before(ctx.node, 13) ? nullptr : &ctx.constant(1);
  ctx.set_output(0, ctx.input(0).dtype, unsqueezed_shape(ctx.node, ctx.input(0).shape, axes));
}

void slice_rule(InferContext& ctx) {
  const TensorInfo& in = ctx.input(0);
  SliceSpec spec;
  if (opset_before(ctx.node, 10)) {
    spec = resolve_slice(ctx.node, in.shape, nullptr, nullptr, nullptr, nullptr);
  } else {
    spec = resolve_slice(ctx.node, in.shape, &ctx.constant(1), &ctx.constant(2), optional_constant(ctx, 3),
                         optional_constant(ctx, 4));
  }
  ctx.set_output(0, in.dtype, spec.out);
}

void gather_rule(InferContext& ctx) {
  const TensorInfo& data = ctx.input(0);
  const TensorInfo& indices = ctx.input(1);
  ctx.require(indices.dtype == DType::Int64 || indices.dtype == DType::Int32,
              std::string("indices must be int64 or int32, are ") + dtype_name(indices.dtype));
  ctx.require(!data.shape.empty(), "data must have rank >= 1");
  const int64_t rank = static_cast<int64_t>(data.shape.size());
  const int64_t axis = normalize_axis(ctx.node.attr_int("axis", 0), rank, ctx.node.label());
  Shape out(data.shape.begin(), data.shape.begin() + axis);
  out.insert(out.end(), indices.shape.begin(), indices.shape.end());
  out.insert(out.end(), data.shape.begin() + axis + 1, data.shape.end());
  ctx.set_output(0, data.dtype, out);
}

void expand_rule(InferContext& ctx) {
  ctx.set_output(0, ctx.input(0).dtype, expanded_shape(ctx.node, ctx.input(0).shape, ctx.constant(1)));
}

void shape_rule(InferContext& ctx) {
  const Shape& dims = ctx.input(0).shape;
  const auto range = shape_range(ctx.node, static_cast<int64_t>(dims.size()));
  const std::vector<int64_t> values(dims.begin() + range.first, dims.begin() + range.second);
  ctx.set_output_value(0, Tensor::from<int64_t>({static_cast<int64_t>(values.size())}, values));
}

void constant_rule(InferContext& ctx) { ctx.set_output_value(0, constant_value(ctx.node)); }

void dropout_rule(InferContext& ctx) {
  const TensorInfo& in = ctx.input(0);
  ctx.set_output(0, in.dtype, in.shape);
  ctx.set_output(1, opset_before(ctx.node, 10) ? in.dtype : DType::Bool, in.shape);
  if (opset_before(ctx.node, 12)) return check_dropout_inference(ctx.node, nullptr, nullptr);
  // Given at run time, the ratio and mode are checked by the op instead.
  const bool known = (!ctx.has_input(1) || ctx.is_constant(1)) && (!ctx.has_input(2) || ctx.is_constant(2));
  if (known) check_dropout_inference(ctx.node, optional_constant(ctx, 1), optional_constant(ctx, 2));
}

}  // namespace

void add_layout_shape_rules(ShapeRuleTable& t) {
  t["Concat"] = concat_rule;
  t["Split"] = split_rule;
  t["Flatten"] = flatten_rule;
  t["Reshape"] = reshape_rule;
  t["Transpose"] = transpose_rule;
  t["Squeeze"] = squeeze_rule;
  t["Unsqueeze"] = unsqueeze_rule;
  t["Slice"] = slice_rule;
  t["Gather"] = gather_rule;
  t["Expand"] = expand_rule;
  t["Shape"] = shape_rule;
  t["Constant"] = constant_rule;
  t["Identity"] = same_as_input;
  t["Dropout"] = dropout_rule;
}

}  // namespace octet::graph
