// FP32 reference ops for Conv, Gemm, MatMul, the pools and the
// normalizations. Shapes and attributes were validated by the shape rules
// (graph/shapes_nn.cpp); geometry is re-resolved by the same helpers.
#include <algorithm>
#include <vector>

#include "engine/op_registry.h"
#include "engine/ops/conv_params.h"
#include "engine/ops/fused_activation.h"
#include "graph/conv_attrs.h"
#include "graph/error.h"
#include "graph/matmul_dims.h"
#include "graph/shape_inference.h"
#include "kernels/broadcast.h"
#include "kernels/fp32/conv_f32.h"
#include "kernels/fp32/gemm_f32.h"
#include "kernels/fp32/norm_f32.h"
#include "kernels/fp32/pool_f32.h"

namespace octet::engine {

namespace {

using graph::DType;
using graph::Shape;

// Copies `src` broadcast (unidirectionally) to the row-major `target` shape.
void broadcast_into(const Tensor& src, const Shape& target, float* dst) {
  kernels::BroadcastLoop loop = kernels::plan_broadcast(target, src.shape(), src.shape());
  const float* s = src.data<float>();
  kernels::for_each_run(loop, [&](int64_t a, int64_t, int64_t out, int64_t count) {
    if (loop.a_inner() == 0) std::fill(dst + out, dst + out + count, s[a]);
    else std::copy(s + a, s + a + count, dst + out);
  });
}

void conv(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  const kernels::ConvParams p =
      checked_conv_params(ctx.node, graph::resolve_conv_geometry(ctx.node, x.shape(), w.shape()));
  const float* bias = ctx.has_input(2) ? ctx.input(2).data<float>() : nullptr;
  kernels::conv_f32(p, x.data<float>(), w.data<float>(), bias, ctx.output(0).data<float>());
  apply_fused_activation(ctx.node, ctx.output(0));
}

void gemm(OpContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  Tensor& y = ctx.output(0);
  const bool ta = ctx.node.attr_int("transA", 0) == 1, tb = ctx.node.attr_int("transB", 0) == 1;
  const int64_t M = y.dim(0), N = y.dim(1), K = ta ? a.dim(0) : a.dim(1);
  float beta = ctx.node.attr_float("beta", 1.f);
  if (ctx.has_input(2)) broadcast_into(ctx.input(2), y.shape(), y.data<float>());
  else beta = 0.f;
  kernels::gemm_f32(ta, tb, M, N, K, ctx.node.attr_float("alpha", 1.f), a.data<float>(), a.dim(1),
                    b.data<float>(), b.dim(1), beta, y.data<float>(), N);
  apply_fused_activation(ctx.node, y);
}

void matmul(OpContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  graph::MatMulDims d = graph::matmul_dims(a.shape(), b.shape(), ctx.node.label());
  const float* ad = a.data<float>();
  const float* bd = b.data<float>();
  float* y = ctx.output(0).data<float>();
  for (int64_t i = 0; i < d.batches; ++i)
    kernels::matmul_f32(d.M, d.N, d.K, ad + d.a_batch(i) * d.M * d.K, bd + d.b_batch(i) * d.K * d.N,
                        y + i * d.M * d.N);
  apply_fused_activation(ctx.node, ctx.output(0));
}

kernels::PoolParams pool_params(const OpContext& ctx) {
  graph::PoolGeometry g = graph::resolve_pool_geometry(ctx.node, ctx.input(0).shape());
  kernels::PoolParams p;
  p.planes = g.batch * g.channels;
  p.window = to_window(g);
  return p;
}

template <class T>
void max_pool_typed(OpContext& ctx) {
  kernels::PoolParams p = pool_params(ctx);
  int64_t* indices = ctx.has_output(1) ? ctx.output(1).data<int64_t>() : nullptr;
  const bool column_major = ctx.node.attr_int("storage_order", 0) == 1;
  kernels::max_pool<T>(p, ctx.input(0).data<T>(), ctx.output(0).data<T>(), indices, column_major);
}

void max_pool(OpContext& ctx) {
  switch (ctx.input(0).dtype()) {
    case DType::Float32: return max_pool_typed<float>(ctx);
    case DType::UInt8: return max_pool_typed<uint8_t>(ctx);
    case DType::Int8: return max_pool_typed<int8_t>(ctx);
    default: throw UnsupportedError(ctx.node.label() + ": unsupported input dtype");
  }
}

void average_pool(OpContext& ctx) {
  kernels::PoolParams p = pool_params(ctx);
  kernels::average_pool_f32(p, ctx.input(0).data<float>(), ctx.output(0).data<float>(),
                            ctx.node.attr_int("count_include_pad", 0) == 1);
}

// Planes (N * C) and plane size of a [N, C, spatial...] input.
std::pair<int64_t, int64_t> planes_of(const Tensor& x) {
  const int64_t planes = x.dim(0) * x.dim(1);
  return {planes, planes == 0 ? 0 : x.numel() / planes};
}

void global_average_pool(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  auto [planes, size] = planes_of(x);
  kernels::global_average_pool_f32(planes, size, x.data<float>(), ctx.output(0).data<float>());
}

template <class T>
void global_max_pool_typed(const Tensor& x, Tensor& y) {
  auto [planes, size] = planes_of(x);
  kernels::global_max_pool<T>(planes, size, x.data<T>(), y.data<T>());
}

void global_max_pool(OpContext& ctx) {
  switch (ctx.input(0).dtype()) {
    case DType::Float32: return global_max_pool_typed<float>(ctx.input(0), ctx.output(0));
    case DType::UInt8: return global_max_pool_typed<uint8_t>(ctx.input(0), ctx.output(0));
    case DType::Int8: return global_max_pool_typed<int8_t>(ctx.input(0), ctx.output(0));
    default: throw UnsupportedError(ctx.node.label() + ": unsupported input dtype");
  }
}

void batch_norm(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t batch = x.dim(0), channels = x.dim(1);
  const int64_t spatial = batch * channels == 0 ? 0 : x.numel() / (batch * channels);
  kernels::batch_norm_f32(batch, channels, spatial, x.data<float>(), ctx.input(1).data<float>(),
                          ctx.input(2).data<float>(), ctx.input(3).data<float>(), ctx.input(4).data<float>(),
                          ctx.node.attr_float("epsilon", 1e-5f), ctx.output(0).data<float>());
}

void layer_norm(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t axis = graph::normalize_axis(ctx.node.attr_int("axis", -1), static_cast<int64_t>(x.rank()),
                                             ctx.node.label());
  const Shape normalized(x.shape().begin() + axis, x.shape().end());
  const int64_t cols = graph::shape_numel(normalized);
  const int64_t rows = cols == 0 ? 0 : x.numel() / cols;
  std::vector<float> scale(static_cast<size_t>(cols)), bias;
  broadcast_into(ctx.input(1), normalized, scale.data());
  if (ctx.has_input(2)) {
    bias.resize(static_cast<size_t>(cols));
    broadcast_into(ctx.input(2), normalized, bias.data());
  }
  float* mean = ctx.has_output(1) ? ctx.output(1).data<float>() : nullptr;
  float* inv_std = ctx.has_output(2) ? ctx.output(2).data<float>() : nullptr;
  kernels::layer_norm_f32(rows, cols, x.data<float>(), scale.data(), bias.empty() ? nullptr : bias.data(),
                          ctx.node.attr_float("epsilon", 1e-5f), ctx.output(0).data<float>(), mean, inv_std);
}

}  // namespace

void add_nn_ops(OpTable& t) {
  t["Conv"] = conv;
  t["Gemm"] = gemm;
  t["MatMul"] = matmul;
  t["MaxPool"] = max_pool;
  t["AveragePool"] = average_pool;
  t["GlobalAveragePool"] = global_average_pool;
  t["GlobalMaxPool"] = global_max_pool;
  t["BatchNormalization"] = batch_norm;
  t["LayerNormalization"] = layer_norm;
}

}  // namespace octet::engine
