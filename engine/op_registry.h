#pragma once
// The FP32 reference ops: one function per ONNX op type, bound to nodes at
// plan time. An op reads its inputs and attributes and fills outputs that
// the session has already allocated with the shapes shape inference gave.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/shape_inference.h"
#include "kernels/isa.h"

namespace octet::engine {

using graph::Tensor;
class ThreadPool;

// A prepared op's working memory (quantized copies, transposed layouts,
// kernel scratch), kept by each run context across its runs, so that one
// prepared plan can run in several threads at once.
class OpScratch {
 public:
  virtual ~OpScratch() = default;
};
template <class T> struct ScratchOf final : OpScratch {
  T value;
};

class OpContext {
 public:
  OpContext(const graph::Node& node, std::vector<const Tensor*> inputs, std::vector<Tensor*> outputs)
      : node(node), inputs_(std::move(inputs)), outputs_(std::move(outputs)) {}

  const graph::Node& node;
  // The session's threads, for ops that split their work; null (or one
  // thread) runs single-threaded. Any split must give the same bytes.
  ThreadPool* pool = nullptr;
  size_t num_inputs() const { return inputs_.size(); }
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i] != nullptr; }
  const Tensor& input(size_t i) const;  // throws when omitted
  size_t num_outputs() const { return outputs_.size(); }
  bool has_output(size_t i) const { return i < outputs_.size() && outputs_[i] != nullptr; }
  Tensor& output(size_t i) const;  // throws when not requested

  // The running context's T for this node: made (default-constructed) at
  // its first use and kept, with what it holds, for the context's later runs.
  template <class T> T& scratch() const {
    std::unique_ptr<OpScratch>& slot = scratch_slot ? *scratch_slot : own_scratch_;
    auto* s = dynamic_cast<ScratchOf<T>*>(slot.get());
    if (!s) {
      slot = std::make_unique<ScratchOf<T>>();
      s = static_cast<ScratchOf<T>*>(slot.get());
    }
    return s->value;
  }
  // Where the session keeps this node's scratch for the running context;
  // null keeps it in this OpContext (for one call).
  std::unique_ptr<OpScratch>* scratch_slot = nullptr;

 private:
  mutable std::unique_ptr<OpScratch> own_scratch_;
  std::vector<const Tensor*> inputs_;
  std::vector<Tensor*> outputs_;
};

using OpFn = void (*)(OpContext&);
using OpTable = std::map<std::string, OpFn>;  // keyed by graph::op_key

// The op for an op_key, or nullptr.
OpFn find_op(const std::string& key);

// Each op family registers its ops (engine/ops/<family>.cpp).
void add_nn_ops(OpTable& t);
void add_elementwise_ops(OpTable& t);
void add_layout_ops(OpTable& t);
void add_recurrent_ops(OpTable& t);
void add_quant_ops(OpTable& t);
// ONNX Runtime's quantized contrib ops (domain com.microsoft), keyed
// "com.microsoft:QLinearAdd" and so on.
void add_qelementwise_ops(OpTable& t);  // engine/ops/qelementwise.cpp
void add_qnn_ops(OpTable& t);           // engine/ops/qnn.cpp
void add_qdynamic_ops(OpTable& t);      // engine/ops/qdynamic.cpp
void add_qrecurrent_ops(OpTable& t);    // engine/ops/qrecurrent.cpp
void add_qnhwc_ops(OpTable& t);         // engine/ops/qnhwc.cpp: channels-last QLinearConv, NhwcMaxPool

// Ops with state: prepared once per plan (weights prepacked for the ISA,
// requantization multipliers and folded zero-point terms computed), then
// run many times with no allocation of that state. A prepare function
// returns nullptr when it cannot take the node (weights not constant, a
// dtype or zero-point combination its kernels do not cover); the session
// then runs the plain OpFn, so a model never fails for want of a fast path.
// run is const: several run contexts (threads) may run one prepared op at
// once, each with its own ctx.scratch<T>() for what changes per run.
class PreparedOp {
 public:
  virtual ~PreparedOp() = default;
  virtual void run(OpContext& ctx) const = 0;
  // Constant inputs (by index) the op copied into its own layout at prepare
  // and never reads at run: the session releases their pages of a mapped
  // .octet file (graph::release_mapped_pages), so weights are not resident twice.
  std::vector<size_t> packed_inputs;
};

struct PrepareContext {
  const graph::Node& node;
  std::vector<const Tensor*> constants;  // per input: its value when constant, else nullptr
  std::vector<graph::TensorInfo> inputs;
  std::vector<graph::TensorInfo> outputs;
  kernels::Isa isa;
};

using PrepareFn = std::unique_ptr<PreparedOp> (*)(const PrepareContext&);
using PrepareTable = std::map<std::string, PrepareFn>;

PrepareFn find_prepare(const std::string& key);
void add_quant_prepares(PrepareTable& t);
void add_qelementwise_prepares(PrepareTable& t);
void add_qnn_prepares(PrepareTable& t);
void add_qdynamic_prepares(PrepareTable& t);
void add_qrecurrent_prepares(PrepareTable& t);
void add_qnhwc_prepares(PrepareTable& t);
void add_conv_prepares(PrepareTable& t);  // engine/ops/conv_prepared.cpp: FP32 Conv, weights prepacked

}  // namespace octet::engine
