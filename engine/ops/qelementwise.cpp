// ONNX Runtime's quantized elementwise contrib ops (com.microsoft QLinearAdd,
// QLinearMul, QLinearConcat, QLinearSigmoid, QLinearLeakyRelu): reference
// OpFns over kernels/ref, and prepared ops on the ISA kernels when every
// scale and zero point is a constant initializer (the usual quantized
// graph), with the broadcast plan, the fused clamp and the LUT made once.
// Shape rules (graph/shapes_qelementwise.cpp) have checked types, shapes
// and that every scale and zero point is a single value.
#include <array>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include "engine/op_registry.h"
#include "engine/parallel.h"
#include "engine/ops/quantized_activation.h"
#include "graph/error.h"
#include "kernels/broadcast.h"
#include "kernels/qelementwise.h"
#include "kernels/qlut.h"
#include "kernels/ref/qelementwise_ref.h"

namespace octet::engine {

namespace {

using graph::DType;
using graph::Shape;
using kernels::QBinaryOp;
using kernels::QBinaryParams;

// ---- inputs and qparams ----

// Input tensors by node input index; null for an omitted input (a zero
// point then reads as 0) or, in a prepare, a data input.
using Values = std::vector<const Tensor*>;

Values op_values(const OpContext& ctx) {
  Values v(ctx.num_inputs(), nullptr);
  for (size_t i = 0; i < v.size(); ++i)
    if (ctx.has_input(i)) v[i] = &ctx.input(i);
  return v;
}

// The qparams at `indices` as the constants a prepared op fixes at plan
// time, or nullopt when one of them is computed at run time.
std::optional<Values> constant_qparams(const PrepareContext& ctx, const std::vector<size_t>& indices) {
  Values v(ctx.node.inputs.size(), nullptr);
  for (size_t i : indices) {
    if (ctx.node.input(i).empty()) continue;  // omitted zero point
    if (i >= ctx.constants.size() || !ctx.constants[i]) return std::nullopt;
    v[i] = ctx.constants[i];
  }
  return v;
}

float scale_at(const Values& v, size_t i) { return v.at(i)->data<float>()[0]; }

int32_t zero_point_at(const Values& v, size_t i) {
  const Tensor* t = i < v.size() ? v[i] : nullptr;
  if (!t) return 0;
  return t->dtype() == DType::UInt8 ? t->data<uint8_t>()[0] : t->data<int8_t>()[0];
}

template <class F>
void dispatch_8bit(const graph::Node& node, DType t, F f) {
  if (t == DType::UInt8) return f(uint8_t{});
  if (t == DType::Int8) return f(int8_t{});
  throw UnsupportedError(node.label() + ": type " + graph::dtype_name(t) + " is not supported");
}

// What the SIMD kernels assume (kernels/ref/qelementwise_ref.h): positive
// finite scales and multipliers small enough that no product of one with an
// 8-bit difference (or, for Mul, with a product of two: |x| <= 65536)
// overflows, so no inf or NaN reaches their clamps. Other qparams run the
// reference op, which defines those cases.
bool kernel_scale(float s) { return std::isfinite(s) && s > 0.0f; }
bool kernel_multiplier(float m) { return std::isfinite(m) && m <= 1e30f; }

// ---- QLinearAdd, QLinearMul ----

// Inputs (A, A_scale, A_zero_point?, B, B_scale, B_zero_point?, C_scale, C_zero_point?).
// A fused Relu / Clip becomes the clamp of the quantized output.
QBinaryParams binary_params(const graph::Node& node, QBinaryOp op, DType y, const Values& v) {
  QBinaryParams p;
  p.op = op;
  p.a_scale = scale_at(v, 1);
  p.a_zero_point = zero_point_at(v, 2);
  p.b_scale = scale_at(v, 4);
  p.b_zero_point = zero_point_at(v, 5);
  p.y_scale = scale_at(v, 6);
  p.y_zero_point = zero_point_at(v, 7);
  const QuantizedClamp clamp = quantized_activation_clamp(node, y, p.y_scale, p.y_zero_point);
  p.qmin = clamp.qmin;
  p.qmax = clamp.qmax;
  return p;
}

bool kernels_take(const QBinaryParams& p) {
  if (!kernel_scale(p.a_scale) || !kernel_scale(p.b_scale) || !kernel_scale(p.y_scale)) return false;
  const kernels::QBinaryMultipliers m = kernels::qbinary_multipliers(p);
  return kernel_multiplier(m.a) && kernel_multiplier(m.b);
}

// Runs a same-shape or scalar-b kernel over each innermost run of a numpy
// broadcast. Where a is the repeated operand, the operands and their
// qparams trade places, which gives the same bits (qelementwise_ref.h).
template <class T, class Kernel>
void qbinary_broadcast(const kernels::BroadcastLoop& loop, const QBinaryParams& p, const T* a, const T* b, T* y,
                       Kernel kernel) {
  const bool a_repeats = loop.a_inner() == 0 && loop.b_inner() != 0;
  const bool b_repeats = loop.b_inner() == 0;
  const QBinaryParams swapped = p.swapped();
  kernels::for_each_run(loop, [&](int64_t ao, int64_t bo, int64_t yo, int64_t n) {
    if (a_repeats)
      kernel(swapped, b + bo, a + ao, y + yo, n, true);
    else
      kernel(p, a + ao, b + bo, y + yo, n, b_repeats);
  });
}

template <QBinaryOp Op>
void qlinear_binary(OpContext& ctx) {
  const Values v = op_values(ctx);
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(3);
  Tensor& y = ctx.output(0);
  dispatch_8bit(ctx.node, y.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const QBinaryParams p = binary_params(ctx.node, Op, y.dtype(), v);
    const kernels::BroadcastLoop loop = kernels::plan_broadcast(y.shape(), a.shape(), b.shape());
    qbinary_broadcast(loop, p, a.data<T>(), b.data<T>(), y.data<T>(), kernels::qbinary_ref<T>);
  });
}

// Shapes are fixed at plan time (the session plans again when an input
// shape changes), so the broadcast loop is planned once.
template <class T>
class PreparedQBinary final : public PreparedOp {
 public:
  PreparedQBinary(const QBinaryParams& p, kernels::BroadcastLoop loop, kernels::Isa isa)
      : params_(p), loop_(std::move(loop)), isa_(isa) {}

  void run(OpContext& ctx) const override {
    const kernels::Isa isa = isa_;
    const T *a = ctx.input(0).data<T>(), *b = ctx.input(3).data<T>();
    T* y = ctx.output(0).data<T>();
    if (loop_.dims.size() == 1 && loop_.a_inner() == 1 && loop_.b_inner() == 1) {  // same shapes: split among threads
      return parallel_chunks(ctx.pool, loop_.dims[0], kElementGrain, [&](int64_t begin, int64_t end) {
        kernels::qbinary<T>(isa, params_, a + begin, b + begin, y + begin, end - begin, false);
      });
    }
    qbinary_broadcast(loop_, params_, a, b, y,
                      [isa](const QBinaryParams& p, const T* a, const T* b, T* y, int64_t n, bool b_scalar) {
                        kernels::qbinary<T>(isa, p, a, b, y, n, b_scalar);
                      });
  }

 private:
  QBinaryParams params_;
  kernels::BroadcastLoop loop_;
  kernels::Isa isa_;
};

template <QBinaryOp Op>
std::unique_ptr<PreparedOp> prepare_qbinary(const PrepareContext& ctx) {
  const std::optional<Values> v = constant_qparams(ctx, {1, 2, 4, 5, 6, 7});
  if (!v) return nullptr;
  std::unique_ptr<PreparedOp> op;
  dispatch_8bit(ctx.node, ctx.outputs[0].dtype, [&](auto tag) {
    using T = decltype(tag);
    const QBinaryParams p = binary_params(ctx.node, Op, ctx.outputs[0].dtype, *v);
    if (!kernels_take(p)) return;
    auto loop = kernels::plan_broadcast(ctx.outputs[0].shape, ctx.inputs[0].shape, ctx.inputs[3].shape);
    op = std::make_unique<PreparedQBinary<T>>(p, std::move(loop), ctx.isa);
  });
  return op;
}

// ---- QLinearConcat: (Y_scale, Y_zero_point, then (X, X_scale, X_zero_point) per input) ----

size_t concat_count(size_t num_inputs) { return (num_inputs - 2) / 3; }
size_t concat_x(size_t j) { return 2 + 3 * j; }

// Every input seen as [outer, axis_size, inner] of the output's split.
struct ConcatLayout {
  int64_t outer = 1, inner = 1;
  std::vector<int64_t> axis_sizes;
};

ConcatLayout concat_layout(const graph::Node& node, const Shape& y, const std::vector<Shape>& xs) {
  const int64_t axis = graph::normalize_axis(node.attr_int("axis", 0), static_cast<int64_t>(y.size()), node.label());
  ConcatLayout l;
  for (int64_t d = 0; d < axis; ++d) l.outer *= y[d];
  for (size_t d = static_cast<size_t>(axis) + 1; d < y.size(); ++d) l.inner *= y[d];
  for (const Shape& x : xs) l.axis_sizes.push_back(x[axis]);
  return l;
}

// The inputs' sizes and qparams; their data pointers are bound per run.
template <class T>
std::vector<kernels::QConcatInput<T>> concat_inputs(const ConcatLayout& l, const Values& v) {
  std::vector<kernels::QConcatInput<T>> in(l.axis_sizes.size());
  for (size_t j = 0; j < in.size(); ++j) {
    in[j].axis_size = l.axis_sizes[j];
    in[j].scale = scale_at(v, concat_x(j) + 1);
    in[j].zero_point = zero_point_at(v, concat_x(j) + 2);
  }
  return in;
}

template <class T>
void bind_concat_data(const OpContext& ctx, std::vector<kernels::QConcatInput<T>>& in) {
  for (size_t j = 0; j < in.size(); ++j) in[j].data = ctx.input(concat_x(j)).data<T>();
}

void qlinear_concat(OpContext& ctx) {
  const Values v = op_values(ctx);
  Tensor& y = ctx.output(0);
  std::vector<Shape> xs;
  for (size_t j = 0; j < concat_count(ctx.num_inputs()); ++j) xs.push_back(ctx.input(concat_x(j)).shape());
  const ConcatLayout l = concat_layout(ctx.node, y.shape(), xs);
  dispatch_8bit(ctx.node, y.dtype(), [&](auto tag) {
    using T = decltype(tag);
    std::vector<kernels::QConcatInput<T>> in = concat_inputs<T>(l, v);
    bind_concat_data(ctx, in);
    kernels::qconcat_ref(in.data(), static_cast<int64_t>(in.size()), l.outer, l.inner, scale_at(v, 0),
                         zero_point_at(v, 1), y.data<T>());
  });
}

template <class T>
class PreparedQConcat final : public PreparedOp {
 public:
  PreparedQConcat(std::vector<kernels::QConcatInput<T>> inputs, const ConcatLayout& l, float y_scale,
                  int32_t y_zero_point, kernels::Isa isa)
      : inputs_(std::move(inputs)), outer_(l.outer), inner_(l.inner), y_scale_(y_scale), y_zero_point_(y_zero_point),
        isa_(isa) {}

  void run(OpContext& ctx) const override {
    // The inputs' sizes and qparams with this run's data pointers bound,
    // in the run context's copy.
    std::vector<kernels::QConcatInput<T>>& bound = ctx.scratch<std::vector<kernels::QConcatInput<T>>>();
    bound = inputs_;
    bind_concat_data(ctx, bound);
    kernels::qconcat(isa_, bound.data(), static_cast<int64_t>(bound.size()), outer_, inner_, y_scale_, y_zero_point_,
                     ctx.output(0).data<T>());
  }

 private:
  std::vector<kernels::QConcatInput<T>> inputs_;
  int64_t outer_, inner_;
  float y_scale_;
  int32_t y_zero_point_;
  kernels::Isa isa_;
};

template <class T>
bool kernels_take(const std::vector<kernels::QConcatInput<T>>& in, float y_scale) {
  if (!kernel_scale(y_scale)) return false;
  for (const auto& x : in)
    if (!kernel_scale(x.scale) || !kernel_multiplier(x.scale / y_scale)) return false;
  return true;
}

std::unique_ptr<PreparedOp> prepare_qconcat(const PrepareContext& ctx) {
  const size_t count = concat_count(ctx.node.inputs.size());
  std::vector<size_t> qparams = {0, 1};
  std::vector<Shape> xs;
  for (size_t j = 0; j < count; ++j) {
    qparams.push_back(concat_x(j) + 1);
    qparams.push_back(concat_x(j) + 2);
    xs.push_back(ctx.inputs[concat_x(j)].shape);
  }
  const std::optional<Values> v = constant_qparams(ctx, qparams);
  if (!v) return nullptr;
  const ConcatLayout l = concat_layout(ctx.node, ctx.outputs[0].shape, xs);
  std::unique_ptr<PreparedOp> op;
  dispatch_8bit(ctx.node, ctx.outputs[0].dtype, [&](auto tag) {
    using T = decltype(tag);
    std::vector<kernels::QConcatInput<T>> in = concat_inputs<T>(l, *v);
    const float y_scale = scale_at(*v, 0);
    if (!kernels_take(in, y_scale)) return;
    op = std::make_unique<PreparedQConcat<T>>(std::move(in), l, y_scale, zero_point_at(*v, 1), ctx.isa);
  });
  return op;
}

// ---- QLinearSigmoid, QLinearLeakyRelu: (X, X_scale, X_zero_point?, Y_scale, Y_zero_point?) as a 256-entry table ----

using Table = std::array<uint8_t, 256>;

kernels::UnaryFn lut_function(const graph::Node& node) {
  if (node.op_type == "QLinearLeakyRelu") return kernels::lut_fn::leaky_relu(node.attr_float("alpha", 0.01f));
  return kernels::lut_fn::sigmoid();
}

Table lut_table(const graph::Node& node, DType t, const Values& v) {
  Table table;
  dispatch_8bit(node, t, [&](auto tag) {
    using T = decltype(tag);
    kernels::build_lut<T>(lut_function(node), scale_at(v, 1), zero_point_at(v, 2), scale_at(v, 3),
                          zero_point_at(v, 4), table.data());
  });
  return table;
}

// Input and output share T, so the table maps bytes to bytes either way.
void qlinear_lut(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Table table = lut_table(ctx.node, x.dtype(), op_values(ctx));
  kernels::apply_lut_ref(table.data(), static_cast<const uint8_t*>(x.raw()),
                         static_cast<uint8_t*>(ctx.output(0).raw()), x.numel());
}

class PreparedQLut final : public PreparedOp {
 public:
  PreparedQLut(const Table& table, kernels::Isa isa) : table_(table), isa_(isa) {}

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    kernels::apply_lut_u8(isa_, table_.data(), static_cast<const uint8_t*>(x.raw()),
                          static_cast<uint8_t*>(ctx.output(0).raw()), x.numel());
  }

 private:
  Table table_;
  kernels::Isa isa_;
};

// Any qparams give a table, so constant ones are all the fast path needs.
std::unique_ptr<PreparedOp> prepare_qlut(const PrepareContext& ctx) {
  const std::optional<Values> v = constant_qparams(ctx, {1, 2, 3, 4});
  if (!v) return nullptr;
  return std::make_unique<PreparedQLut>(lut_table(ctx.node, ctx.inputs[0].dtype, *v), ctx.isa);
}

std::string contrib(const char* op_type) { return graph::op_key(graph::kMicrosoftDomain, op_type); }

}  // namespace

void add_qelementwise_ops(OpTable& t) {
  t[contrib("QLinearAdd")] = qlinear_binary<QBinaryOp::Add>;
  t[contrib("QLinearMul")] = qlinear_binary<QBinaryOp::Mul>;
  t[contrib("QLinearConcat")] = qlinear_concat;
  t[contrib("QLinearSigmoid")] = qlinear_lut;
  t[contrib("QLinearLeakyRelu")] = qlinear_lut;
}

void add_qelementwise_prepares(PrepareTable& t) {
  t[contrib("QLinearAdd")] = prepare_qbinary<QBinaryOp::Add>;
  t[contrib("QLinearMul")] = prepare_qbinary<QBinaryOp::Mul>;
  t[contrib("QLinearConcat")] = prepare_qconcat;
  t[contrib("QLinearSigmoid")] = prepare_qlut;
  t[contrib("QLinearLeakyRelu")] = prepare_qlut;
}

}  // namespace octet::engine
