#include "graph/shape_inference.h"

#include <algorithm>

#include "graph/error.h"
#include "graph/quant_scales.h"

namespace octet::graph {

InferContext::InferContext(const Node& n, std::vector<TensorInfo> inputs, std::vector<const Tensor*> values)
    : node(n), outputs(n.outputs.size()), output_values(n.outputs.size()),
      inputs_(std::move(inputs)), values_(std::move(values)) {}

const TensorInfo& InferContext::input(size_t i) const {
  require(has_input(i), "input " + std::to_string(i) + " is required but missing");
  return inputs_[i];
}

const Tensor& InferContext::constant(size_t i) const {
  input(i);
  if (!is_constant(i))
    throw NeedsConstantError(node.label() + ": input " + std::to_string(i) + " ('" + node.input(i) +
                                 "') must be a constant (an initializer or computable from shapes)",
                             node.input(i));
  return *values_[i];
}

void InferContext::set_output(size_t i, DType dtype, Shape shape) {
  if (i >= outputs.size()) return;  // an optional output the model does not use
  shape_numel(shape);               // rejects negative dims and overflow
  outputs[i] = {dtype, std::move(shape)};
}

void InferContext::set_output_value(size_t i, Tensor value) {
  if (i >= outputs.size()) return;
  outputs[i] = {value.dtype(), value.shape()};
  output_values[i] = std::move(value);
}

void InferContext::require(bool condition, const std::string& message) const {
  if (!condition) throw FormatError(node.label() + ": " + message);
}

void InferContext::require_rank(size_t i, size_t rank) const {
  const auto& s = input(i).shape;
  require(s.size() == rank, "input " + std::to_string(i) + " must have rank " + std::to_string(rank) +
                                ", has shape " + shape_str(s));
}

void InferContext::require_dtype(size_t i, DType dtype) const {
  require(input(i).dtype == dtype, "input " + std::to_string(i) + " must be " + dtype_name(dtype) +
                                       ", is " + dtype_name(input(i).dtype));
}

ShapeRule find_shape_rule(const std::string& op_type) {
  static const ShapeRuleTable table = [] {
    ShapeRuleTable t;
    add_nn_shape_rules(t);
    add_elementwise_shape_rules(t);
    add_layout_shape_rules(t);
    add_recurrent_shape_rules(t);
    add_quant_shape_rules(t);
    add_qelementwise_shape_rules(t);
    add_qnn_shape_rules(t);
    add_qdynamic_shape_rules(t);
    add_qrecurrent_shape_rules(t);
    add_qnhwc_shape_rules(t);
    return t;
  }();
  auto it = table.find(op_type);
  return it == table.end() ? nullptr : it->second;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& where) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      throw FormatError(where + ": shapes " + shape_str(a) + " and " + shape_str(b) + " do not broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

void require_flag(const InferContext& ctx, const char* key) {
  const int64_t v = ctx.node.attr_int(key, 0);
  ctx.require(v == 0 || v == 1, std::string(key) + " must be 0 or 1, is " + std::to_string(v));
}

GemmShape gemm_shape(const InferContext& ctx, size_t a, size_t b) {
  ctx.require_rank(a, 2);
  ctx.require_rank(b, 2);
  require_flag(ctx, "transA");
  require_flag(ctx, "transB");
  const Shape& sa = ctx.input(a).shape;
  const Shape& sb = ctx.input(b).shape;
  const bool ta = ctx.node.attr_int("transA", 0) == 1, tb = ctx.node.attr_int("transB", 0) == 1;
  const int64_t K = ta ? sa[0] : sa[1], Kb = tb ? sb[1] : sb[0];
  ctx.require(K == Kb, "A " + shape_str(sa) + " and B " + shape_str(sb) +
                           " differ in the inner dimension (after transA/transB)");
  return {ta ? sa[1] : sa[0], tb ? sb[0] : sb[1]};
}

int64_t normalize_axis(int64_t axis, int64_t rank, const std::string& where) {
  if (axis < -rank || axis >= rank)
    throw FormatError(where + ": axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

namespace {

bool all_inputs_constant(const Node& n, const Graph& g) {
  for (const auto& in : n.inputs)
    if (!in.empty() && !g.is_initializer(in)) return false;
  return true;
}

}  // namespace

std::map<std::string, TensorInfo> infer_shapes(Graph& g, const std::map<std::string, TensorInfo>& inputs,
                                               const NodeEvaluator* fold) {
  std::map<std::string, TensorInfo> infos = inputs;
  for (const auto& kv : g.initializers) infos[kv.first] = {kv.second.dtype(), kv.second.shape()};
  std::vector<Node> kept;
  kept.reserve(g.nodes.size());
  for (auto& node : g.nodes) {
    node.opset = g.opset;
    ShapeRule rule = find_shape_rule(op_key(node));
    if (!rule) throw UnsupportedError(node.label() + ": operator '" + op_key(node) + "' is not supported");
    std::vector<TensorInfo> in_infos(node.inputs.size());
    std::vector<const Tensor*> values(node.inputs.size(), nullptr);
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const std::string& name = node.inputs[i];
      if (name.empty()) continue;
      auto it = infos.find(name);
      if (it == infos.end()) throw FormatError(node.label() + ": input '" + name + "' has no known shape");
      in_infos[i] = it->second;
      auto init = g.initializers.find(name);
      if (init != g.initializers.end()) values[i] = &init->second;
    }
    InferContext ctx(node, in_infos, values);
    rule(ctx);
    check_constant_scales(ctx);
    bool known_values = true;
    for (size_t i = 0; i < node.outputs.size(); ++i) {
      if (node.outputs[i].empty()) continue;
      if (ctx.outputs[i].dtype == DType::Undefined)
        throw Error(node.label() + ": shape rule left output " + std::to_string(i) + " undefined");
      infos[node.outputs[i]] = ctx.outputs[i];
      if (!ctx.output_values[i]) known_values = false;
    }
    if (fold && known_values) {
      for (size_t i = 0; i < node.outputs.size(); ++i)
        if (!node.outputs[i].empty()) g.initializers[node.outputs[i]] = *ctx.output_values[i];
      continue;
    }
    if (fold && all_inputs_constant(node, g)) {
      std::vector<Tensor> outs = (*fold)(node, values, ctx.outputs);
      for (size_t i = 0; i < node.outputs.size() && i < outs.size(); ++i)
        if (!node.outputs[i].empty()) g.initializers[node.outputs[i]] = std::move(outs[i]);
      continue;
    }
    kept.push_back(std::move(node));
  }
  g.nodes = std::move(kept);
  return infos;
}

}  // namespace octet::graph
