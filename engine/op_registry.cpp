#include "engine/op_registry.h"

#include "graph/error.h"

namespace octet::engine {

const Tensor& OpContext::input(size_t i) const {
  if (!has_input(i)) throw FormatError(node.label() + ": input " + std::to_string(i) + " is required but missing");
  return *inputs_[i];
}

Tensor& OpContext::output(size_t i) const {
  if (!has_output(i)) throw Error(node.label() + ": output " + std::to_string(i) + " was not allocated");
  return *outputs_[i];
}

OpFn find_op(const std::string& op_type) {
  static const OpTable table = [] {
    OpTable t;
    add_nn_ops(t);
    add_elementwise_ops(t);
    add_layout_ops(t);
    add_recurrent_ops(t);
    add_quant_ops(t);
    add_qelementwise_ops(t);
    add_qnn_ops(t);
    add_qdynamic_ops(t);
    add_qrecurrent_ops(t);
    add_qnhwc_ops(t);
    return t;
  }();
  auto it = table.find(op_type);
  return it == table.end() ? nullptr : it->second;
}

PrepareFn find_prepare(const std::string& op_type) {
  static const PrepareTable table = [] {
    PrepareTable t;
    add_quant_prepares(t);
    add_qelementwise_prepares(t);
    add_qnn_prepares(t);
    add_qdynamic_prepares(t);
    add_qrecurrent_prepares(t);
    add_qnhwc_prepares(t);
    add_conv_prepares(t);
    return t;
  }();
  auto it = table.find(op_type);
  return it == table.end() ? nullptr : it->second;
}

}  // namespace octet::engine
