#include <algorithm>
#include <vector>

#include "engine/op_registry.h"
#include "engine/ops/conv_params.h"
#include "engine/ops/quant_inputs.h"
#include "engine/ops/quantized_activation.h"
#include "graph/conv_attrs.h"
#include "graph/error.h"
#include "graph/matmul_dims.h"
#include "graph/shape_inference.h"
#include "kernels/ref/qconv.h"
#include "kernels/ref/qgemm.h"
#include "kernels/ref/quantize.h"

namespace octet::engine {

namespace {

using graph::DType;
using kernels::QuantParams;

// Scale and zero point as the kernels see them: stride 0 for one value.
QuantParams quant_params(const Tensor& scale, const std::vector<int32_t>& zp) {
  QuantParams qp;
  qp.scale = scale.data<float>();
  qp.zero_point = zp.empty() ? nullptr : zp.data();
  qp.stride = scale.numel() == 1 ? 0 : 1;
  return qp;
}

// The [outer, channels, inner] view of x around the quantization axis.
kernels::AxisSplit axis_split(const OpContext& ctx, const Tensor& x, const Tensor& scale) {
  kernels::AxisSplit s;
  if (scale.numel() == 1) {
    s.inner = x.numel();
    return s;
  }
  const int64_t rank = static_cast<int64_t>(x.rank());
  const int64_t axis = graph::normalize_axis(ctx.node.attr_int("axis", 1), rank, ctx.node.label());
  for (int64_t i = 0; i < axis; ++i) s.outer *= x.dim(i);
  s.channels = x.dim(axis);
  for (int64_t i = axis + 1; i < rank; ++i) s.inner *= x.dim(i);
  return s;
}

template <class X, class Q> void quantize_typed(OpContext& ctx, const QuantParams& qp, const kernels::AxisSplit& s) {
  kernels::quantize_linear_ref(ctx.input(0).data<X>(), s, qp, ctx.output(0).data<Q>());
}

template <class X> void quantize_from(OpContext& ctx, const QuantParams& qp, const kernels::AxisSplit& s) {
  if (ctx.output(0).dtype() == DType::UInt8)
    quantize_typed<X, uint8_t>(ctx, qp, s);
  else
    quantize_typed<X, int8_t>(ctx, qp, s);
}

void quantize_linear(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& scale = ctx.input(1);
  std::vector<int32_t> zp = zero_points(ctx, 2);
  QuantParams qp = quant_params(scale, zp);
  kernels::AxisSplit s = axis_split(ctx, x, scale);
  if (x.dtype() == DType::Float32)
    quantize_from<float>(ctx, qp, s);
  else
    quantize_from<int32_t>(ctx, qp, s);
}

void dequantize_linear(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& scale = ctx.input(1);
  std::vector<int32_t> zp = zero_points(ctx, 2);
  if (x.dtype() == DType::Int32)
    for (int32_t z : zp)
      if (z != 0) throw FormatError(ctx.node.label() + ": an int32 input must have zero point 0");
  QuantParams qp = quant_params(scale, zp);
  kernels::AxisSplit s = axis_split(ctx, x, scale);
  float* y = ctx.output(0).data<float>();
  switch (x.dtype()) {
    case DType::UInt8: kernels::dequantize_linear_ref(x.data<uint8_t>(), s, qp, y); break;
    case DType::Int8: kernels::dequantize_linear_ref(x.data<int8_t>(), s, qp, y); break;
    default: kernels::dequantize_linear_ref(x.data<int32_t>(), s, qp, y); break;
  }
}

void dynamic_quantize_linear(OpContext& ctx) {
  const Tensor& x = ctx.input(0);
  float scale = 1.0f;
  uint8_t zp = 0;
  kernels::dynamic_quantize_params(x.data<float>(), x.numel(), &scale, &zp);
  const int32_t zp32 = zp;
  QuantParams qp{&scale, &zp32, 0};
  kernels::AxisSplit s;
  s.inner = x.numel();
  if (ctx.has_output(0)) kernels::quantize_linear_ref(x.data<float>(), s, qp, ctx.output(0).data<uint8_t>());
  if (ctx.has_output(1)) ctx.output(1).data<float>()[0] = scale;
  if (ctx.has_output(2)) ctx.output(2).data<uint8_t>()[0] = zp;
}

// Where one batch's quantization parameters start, for each layout.
int64_t param_offset(graph::MatMulParamLayout layout, int64_t operand_batch, int64_t channels) {
  return layout == graph::MatMulParamLayout::PerBatchChannel ? operand_batch * channels : 0;
}

// A scale and its zero points at one size. ONNX lets either be a single
// value while the other is per channel; the kernels step both with one
// stride, so the single one is repeated. `shape` is the larger one's.
struct ScaleZeroPoints {
  std::vector<float> scale;
  std::vector<int32_t> zero_point;  // empty when omitted
  graph::Shape shape;
};

ScaleZeroPoints scale_and_zero_points(const OpContext& ctx, size_t scale, size_t zp) {
  const Tensor& s = ctx.input(scale);
  ScaleZeroPoints p{{s.data<float>(), s.data<float>() + s.numel()}, zero_points(ctx, zp), s.shape()};
  if (!p.zero_point.empty() && p.zero_point.size() > p.scale.size()) {
    p.scale.assign(p.zero_point.size(), p.scale[0]);
    p.shape = ctx.input(zp).shape();
  } else if (!p.zero_point.empty() && p.zero_point.size() < p.scale.size()) {
    p.zero_point.assign(p.scale.size(), p.zero_point[0]);
  }
  return p;
}

// Operands, zero points and (for QLinearMatMul) scales of one matmul, with
// the per-batch offsets the kernels need. The parameter shapes give the
// layouts (one value, per row / column, or per batch and row / column).
struct MatMulOperands {
  graph::MatMulDims dims;
  graph::MatMulParamLayout a_layout = graph::MatMulParamLayout::PerTensor;
  graph::MatMulParamLayout b_layout = graph::MatMulParamLayout::PerTensor;
  std::vector<int32_t> a_zp, b_zp;

  MatMulOperands(const OpContext& ctx, size_t a, size_t b, const graph::Shape* a_param, const graph::Shape* b_param) {
    const graph::Shape& sa = ctx.input(a).shape();
    const graph::Shape& sb = ctx.input(b).shape();
    dims = graph::matmul_dims(sa, sb, ctx.node.label());
    if (a_param) a_layout = graph::matmul_param_layout(sa, *a_param, true, ctx.node.label());
    if (b_param) b_layout = graph::matmul_param_layout(sb, *b_param, false, ctx.node.label());
  }
  int64_t a_offset(int64_t batch) const { return param_offset(a_layout, dims.a_batch(batch), dims.M); }
  int64_t b_offset(int64_t batch) const { return param_offset(b_layout, dims.b_batch(batch), dims.N); }
  int64_t a_stride() const { return a_layout == graph::MatMulParamLayout::PerTensor ? 0 : 1; }
  int64_t b_stride() const { return b_layout == graph::MatMulParamLayout::PerTensor ? 0 : 1; }
};

const int32_t* at(const std::vector<int32_t>& v, int64_t offset) { return v.empty() ? nullptr : v.data() + offset; }

const graph::Shape* shape_if_given(const OpContext& ctx, size_t i) {
  return ctx.has_input(i) ? &ctx.input(i).shape() : nullptr;
}

template <class A, class B> void matmul_integer_typed(OpContext& ctx) {
  MatMulOperands op(ctx, 0, 1, shape_if_given(ctx, 2), shape_if_given(ctx, 3));
  op.a_zp = zero_points(ctx, 2);
  op.b_zp = zero_points(ctx, 3);
  const auto& d = op.dims;
  const A* a = ctx.input(0).data<A>();
  const B* b = ctx.input(1).data<B>();
  int32_t* y = ctx.output(0).data<int32_t>();
  for (int64_t i = 0; i < d.batches; ++i)
    kernels::gemm_s32_ref(d.M, d.N, d.K, a + d.a_batch(i) * d.M * d.K, at(op.a_zp, op.a_offset(i)), op.a_stride(),
                          b + d.b_batch(i) * d.K * d.N, at(op.b_zp, op.b_offset(i)), op.b_stride(),
                          y + i * d.M * d.N);
}

template <class A, class B, class Y> void qlinear_matmul_typed(OpContext& ctx) {
  const ScaleZeroPoints aq = scale_and_zero_points(ctx, 1, 2), bq = scale_and_zero_points(ctx, 4, 5);
  MatMulOperands op(ctx, 0, 3, &aq.shape, &bq.shape);
  op.a_zp = aq.zero_point;
  op.b_zp = bq.zero_point;
  const auto& d = op.dims;
  const float* a_scale = aq.scale.data();
  const float* b_scale = bq.scale.data();
  const float y_scale = ctx.input(6).data<float>()[0];
  const int32_t y_zp = zero_points(ctx, 7)[0];
  const A* a = ctx.input(0).data<A>();
  const B* b = ctx.input(3).data<B>();
  Y* y = ctx.output(0).data<Y>();
  for (int64_t i = 0; i < d.batches; ++i) {
    QuantParams aq{a_scale + op.a_offset(i), at(op.a_zp, op.a_offset(i)), op.a_stride()};
    QuantParams bq{b_scale + op.b_offset(i), at(op.b_zp, op.b_offset(i)), op.b_stride()};
    kernels::qlinear_matmul_ref(d.M, d.N, d.K, a + d.a_batch(i) * d.M * d.K, aq, b + d.b_batch(i) * d.K * d.N, bq,
                                y_scale, y_zp, y + i * d.M * d.N);
  }
}

void matmul_integer(OpContext& ctx) {
  with_8bit(ctx.input(0).dtype(), [&](auto a) {
    with_8bit(ctx.input(1).dtype(), [&](auto b) { matmul_integer_typed<decltype(a), decltype(b)>(ctx); });
  });
}

void qlinear_matmul(OpContext& ctx) {
  with_8bit(ctx.input(0).dtype(), [&](auto a) {
    with_8bit(ctx.input(3).dtype(), [&](auto b) {
      with_8bit(ctx.output(0).dtype(), [&](auto y) { qlinear_matmul_typed<decltype(a), decltype(b), decltype(y)>(ctx); });
    });
  });
}

kernels::ConvParams conv_params(const OpContext& ctx, size_t x, size_t w) {
  return checked_conv_params(
      ctx.node, graph::resolve_conv_geometry(ctx.node, ctx.input(x).shape(), ctx.input(w).shape()));
}

template <class X, class W> void conv_integer_typed(OpContext& ctx) {
  kernels::ConvParams p = conv_params(ctx, 0, 1);
  std::vector<int32_t> x_zp = zero_points(ctx, 2), w_zp = zero_points(ctx, 3);
  kernels::conv_s32_ref(p, ctx.input(0).data<X>(), x_zp.empty() ? 0 : x_zp[0], ctx.input(1).data<W>(),
                        w_zp.empty() ? nullptr : w_zp.data(), w_zp.size() > 1 ? 1 : 0, nullptr,
                        ctx.output(0).data<int32_t>());
}

template <class X, class W, class Y> void qlinear_conv_typed(OpContext& ctx) {
  kernels::ConvParams p = conv_params(ctx, 0, 3);
  const ScaleZeroPoints wq = scale_and_zero_points(ctx, 4, 5);
  const float x_scale = ctx.input(1).data<float>()[0];
  const float y_scale = ctx.input(6).data<float>()[0];
  const int32_t x_zp = zero_points(ctx, 2)[0], y_zp = zero_points(ctx, 7)[0];
  const int32_t* bias = ctx.has_input(8) ? ctx.input(8).data<int32_t>() : nullptr;
  Y* y = ctx.output(0).data<Y>();
  kernels::qlinear_conv_ref(p, ctx.input(0).data<X>(), x_scale, x_zp, ctx.input(3).data<W>(),
                            QuantParams{wq.scale.data(), wq.zero_point.empty() ? nullptr : wq.zero_point.data(),
                                        wq.scale.size() == 1 ? 0 : 1},
                            bias, y_scale, y_zp, y);
  // A fused ReLU / Clip: the clamp of the prepared op's epilogue, max then min.
  const QuantizedClamp clamp = quantized_activation_clamp(ctx.node, ctx.output(0).dtype(), y_scale, y_zp);
  for (int64_t i = 0, n = ctx.output(0).numel(); i < n; ++i)
    y[i] = static_cast<Y>(std::min<int32_t>(std::max<int32_t>(y[i], clamp.qmin), clamp.qmax));
}

void conv_integer(OpContext& ctx) {
  with_8bit(ctx.input(0).dtype(), [&](auto x) {
    with_8bit(ctx.input(1).dtype(), [&](auto w) { conv_integer_typed<decltype(x), decltype(w)>(ctx); });
  });
}

void qlinear_conv(OpContext& ctx) {
  with_8bit(ctx.input(0).dtype(), [&](auto x) {
    with_8bit(ctx.input(3).dtype(), [&](auto w) {
      with_8bit(ctx.output(0).dtype(), [&](auto y) { qlinear_conv_typed<decltype(x), decltype(w), decltype(y)>(ctx); });
    });
  });
}

}  // namespace

void add_quant_ops(OpTable& t) {
  t["QuantizeLinear"] = quantize_linear;
  t["DequantizeLinear"] = dequantize_linear;
  t["DynamicQuantizeLinear"] = dynamic_quantize_linear;
  t["MatMulInteger"] = matmul_integer;
  t["QLinearMatMul"] = qlinear_matmul;
  t["ConvInteger"] = conv_integer;
  t["QLinearConv"] = qlinear_conv;
}

}  // namespace octet::engine
