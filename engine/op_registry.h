#pragma once
// The FP32 reference ops: one function per ONNX op type, bound to nodes at
// plan time. An op reads its inputs and attributes and fills outputs that
// the session has already allocated with the shapes shape inference gave.
#include <map>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace octet::engine {

using graph::Tensor;

class OpContext {
 public:
  OpContext(const graph::Node& node, std::vector<const Tensor*> inputs, std::vector<Tensor*> outputs)
      : node(node), inputs_(std::move(inputs)), outputs_(std::move(outputs)) {}

  const graph::Node& node;
  size_t num_inputs() const { return inputs_.size(); }
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i] != nullptr; }
  const Tensor& input(size_t i) const;  // throws when omitted
  size_t num_outputs() const { return outputs_.size(); }
  bool has_output(size_t i) const { return i < outputs_.size() && outputs_[i] != nullptr; }
  Tensor& output(size_t i) const;  // throws when not requested

 private:
  std::vector<const Tensor*> inputs_;
  std::vector<Tensor*> outputs_;
};

using OpFn = void (*)(OpContext&);
using OpTable = std::map<std::string, OpFn>;  // keyed by op_type

// The op for a default-domain op type, or nullptr.
OpFn find_op(const std::string& op_type);

// Each op family registers its ops (engine/ops/<family>.cpp).
void add_nn_ops(OpTable& t);
void add_elementwise_ops(OpTable& t);
void add_layout_ops(OpTable& t);
void add_recurrent_ops(OpTable& t);
void add_quant_ops(OpTable& t);

}  // namespace octet::engine
