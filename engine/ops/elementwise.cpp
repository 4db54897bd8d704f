// The elementwise activations, broadcast arithmetic, Softmax and reductions:
// thin adapters from tensors and attributes to kernels/fp32 (float32) and
// kernels/ref (the integer types). Shape rules (graph/shapes_elementwise.cpp)
// have already checked types, shapes and attributes.
#include <cstring>
#include <limits>
#include <type_traits>

#include "engine/op_registry.h"
#include "engine/ops/fused_activation.h"
#include "graph/elementwise_attrs.h"
#include "graph/error.h"
#include "kernels/fp32/elementwise_f32.h"
#include "kernels/fp32/reduce_f32.h"
#include "kernels/fp32/softmax_f32.h"
#include "kernels/ref/elementwise_ref.h"

namespace octet::engine {

namespace {

using graph::DType;
using kernels::BinaryOp;

[[noreturn]] void unsupported_type(const OpContext& ctx, DType t) {
  throw UnsupportedError(ctx.node.label() + ": type " + graph::dtype_name(t) + " is not supported");
}

// Calls f(T{}) with T the C++ type of an arithmetic dtype.
template <class F>
void dispatch_arithmetic(const OpContext& ctx, DType t, F f) {
  switch (t) {
    case DType::Float32: return f(float{});
    case DType::Int8: return f(int8_t{});
    case DType::UInt8: return f(uint8_t{});
    case DType::Int32: return f(int32_t{});
    case DType::Int64: return f(int64_t{});
    default: unsupported_type(ctx, t);
  }
}

template <void (*Kernel)(const float*, float*, int64_t)>
void unary(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  Kernel(x.data<float>(), ctx.output(0).data<float>(), x.numel());
}

// Activations whose one attribute is alpha, with its ONNX default.
template <void (*Kernel)(const float*, float*, int64_t, float)>
void unary_alpha(OpContext& ctx, float fallback) {
  const Tensor& x = ctx.input(0);
  Kernel(x.data<float>(), ctx.output(0).data<float>(), x.numel(), ctx.node.attr_float("alpha", fallback));
}

void leaky_relu(OpContext& ctx) { unary_alpha<kernels::leaky_relu_f32>(ctx, 0.01f); }
void elu(OpContext& ctx) { unary_alpha<kernels::elu_f32>(ctx, 1.f); }
void celu(OpContext& ctx) { unary_alpha<kernels::celu_f32>(ctx, 1.f); }

void hard_sigmoid(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  kernels::hard_sigmoid_f32(x.data<float>(), ctx.output(0).data<float>(), x.numel(),
                            ctx.node.attr_float("alpha", 0.2f), ctx.node.attr_float("beta", 0.5f));
}

template <class T>
void apply_binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out) {
  if constexpr (std::is_same<T, float>::value)
    kernels::binary_f32(op, a.data<T>(), a.shape(), b.data<T>(), b.shape(), out.data<T>(), out.shape());
  else
    kernels::binary_int<T>(op, a.data<T>(), a.shape(), b.data<T>(), b.shape(), out.data<T>(), out.shape());
}

template <BinaryOp Op>
void binary(OpContext& ctx) {
  const Tensor& a = ctx.input(0);
  dispatch_arithmetic(ctx, a.dtype(), [&](auto t) { apply_binary<decltype(t)>(Op, a, ctx.input(1), ctx.output(0)); });
}

// Add may carry a fused Relu or Clip (graph/passes.h).
void add(OpContext& ctx) {
  binary<BinaryOp::Add>(ctx);
  apply_fused_activation(ctx.node, ctx.output(0));
}

void prelu(OpContext& ctx) { apply_binary<float>(BinaryOp::PRelu, ctx.input(0), ctx.input(1), ctx.output(0)); }

// Accumulates into the output: the first two inputs broadcast into it,
// then each further input is added in place.
void sum(OpContext& ctx) {
  Tensor& out = ctx.output(0);
  const Tensor& first = ctx.input(0);
  if (ctx.num_inputs() == 1) {
    std::memcpy(out.raw(), first.raw(), out.nbytes());
    return;
  }
  dispatch_arithmetic(ctx, first.dtype(), [&](auto t) {
    using T = decltype(t);
    apply_binary<T>(BinaryOp::Add, first, ctx.input(1), out);
    for (size_t i = 2; i < ctx.num_inputs(); ++i) apply_binary<T>(BinaryOp::Add, out, ctx.input(i), out);
  });
}

template <class T>
T clip_bound(const OpContext& ctx, size_t input, T fallback) {
  return ctx.has_input(input) ? ctx.input(input).data<T>()[0] : fallback;
}

void clip(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.output(0);
  if (graph::opset_before(ctx.node, 11)) {
    const float inf = std::numeric_limits<float>::infinity();
    kernels::clip_f32(x.data<float>(), y.data<float>(), x.numel(), ctx.node.attr_float("min", -inf),
                      ctx.node.attr_float("max", inf));
    return;
  }
  dispatch_arithmetic(ctx, x.dtype(), [&](auto t) {
    using T = decltype(t);
    if constexpr (std::is_same<T, float>::value) {
      const float inf = std::numeric_limits<float>::infinity();
      kernels::clip_f32(x.data<T>(), y.data<T>(), x.numel(), clip_bound<T>(ctx, 1, -inf), clip_bound<T>(ctx, 2, inf));
    } else {
      kernels::clip_int<T>(x.data<T>(), y.data<T>(), x.numel(), clip_bound<T>(ctx, 1, std::numeric_limits<T>::lowest()),
                           clip_bound<T>(ctx, 2, std::numeric_limits<T>::max()));
    }
  });
}

void softmax(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const graph::SoftmaxView v = graph::softmax_view(ctx.node, x.shape());
  kernels::softmax_f32(x.data<float>(), ctx.output(0).data<float>(), v.outer, v.axis, v.inner);
}

template <kernels::Reduction Kind>
void reduce(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const bool axes_input = graph::reduce_axes_from_input(ctx.node) && ctx.has_input(1);
  const std::vector<bool> reduced = graph::reduced_axes(ctx.node, x.shape(), axes_input ? &ctx.input(1) : nullptr);
  kernels::reduce_f32(Kind, x.data<float>(), x.shape(), reduced, ctx.output(0).data<float>());
}

}  // namespace

void add_elementwise_ops(OpTable& t) {
  t["Relu"] = unary<kernels::relu_f32>;
  t["Sigmoid"] = unary<kernels::sigmoid_f32>;
  t["Tanh"] = unary<kernels::tanh_f32>;
  t["HardSwish"] = unary<kernels::hard_swish_f32>;
  t["Erf"] = unary<kernels::erf_f32>;
  t["Exp"] = unary<kernels::exp_f32>;
  t["Sqrt"] = unary<kernels::sqrt_f32>;
  t["Neg"] = unary<kernels::neg_f32>;
  t["Abs"] = unary<kernels::abs_f32>;
  t["LeakyRelu"] = leaky_relu;
  t["Elu"] = elu;
  t["Celu"] = celu;
  t["HardSigmoid"] = hard_sigmoid;
  t["PRelu"] = prelu;
  t["Clip"] = clip;
  t["Add"] = add;
  t["Sub"] = binary<BinaryOp::Sub>;
  t["Mul"] = binary<BinaryOp::Mul>;
  t["Div"] = binary<BinaryOp::Div>;
  t["Sum"] = sum;
  t["Softmax"] = softmax;
  t["ReduceMean"] = reduce<kernels::Reduction::Mean>;
  t["ReduceSum"] = reduce<kernels::Reduction::Sum>;
  t["ReduceMax"] = reduce<kernels::Reduction::Max>;
  t["ReduceMin"] = reduce<kernels::Reduction::Min>;
}

}  // namespace octet::engine
