#include "engine/session.h"

#include <sanitizer/asan_interface.h>

#include <algorithm>
#include <cstring>

#include "engine/arena_plan.h"
#include "engine/buffer_pool.h"
#include "engine/op_registry.h"
#include "engine/thread_pool.h"
#include "graph/error.h"
#include "graph/model_file.h"
#include "graph/octet_format.h"
#include "graph/passes.h"

namespace octet::engine {

using graph::DType;
using graph::Shape;
using graph::TensorInfo;

// A plan is the graph folded for one set of input shapes, with every value
// given a slot, every node its op and the point after which each
// intermediate is dropped.
struct Session::Plan {
  struct Step {
    const graph::Node* node;
    OpFn op;
    std::vector<int> inputs;   // slot or -1
    std::vector<int> outputs;  // slot or -1
    std::vector<TensorInfo> output_infos;
    std::vector<int> release;  // slots dead after this step
    std::unique_ptr<PreparedOp> prepared;  // when the op prepares (prepacked weights)
  };
  std::vector<Shape> input_shapes;
  // Integer graph inputs whose values a shape rule needed (a Reshape target
  // fed as an input): planned as constants, replanned when they change.
  std::map<size_t, Tensor> value_inputs;
  graph::Graph graph;
  std::vector<Tensor> constants;  // slot -> value, for initializers
  size_t slot_count = 0;
  std::vector<int> input_slots, output_slots;
  std::vector<Step> steps;
  // Where each intermediate lives in a run context's activation arena
  // (engine/arena_plan.h): slot -> byte offset, kNotInArena for graph
  // inputs, constants and graph outputs (which the caller keeps).
  static constexpr size_t kNotInArena = static_cast<size_t>(-1);
  std::vector<size_t> arena_offsets;
  size_t arena_bytes = 0;
};

namespace {

std::vector<Tensor> allocate_outputs(const std::vector<TensorInfo>& infos) {
  std::vector<Tensor> outs;
  outs.reserve(infos.size());
  for (const auto& info : infos)
    outs.push_back(info.dtype == DType::Undefined ? Tensor() : Tensor(info.dtype, info.shape));
  return outs;
}

void check_input(const graph::ValueInfo& want, const Tensor& got) {
  const std::string problem = input_mismatch(want, got);
  if (!problem.empty()) throw FormatError(problem);
}

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

bool is_integer(DType t) { return t == DType::Int64 || t == DType::Int32; }

// kernels/ cannot know octet::Error; the library's callers get one
// convention, so a bad OCTET_ISA is rethrown as one.
kernels::Isa session_isa() {
  try {
    return kernels::selected_isa();
  } catch (const std::exception& e) {
    throw UnsupportedError(e.what());
  }
}

bool shapes_static(const std::vector<graph::ValueInfo>& values) {
  for (const auto& v : values) {
    if (!v.has_shape) return false;
    for (int64_t d : v.shape)
      if (d < 0) return false;
  }
  return true;
}

}  // namespace

std::string input_mismatch(const graph::ValueInfo& want, const Tensor& got) {
  if (got.empty()) return "input '" + want.name + "' is empty";
  if (want.dtype != DType::Undefined && got.dtype() != want.dtype)
    return "input '" + want.name + "' must be " + graph::dtype_name(want.dtype) + ", got " +
           graph::dtype_name(got.dtype());
  if (!want.has_shape) return "";
  bool ok = want.shape.size() == got.rank();
  for (size_t i = 0; ok && i < want.shape.size(); ++i)
    ok = want.shape[i] < 0 || want.shape[i] == got.dim(i);
  if (!ok)
    return "input '" + want.name + "' must have shape " + graph::shape_str(want.shape) + ", got " +
           graph::shape_str(got.shape());
  return "";
}

std::vector<Tensor> evaluate_node(const graph::Node& node, const std::vector<const Tensor*>& inputs,
                                  const std::vector<TensorInfo>& infos) {
  OpFn op = find_op(graph::op_key(node));
  if (!op) throw UnsupportedError(node.label() + ": operator '" + graph::op_key(node) + "' is not supported");
  std::vector<Tensor> outs = allocate_outputs(infos);
  std::vector<Tensor*> out_ptrs;
  for (size_t i = 0; i < outs.size(); ++i)
    out_ptrs.push_back(i < node.outputs.size() && !node.outputs[i].empty() ? &outs[i] : nullptr);
  OpContext ctx(node, inputs, out_ptrs);
  op(ctx);
  return outs;
}

std::unique_ptr<PreparedOp> Session::prepare(const graph::Node& node, const graph::Graph& g,
                                             const std::map<std::string, TensorInfo>& infos) const {
  PrepareFn fn = find_prepare(graph::op_key(node));
  if (!fn) return nullptr;
  PrepareContext ctx{node, {}, {}, {}, isa_};
  for (const auto& in : node.inputs) {
    auto init = g.initializers.find(in);
    ctx.constants.push_back(init == g.initializers.end() ? nullptr : &init->second);
    ctx.inputs.push_back(in.empty() ? TensorInfo{} : infos.at(in));
  }
  for (const auto& out : node.outputs) ctx.outputs.push_back(out.empty() ? TensorInfo{} : infos.at(out));
  std::unique_ptr<PreparedOp> op = fn(ctx);
  if (op)
    for (size_t i : op->packed_inputs)
      if (i < ctx.constants.size() && ctx.constants[i]) graph::release_mapped_pages(g, *ctx.constants[i]);
  return op;
}

// By the magic bytes, not the extension: a renamed model still loads.
Session Session::from_file(const std::string& path, SessionOptions options) {
  return Session(graph::load_model(path), options);
}

Session Session::from_buffer(const void* data, size_t size, SessionOptions options) {
  return Session(graph::load_model(static_cast<const uint8_t*>(data), size, "model buffer"), options);
}

Session::Session(graph::Graph g, SessionOptions options)
    : source_(std::move(g)), options_(options), isa_(session_isa()) {
  if (options_.threads < 1) throw Error("SessionOptions::threads must be at least 1, is " + std::to_string(options_.threads));
  graph::topological_sort(source_);
  graph::optimize_for_inference(source_);
  for (const auto& kv : source_.initializers) weight_bytes_ += kv.second.nbytes();
  if (shapes_static(source_.inputs)) {
    std::vector<Tensor> probes;
    for (const auto& v : source_.inputs) {
      check_activation("input '" + v.name + "'", {v.dtype, v.shape});
      probes.push_back(Tensor(v.dtype, v.shape));
    }
    plan_ = make_plan(probes, false);
  }
  own_context_.reset(new RunContext(this, options_.threads));
}

Session::~Session() = default;

// The mutex cannot move; the moved-to session has its own. Moving a session
// that contexts still use is the caller's error (they must outlive it).
Session::Session(Session&& o) noexcept
    : source_(std::move(o.source_)),
      options_(o.options_),
      weight_bytes_(o.weight_bytes_),
      isa_(o.isa_),
      plan_(std::move(o.plan_)),
      own_context_(std::move(o.own_context_)) {}

Session& Session::operator=(Session&& o) noexcept {
  source_ = std::move(o.source_);
  options_ = o.options_;
  weight_bytes_ = o.weight_bytes_;
  isa_ = o.isa_;
  plan_ = std::move(o.plan_);
  own_context_ = std::move(o.own_context_);
  return *this;
}

const std::vector<graph::ValueInfo>& Session::inputs() const { return source_.inputs; }
const std::vector<graph::ValueInfo>& Session::outputs() const { return source_.outputs; }

const graph::Graph& Session::planned_graph() const {
  std::lock_guard<std::mutex> lock(plan_mutex_);
  if (!plan_) throw Error("the model is planned at its first run (symbolic input shapes or inputs that carry shapes)");
  return plan_->graph;
}

size_t Session::activation_limit() const {
  if (options_.max_activation_bytes > 0) return options_.max_activation_bytes;
  constexpr size_t kFloor = size_t{256} << 20, kPerWeightByte = 64;
  return std::max(kFloor, kPerWeightByte * weight_bytes_);
}

// `info` is the shape inference's: at most 2^40 elements (shape_numel
// throws past that), so the byte count cannot overflow.
void Session::check_activation(const std::string& what, const TensorInfo& info) const {
  if (info.dtype == DType::Undefined) return;
  const size_t bytes = graph::shape_bytes(info.dtype, info.shape);
  if (bytes > activation_limit())
    throw FormatError(what + " would take " + std::to_string(bytes) + " bytes (" + graph::dtype_name(info.dtype) +
                      " " + graph::shape_str(info.shape) + "), over the activation limit of " +
                      std::to_string(activation_limit()) + " bytes (SessionOptions::max_activation_bytes)");
}

size_t Session::arena_bytes() const {
  std::lock_guard<std::mutex> lock(plan_mutex_);
  return plan_ ? plan_->arena_bytes : 0;
}

std::unique_ptr<Session::Plan> Session::make_plan(const std::vector<Tensor>& inputs, bool bind_values) const {
  // Plan; when a shape rule needs the value of an integer graph input, plan
  // again with that input's current value as a constant. Each retry adds an
  // input, so this ends after at most inputs.size() + 1 rounds.
  std::map<size_t, Tensor> value_inputs;
  for (;;) {
    try {
      return plan_with_values(inputs, value_inputs);
    } catch (const graph::NeedsConstantError& e) {
      size_t i = 0;
      while (i < source_.inputs.size() && source_.inputs[i].name != e.value) ++i;
      bool can_bind = i < inputs.size() && is_integer(inputs[i].dtype()) && !value_inputs.count(i);
      if (!can_bind) throw;
      if (!bind_values) return nullptr;  // planned at the first run, with real values
      value_inputs[i] = inputs[i].clone();
    }
  }
}

namespace {

// Whether `plan` was made for these inputs' shapes and bound values.
bool plan_fits(const Session::Plan* plan, const std::vector<Tensor>& inputs);
void place_in_arena(Session::Plan& plan, const std::map<int, size_t>& last_use);

}  // namespace

std::shared_ptr<const Session::Plan> Session::plan_for(const std::vector<Tensor>& inputs) const {
  std::lock_guard<std::mutex> lock(plan_mutex_);
  if (!plan_fits(plan_.get(), inputs)) plan_ = make_plan(inputs, true);
  return plan_;
}

std::unique_ptr<Session::Plan> Session::plan_with_values(const std::vector<Tensor>& inputs,
                                                         const std::map<size_t, Tensor>& value_inputs) const {
  auto plan = std::make_unique<Plan>();
  plan->graph = source_;
  plan->value_inputs = value_inputs;
  for (const auto& kv : value_inputs) plan->graph.initializers[source_.inputs[kv.first].name] = kv.second;
  std::map<std::string, TensorInfo> input_infos;
  for (size_t i = 0; i < inputs.size(); ++i) {
    plan->input_shapes.push_back(inputs[i].shape());
    input_infos[source_.inputs[i].name] = {inputs[i].dtype(), inputs[i].shape()};
  }
  // Constants folded at plan time are allocated: checked first.
  graph::NodeEvaluator fold = [this](const graph::Node& node, const std::vector<const Tensor*>& in,
                                     const std::vector<TensorInfo>& out) {
    for (size_t i = 0; i < out.size(); ++i)
      check_activation(node.label() + " output '" + (i < node.outputs.size() ? node.outputs[i] : "") + "'", out[i]);
    return evaluate_node(node, in, out);
  };
  std::map<std::string, TensorInfo> infos = graph::infer_shapes(plan->graph, input_infos, &fold);
  // The layout pass needs ranks and dtypes, so it runs between two inferences.
  if (options_.int8_nhwc && graph::keep_int8_nhwc(plan->graph, infos))
    infos = graph::infer_shapes(plan->graph, input_infos, &fold);

  std::map<std::string, int> slot;
  auto slot_of = [&](const std::string& name) {
    auto it = slot.find(name);
    if (it != slot.end()) return it->second;
    int s = static_cast<int>(plan->slot_count++);
    slot[name] = s;
    return s;
  };
  for (const auto& v : plan->graph.inputs) plan->input_slots.push_back(slot_of(v.name));
  plan->constants.resize(plan->graph.initializers.size() + plan->slot_count);
  for (const auto& kv : plan->graph.initializers) {
    int s = slot_of(kv.first);
    if (static_cast<size_t>(s) >= plan->constants.size()) plan->constants.resize(s + 1);
    plan->constants[s] = kv.second;
  }
  std::map<int, size_t> last_use;
  for (const auto& node : plan->graph.nodes) {
    Plan::Step step{&node, find_op(graph::op_key(node)), {}, {}, {}, {}, nullptr};
    if (!step.op) throw UnsupportedError(node.label() + ": operator '" + graph::op_key(node) + "' is not supported");
    for (const auto& in : node.inputs) {
      step.inputs.push_back(in.empty() ? -1 : slot_of(in));
      if (!in.empty()) last_use[slot_of(in)] = plan->steps.size();
    }
    for (const auto& out : node.outputs) {
      step.outputs.push_back(out.empty() ? -1 : slot_of(out));
      step.output_infos.push_back(out.empty() ? TensorInfo{} : infos.at(out));
    }
    step.prepared = prepare(node, plan->graph, infos);
    plan->steps.push_back(std::move(step));
  }
  for (const auto& v : plan->graph.outputs) {
    int s = slot_of(v.name);
    plan->output_slots.push_back(s);
    last_use.erase(s);  // graph outputs live to the end
  }
  for (const auto& kv : last_use)
    if (static_cast<size_t>(kv.first) >= plan->constants.size() || plan->constants[kv.first].empty())
      plan->steps[kv.second].release.push_back(kv.first);
  place_in_arena(*plan, last_use);
  check_activations(*plan);
  return plan;
}

// Each value a step writes, then the arena and the graph outputs together.
void Session::check_activations(const Plan& plan) const {
  size_t total = plan.arena_bytes;
  for (const auto& step : plan.steps)
    for (size_t i = 0; i < step.output_infos.size(); ++i) {
      const TensorInfo& info = step.output_infos[i];
      check_activation(step.node->label() + " output '" + step.node->outputs[i] + "'", info);
      if (step.outputs[i] >= 0 && plan.arena_offsets[static_cast<size_t>(step.outputs[i])] == Plan::kNotInArena)
        total += graph::shape_bytes(info.dtype, info.shape);
    }
  if (total > activation_limit())
    throw FormatError("the plan's activations (the arena and the graph outputs) would take " + std::to_string(total) +
                      " bytes, over the activation limit of " + std::to_string(activation_limit()) +
                      " bytes (SessionOptions::max_activation_bytes)");
}

namespace {

// Every value a step writes that is not a graph output gets arena bytes
// for its lifetime: from its step to its last reader (its own step when
// nothing reads it).
void place_in_arena(Session::Plan& plan, const std::map<int, size_t>& last_use) {
  std::vector<bool> is_output(plan.slot_count, false);
  for (int s : plan.output_slots) is_output[static_cast<size_t>(s)] = true;
  std::vector<ArenaValue> values;
  std::vector<int> slots;
  for (size_t k = 0; k < plan.steps.size(); ++k) {
    const auto& step = plan.steps[k];
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      const int s = step.outputs[i];
      const TensorInfo& info = step.output_infos[i];
      if (s < 0 || is_output[static_cast<size_t>(s)] || info.dtype == DType::Undefined) continue;
      const auto last = last_use.find(s);
      const size_t bytes = graph::shape_bytes(info.dtype, info.shape);
      values.push_back({bytes, k, last == last_use.end() ? k : std::max(k, last->second)});
      slots.push_back(s);
    }
  }
  const ArenaPlan arena = plan_arena(values);
  plan.arena_offsets.assign(plan.slot_count, Session::Plan::kNotInArena);
  for (size_t i = 0; i < slots.size(); ++i) plan.arena_offsets[static_cast<size_t>(slots[i])] = arena.offsets[i];
  plan.arena_bytes = arena.bytes;
}

}  // namespace

std::vector<Tensor> Session::run(const std::vector<Tensor>& inputs) { return own_context_->run_on(*this, inputs, nullptr); }

std::vector<Tensor> Session::run(const std::vector<Tensor>& inputs, const ValueObserver& observe) {
  return own_context_->run_on(*this, inputs, observe ? &observe : nullptr);
}

namespace {

bool plan_fits(const Session::Plan* plan, const std::vector<Tensor>& inputs) {
  if (!plan) return false;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (plan->input_shapes[i] != inputs[i].shape()) return false;
  for (const auto& kv : plan->value_inputs)
    if (!same_bytes(kv.second, inputs[kv.first])) return false;
  return true;
}

}  // namespace

RunContext::RunContext(const Session& session) : RunContext(&session, session.options().threads) {}

RunContext::RunContext(const Session* session, int threads)
    : session_(session), buffers_(std::make_unique<BufferPool>()) {
  if (threads > 1) threads_ = std::make_unique<ThreadPool>(threads);
}

RunContext::~RunContext() = default;

void RunContext::grow_arena(size_t bytes) {
  // One line of slack past the last value: vector kernels may read a
  // tail's whole line, as they may in a BufferPool buffer rounded to 64.
  // Never null, so even a plan of empty values gets real pointers.
  const size_t capacity = bytes + kArenaAlignment;
  void* p = std::aligned_alloc(kArenaAlignment, capacity);
  if (!p) throw Error("out of memory allocating a " + std::to_string(capacity) + "-byte activation arena");
  arena_.reset(static_cast<uint8_t*>(p), [](uint8_t* q) { std::free(q); });
  arena_bytes_ = bytes;
}

namespace {

// A value's bytes as the kernels may touch them: its size rounded up to
// the line, as a separate 64-byte-aligned buffer would have.
size_t touched_bytes(const Tensor& t) { return graph::aligned_bytes(t.nbytes()); }

}  // namespace

// The plan for these inputs, its scratch, and an arena at least its size.
// The arena is checked on every run, not only when the plan changes, so an
// allocation that failed once is tried again rather than overrun.
void RunContext::use_plan(const Session& session, const std::vector<Tensor>& inputs) {
  if (!plan_fits(plan_.get(), inputs)) {
    plan_ = session.plan_for(inputs);
    scratch_.clear();
    scratch_.resize(plan_->steps.size());
  }
  if (!arena_ || arena_bytes_ < plan_->arena_bytes) grow_arena(plan_->arena_bytes);
  // Under AddressSanitizer the arena's bytes are poisoned except while a
  // value lives in them (output_tensor, release_value): a kernel that writes
  // past its output or reads a dead value is reported as it would be with
  // one buffer per value. Without ASan these are no-ops.
  ASAN_POISON_MEMORY_REGION(arena_.get(), arena_bytes_ + kArenaAlignment);
}

// Drops a value after its last reader: an arena view's bytes are poisoned
// (under ASan), a pooled buffer goes back to the pool.
void RunContext::release_value(const Session::Plan& p, int slot, Tensor& value) {
  if (p.arena_offsets[static_cast<size_t>(slot)] == Session::Plan::kNotInArena) return buffers_->recycle(value);
  ASAN_POISON_MEMORY_REGION(value.raw(), touched_bytes(value));
  value = Tensor();
}

// Output i of step: a view of the arena (shares ownership of it, so a view
// kept past its run never dangles) or, for a graph output, a pooled buffer.
Tensor RunContext::output_tensor(const Session::Plan& p, size_t k, size_t i) {
  const Session::Plan::Step& step = p.steps[k];
  const TensorInfo& info = step.output_infos[i];
  if (info.dtype == DType::Undefined) return Tensor();
  const int s = step.outputs[i];
  const size_t offset = s < 0 ? Session::Plan::kNotInArena : p.arena_offsets[static_cast<size_t>(s)];
  if (offset == Session::Plan::kNotInArena) return buffers_->make(info.dtype, info.shape);
  Tensor view(info.dtype, info.shape, std::shared_ptr<uint8_t>(arena_, arena_.get() + offset));
  ASAN_UNPOISON_MEMORY_REGION(view.raw(), touched_bytes(view));
  return view;
}

std::vector<Tensor> RunContext::run(const std::vector<Tensor>& inputs, const Session::ValueObserver* observe) {
  return run_on(*session_, inputs, observe);
}

std::vector<Tensor> RunContext::run_on(const Session& session, const std::vector<Tensor>& inputs,
                                       const Session::ValueObserver* observe) {
  const auto& declared = session.inputs();
  if (inputs.size() != declared.size())
    throw FormatError("the model takes " + std::to_string(declared.size()) + " inputs, " +
                      std::to_string(inputs.size()) + " given");
  for (size_t i = 0; i < inputs.size(); ++i) check_input(declared[i], inputs[i]);
  use_plan(session, inputs);
  const Session::Plan& p = *plan_;
  std::vector<Tensor> values(p.slot_count);
  for (size_t s = 0; s < p.constants.size() && s < values.size(); ++s) values[s] = p.constants[s];
  for (size_t i = 0; i < inputs.size(); ++i) values[p.input_slots[i]] = inputs[i];
  for (size_t k = 0; k < p.steps.size(); ++k) {
    const auto& step = p.steps[k];
    std::vector<const Tensor*> in;
    for (int s : step.inputs) in.push_back(s < 0 ? nullptr : &values[s]);
    std::vector<Tensor> outs;
    for (size_t i = 0; i < step.output_infos.size(); ++i) outs.push_back(output_tensor(p, k, i));
    std::vector<Tensor*> out_ptrs;
    for (size_t i = 0; i < outs.size(); ++i) out_ptrs.push_back(step.outputs[i] < 0 ? nullptr : &outs[i]);
    OpContext ctx(*step.node, in, out_ptrs);
    ctx.pool = threads_.get();
    ctx.scratch_slot = &scratch_[k];
    if (step.prepared)
      step.prepared->run(ctx);
    else
      step.op(ctx);
    for (size_t i = 0; i < outs.size(); ++i)
      if (step.outputs[i] >= 0) values[step.outputs[i]] = std::move(outs[i]);
    if (observe)
      for (size_t i = 0; i < step.outputs.size(); ++i)
        if (step.outputs[i] >= 0) (*observe)(step.node->outputs[i], values[step.outputs[i]]);
    for (int s : step.release) release_value(p, s, values[s]);
  }
  std::vector<Tensor> result;
  for (int s : p.output_slots) result.push_back(values[s]);
  return result;
}

std::map<std::string, Tensor> Session::run(const std::map<std::string, Tensor>& named) {
  std::vector<Tensor> ordered;
  for (const auto& v : source_.inputs) {
    auto it = named.find(v.name);
    if (it == named.end()) throw FormatError("missing input '" + v.name + "'");
    ordered.push_back(it->second);
  }
  for (const auto& kv : named) {
    bool known = false;
    for (const auto& v : source_.inputs) known = known || v.name == kv.first;
    if (!known) throw FormatError("the model has no input named '" + kv.first + "'");
  }
  std::vector<Tensor> outs = run(ordered);
  std::map<std::string, Tensor> result;
  for (size_t i = 0; i < outs.size(); ++i) result[source_.outputs[i].name] = outs[i];
  return result;
}

}  // namespace octet::engine
