#pragma once
// The public C++ API: load a model, plan it for the input shapes, run it.
//
//   octet::engine::Session s = octet::engine::Session::from_file("model.onnx");
//   std::vector<octet::graph::Tensor> y = s.run({x});
//
// Errors are thrown as octet::Error (graph/error.h); nothing is printed.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/shape_inference.h"
#include "kernels/isa.h"

namespace octet::engine {

using graph::Tensor;

// How a session plans. The defaults are what running a model wants.
struct SessionOptions {
  // graph::keep_int8_nhwc at planning: INT8 conv chains run channels-last.
  // Values an observer sees inside such a chain are then NHWC and renamed,
  // so tools that inspect every value (compare --per-layer) and tests that
  // compare against the unrewritten graph turn it off.
  bool int8_nhwc = true;
  // Threads a run uses (the caller's included): the heavy kernels split
  // their output rows among them. Outputs are the same for any count.
  int threads = 1;
  // The most bytes a plan's activations may take: every input, value and
  // constant folded at plan time alone, and the activation arena plus the
  // graph outputs together. A model that would need more is refused with
  // octet::FormatError before anything is allocated. 0: the default,
  // max(256 MiB, 64 x the model's weight bytes), generous for real models
  // and a wall for a file crafted to exhaust memory.
  size_t max_activation_bytes = 0;
};

class RunContext;

// Thread safety: one Session::run at a time. To run one loaded model in
// several threads at once, give each thread a RunContext of the session
// (below); the prepared weights are shared, the run state is per context.
class Session {
 public:
  // Loads an ONNX model or a .octet file (told apart by their first bytes)
  // and plans it when its input shapes are static; symbolic dims are
  // planned at the first run.
  static Session from_file(const std::string& path, SessionOptions options = {});
  // The same from a model file's bytes in memory (copied where the model
  // keeps them: the buffer may be freed once this returns).
  static Session from_buffer(const void* data, size_t size, SessionOptions options = {});
  explicit Session(graph::Graph graph, SessionOptions options = {});
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;

  const std::vector<graph::ValueInfo>& inputs() const;
  const std::vector<graph::ValueInfo>& outputs() const;
  // The graph as planned (constants folded, INT8 conv chains rewritten
  // channels-last unless options.int8_nhwc is off) for the most recent shapes.
  const graph::Graph& planned_graph() const;
  // Bytes of the activation arena the current plan places its intermediates
  // in (each run context holds one; graph outputs are separate buffers).
  // 0 before the model is planned.
  size_t arena_bytes() const;

  // The kernel level this session runs (kernels::selected_isa(): the best
  // the CPU has, or OCTET_ISA).
  kernels::Isa isa() const { return isa_; }

  // Inputs in the order of inputs(); outputs in the order of outputs().
  std::vector<Tensor> run(const std::vector<Tensor>& inputs);
  // Sees each value a node produces in this run (names as in
  // planned_graph(); folded constants and graph inputs are not produced),
  // once, right after its node and before the value may be freed. The
  // tensor is only valid during the call. Calibration uses it.
  using ValueObserver = std::function<void(const std::string& value_name, const Tensor& value)>;
  std::vector<Tensor> run(const std::vector<Tensor>& inputs, const ValueObserver& observe);
  std::map<std::string, Tensor> run(const std::map<std::string, Tensor>& inputs);

  const SessionOptions& options() const { return options_; }

  struct Plan;

 private:
  friend class RunContext;
  // The plan for these inputs: the current one, or (under the lock) a new
  // one made for their shapes. Without bind_values (planning at load, on
  // placeholder inputs), a model that needs an input's value to plan stays
  // unplanned until its first run.
  std::shared_ptr<const Plan> plan_for(const std::vector<Tensor>& inputs) const;
  std::unique_ptr<Plan> make_plan(const std::vector<Tensor>& inputs, bool bind_values) const;
  std::unique_ptr<Plan> plan_with_values(const std::vector<Tensor>& inputs,
                                         const std::map<size_t, Tensor>& value_inputs) const;
  std::unique_ptr<class PreparedOp> prepare(const graph::Node& node, const graph::Graph& g,
                                            const std::map<std::string, graph::TensorInfo>& infos) const;
  // The value of options_.max_activation_bytes in force (the default resolved).
  size_t activation_limit() const;
  void check_activation(const std::string& what, const graph::TensorInfo& info) const;
  void check_activations(const Plan& plan) const;
  graph::Graph source_;
  SessionOptions options_;
  size_t weight_bytes_ = 0;  // the model's initializers, for the default limit
  kernels::Isa isa_;
  mutable std::mutex plan_mutex_;
  mutable std::shared_ptr<const Plan> plan_;
  std::unique_ptr<RunContext> own_context_;  // what Session::run uses
};

// One thread's state for running a Session: the values of a run, their
// reused buffers, the prepared ops' scratch and the context's own threads
// (SessionOptions::threads). Contexts of one session run concurrently; each
// context runs one call at a time. The session must outlive its contexts.
class RunContext {
 public:
  explicit RunContext(const Session& session);
  ~RunContext();
  RunContext(const RunContext&) = delete;
  RunContext& operator=(const RunContext&) = delete;

  // As Session::run.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs, const Session::ValueObserver* observe = nullptr);

 private:
  friend class Session;
  RunContext(const Session* session, int threads);  // a session's own context (session_ unused)
  std::vector<Tensor> run_on(const Session& session, const std::vector<Tensor>& inputs,
                             const Session::ValueObserver* observe);
  void use_plan(const Session& session, const std::vector<Tensor>& inputs);
  void grow_arena(size_t bytes);
  void release_value(const Session::Plan& plan, int slot, Tensor& value);
  Tensor output_tensor(const Session::Plan& plan, size_t step, size_t i);
  const Session* session_;
  std::shared_ptr<const Session::Plan> plan_;  // the plan scratch_ belongs to
  std::vector<std::unique_ptr<class OpScratch>> scratch_;  // per step
  std::unique_ptr<class BufferPool> buffers_;  // graph outputs' buffers
  // The intermediates of a run, placed by the plan (engine/arena_plan.h).
  std::shared_ptr<uint8_t> arena_;
  size_t arena_bytes_ = 0;
  std::unique_ptr<class ThreadPool> threads_;  // when threads > 1
};

// "" when `x` fits the declared input `want` (dtype, rank, and every dim
// the model fixes), else what differs, naming the input.
std::string input_mismatch(const graph::ValueInfo& want, const Tensor& x);

// Runs one node with the reference ops on the given inputs (nullptr for an
// omitted input), allocating outputs from `infos`. Constant folding and the
// op tests use it.
std::vector<Tensor> evaluate_node(const graph::Node& node, const std::vector<const Tensor*>& inputs,
                                  const std::vector<graph::TensorInfo>& infos);

}  // namespace octet::engine
