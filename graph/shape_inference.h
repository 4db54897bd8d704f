#pragma once
// Shape inference: one rule per op type computes output dtypes and shapes
// from input dtypes, shapes, attributes and (where an op needs them, as
// Reshape's target shape) constant input values. Shapes here are concrete:
// the session infers for the input shapes it is actually given.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph/error.h"
#include "graph/graph.h"

namespace octet::graph {

// Thrown when a shape rule needs the value of an input that is not a
// constant. `value` names it, so a caller that can supply the value (the
// session, for integer graph inputs such as a shape) may plan again with it.
class NeedsConstantError : public UnsupportedError {
 public:
  NeedsConstantError(const std::string& what, std::string value_name)
      : UnsupportedError(what), value(std::move(value_name)) {}
  std::string value;
};

struct TensorInfo {
  DType dtype = DType::Undefined;
  Shape shape;
};

class InferContext {
 public:
  InferContext(const Node& node, std::vector<TensorInfo> inputs, std::vector<const Tensor*> values);

  const Node& node;
  size_t num_inputs() const { return inputs_.size(); }
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i].dtype != DType::Undefined; }
  // Throws octet::FormatError naming the node when the input is omitted.
  const TensorInfo& input(size_t i) const;
  // The input's value; throws octet::UnsupportedError when it is not a
  // constant (Octet needs e.g. Reshape's shape at plan time).
  const Tensor& constant(size_t i) const;
  bool is_constant(size_t i) const { return i < values_.size() && values_[i] != nullptr; }

  void set_output(size_t i, DType dtype, Shape shape);
  // For ops whose result is known from shapes alone (Shape, Size): the
  // output becomes a constant and the node is folded away.
  void set_output_value(size_t i, Tensor value);

  // Checks (throw octet::FormatError "<node label>: <message>").
  void require(bool condition, const std::string& message) const;
  void require_rank(size_t input, size_t rank) const;
  void require_dtype(size_t input, DType dtype) const;

  std::vector<TensorInfo> outputs;
  std::vector<std::optional<Tensor>> output_values;

 private:
  std::vector<TensorInfo> inputs_;
  std::vector<const Tensor*> values_;
};

using ShapeRule = void (*)(InferContext&);
using ShapeRuleTable = std::map<std::string, ShapeRule>;  // keyed by op_key (graph.h)

// The rule for an op_key, or nullptr when Octet has none.
ShapeRule find_shape_rule(const std::string& key);

// Each op family registers its rules (shapes_<family>.cpp).
void add_nn_shape_rules(ShapeRuleTable& t);
void add_elementwise_shape_rules(ShapeRuleTable& t);
void add_layout_shape_rules(ShapeRuleTable& t);
void add_recurrent_shape_rules(ShapeRuleTable& t);
void add_quant_shape_rules(ShapeRuleTable& t);
// ONNX Runtime's quantized contrib ops (domain com.microsoft).
void add_qelementwise_shape_rules(ShapeRuleTable& t);  // QLinearAdd, QLinearMul, QLinearConcat, LUT ops
void add_qnn_shape_rules(ShapeRuleTable& t);           // QGemm, QLinear(Global)AveragePool
void add_qdynamic_shape_rules(ShapeRuleTable& t);      // DynamicQuantizeMatMul, MatMulIntegerToFloat
void add_qrecurrent_shape_rules(ShapeRuleTable& t);    // DynamicQuantizeLSTM
void add_qnhwc_shape_rules(ShapeRuleTable& t);         // QLinearConv channels_last, NhwcMaxPool

// Shared shape arithmetic.
Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& where);
// Maps a possibly negative axis into [0, rank); throws naming `where`.
int64_t normalize_axis(int64_t axis, int64_t rank, const std::string& where);
// An attribute that must be 0 or 1 (absent: 0).
void require_flag(const InferContext& ctx, const char* key);
// Gemm's output dims from 2-D inputs a and b after transA / transB (both
// checked as flags); the inner dims must agree.
struct GemmShape {
  int64_t M = 0, N = 0;
};
GemmShape gemm_shape(const InferContext& ctx, size_t a, size_t b);

// Evaluates one node on constant inputs (the engine's reference ops), so
// this pass can fold constants without graph/ knowing any kernel.
using NodeEvaluator = std::function<std::vector<Tensor>(
    const Node&, const std::vector<const Tensor*>&, const std::vector<TensorInfo>&)>;

// Infers the dtype and shape of every value in the (topologically sorted)
// graph for the given graph-input infos. When `fold` is given, nodes whose
// inputs are all constant, or whose outputs follow from shapes alone, are
// evaluated, removed, and their outputs become initializers.
std::map<std::string, TensorInfo> infer_shapes(Graph& g, const std::map<std::string, TensorInfo>& inputs,
                                               const NodeEvaluator* fold);

}  // namespace octet::graph
