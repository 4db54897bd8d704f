// Reference ops of ONNX Runtime's quantized NN contrib ops: QGemm on the
// scalar integer GEMM with the one epilogue definition (qgemm_store_ref),
// the quantized pools on the scalar pool kernels. Shapes and attributes
// were validated by graph/shapes_qnn.cpp.
#include "engine/ops/qnn.h"

#include <algorithm>
#include <type_traits>

#include "engine/ops/fused_activation.h"
#include "engine/ops/nhwc_transpose.h"
#include "engine/ops/quant_inputs.h"
#include "engine/ops/quantized_activation.h"
#include "graph/conv_attrs.h"
#include "kernels/qpool.h"
#include "kernels/ref/qgemm.h"
#include "kernels/ref/qgemm_u8s8_ref.h"

namespace octet::engine {

namespace qnn {

QGemmDims qgemm_dims(const graph::Node& node, const graph::Shape& a, const graph::Shape& b) {
  QGemmDims d;
  d.trans_a = node.attr_int("transA", 0) == 1;
  d.trans_b = node.attr_int("transB", 0) == 1;
  d.m = d.trans_a ? a[1] : a[0];
  d.k = d.trans_a ? a[0] : a[1];
  d.n = d.trans_b ? b[0] : b[1];
  return d;
}

std::vector<float> qgemm_output_scales(float alpha, float a_scale, const std::vector<float>& b_scale,
                                       const float* y_scale) {
  std::vector<float> out;
  for (float b : b_scale)
    out.push_back(y_scale ? kernels::requantize_multiplier(alpha * a_scale, b, *y_scale) : alpha * a_scale * b);
  return out;
}

QPoolShape qaverage_pool_shape(const graph::Node& node, const graph::Shape& x) {
  QPoolShape s;
  s.channels_last = node.attr_int("channels_last", 0) == 1;
  graph::Shape nchw = x;
  if (s.channels_last) {
    nchw = {x[0], x.back()};
    nchw.insert(nchw.end(), x.begin() + 1, x.end() - 1);
  }
  const graph::PoolGeometry g = graph::resolve_pool_geometry(node, nchw);
  s.params.batch = g.batch;
  s.params.channels = g.channels;
  s.params.window = {g.in_size, g.kernel, g.stride, g.dilation, g.pad_begin, g.pad_end, g.out_size};
  return s;
}

namespace {

// x as the u8 kernels read it: in place for uint8 in the kernel's layout,
// else a (transposed and / or sign-flipped) copy in `buffer`.
template <class T>
const uint8_t* u8_input(const Tensor& x, bool transpose, int64_t channels, std::vector<uint8_t>& buffer) {
  const T* src = x.data<T>();
  if (!transpose && std::is_same<T, uint8_t>::value) return reinterpret_cast<const uint8_t*>(src);
  buffer.resize(static_cast<size_t>(x.numel()));
  if (transpose) {
    const int64_t batch = x.dim(0), pixels = x.numel() / std::max<int64_t>(batch * channels, 1);
    nchw_to_nhwc_u8(src, batch, channels, pixels, buffer.data());
  } else {
    std::transform(src, src + x.numel(), buffer.begin(), to_u8<T>);
  }
  return buffer.data();
}

// Where the kernel writes y: in place when no conversion is needed, else
// `buffer`, which finish_u8_output then converts into y.
template <class T> uint8_t* u8_output(Tensor& y, bool transpose, std::vector<uint8_t>& buffer) {
  if (!transpose && std::is_same<T, uint8_t>::value) return reinterpret_cast<uint8_t*>(y.data<T>());
  buffer.resize(static_cast<size_t>(y.numel()));
  return buffer.data();
}

template <class T>
void finish_u8_output(Tensor& y, bool transpose, int64_t channels, const std::vector<uint8_t>& buffer) {
  T* dst = y.data<T>();
  if (!transpose && std::is_same<T, uint8_t>::value) return;
  if (transpose) {
    const int64_t batch = y.dim(0), pixels = y.numel() / std::max<int64_t>(batch * channels, 1);
    nhwc_u8_to_nchw(buffer.data(), batch, channels, pixels, dst);
  } else {
    std::transform(buffer.begin(), buffer.begin() + y.numel(), dst, from_u8<T>);
  }
}

// Zero points as the u8 kernels take them (see qnn.h).
QPoolQuant as_u8(QPoolQuant q, bool is_int8) {
  if (is_int8) q.x_zero_point += 128, q.y_zero_point += 128;
  return q;
}

template <class T>
void qaverage_pool_typed(kernels::Isa isa, const QPoolShape& s, const QPoolQuant& q, bool count_include_pad,
                         const Tensor& x, Tensor& y, QPoolScratch& scratch) {
  const bool transpose = !s.channels_last;
  const int64_t c = s.params.channels;
  const QPoolQuant u = as_u8(q, std::is_signed<T>::value);
  const uint8_t* in = u8_input<T>(x, transpose, c, scratch.x);
  uint8_t* out = u8_output<T>(y, transpose, scratch.y);
  kernels::qaverage_pool_nhwc_u8(isa, s.params, in, u.x_scale, u.x_zero_point, u.y_scale, u.y_zero_point,
                                 count_include_pad, out);
  finish_u8_output<T>(y, transpose, c, scratch.y);
}

template <class T>
void qglobal_average_pool_typed(kernels::Isa isa, bool channels_last, const QPoolQuant& q, const Tensor& x,
                                Tensor& y, QPoolScratch& scratch) {
  const int64_t batch = x.dim(0), channels = channels_last ? x.dim(x.rank() - 1) : x.dim(1);
  const int64_t plane = batch * channels == 0 ? 0 : x.numel() / (batch * channels);
  const QPoolQuant u = as_u8(q, std::is_signed<T>::value);
  // The kernels take either layout, and y is [N, C] in both: no transpose.
  const uint8_t* in = u8_input<T>(x, false, channels, scratch.x);
  uint8_t* out = u8_output<T>(y, false, scratch.y);
  kernels::qglobal_average_pool_u8(isa, batch, channels, plane, channels_last, in, u.x_scale, u.x_zero_point,
                                   u.y_scale, u.y_zero_point, out);
  finish_u8_output<T>(y, false, channels, scratch.y);
}

}  // namespace

void run_qaverage_pool(kernels::Isa isa, const QPoolShape& s, const QPoolQuant& q, bool count_include_pad,
                       const Tensor& x, Tensor& y, QPoolScratch& scratch) {
  if (x.dtype() == graph::DType::Int8) return qaverage_pool_typed<int8_t>(isa, s, q, count_include_pad, x, y, scratch);
  qaverage_pool_typed<uint8_t>(isa, s, q, count_include_pad, x, y, scratch);
}

void run_qglobal_average_pool(kernels::Isa isa, bool channels_last, const QPoolQuant& q, const Tensor& x, Tensor& y,
                              QPoolScratch& scratch) {
  if (x.dtype() == graph::DType::Int8) return qglobal_average_pool_typed<int8_t>(isa, channels_last, q, x, y, scratch);
  qglobal_average_pool_typed<uint8_t>(isa, channels_last, q, x, y, scratch);
}

}  // namespace qnn

namespace {

using graph::DType;

// [rows, cols] -> [cols, rows], so the GEMM reads dense row-major operands.
template <class T> std::vector<T> transposed(const T* src, int64_t rows, int64_t cols) {
  std::vector<T> out(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out[c * rows + r] = src[r * cols + c];
  return out;
}

// acc += C broadcast to [M, N], wrapping as the integer sums do.
void add_bias(const Tensor& c, int64_t m, int64_t n, std::vector<int32_t>& acc) {
  const int64_t rank = static_cast<int64_t>(c.rank());
  const int64_t c_cols = rank >= 1 ? c.dim(rank - 1) : 1, c_rows = rank == 2 ? c.dim(0) : 1;
  const int32_t* cd = c.data<int32_t>();
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const int32_t b = cd[(c_rows == 1 ? 0 : i) * c_cols + (c_cols == 1 ? 0 : j)];
      acc[i * n + j] = static_cast<int32_t>(static_cast<uint32_t>(acc[i * n + j]) + static_cast<uint32_t>(b));
    }
}

// The output stage as the kernels define it, bias already in the sums.
kernels::QGemmEpilogue qgemm_epilogue(const OpContext& ctx, const std::vector<float>& scales) {
  kernels::QGemmEpilogue ep;
  ep.scale = scales.data();
  ep.per_channel = scales.size() > 1;
  const DType y = ctx.output(0).dtype();
  if (y == DType::Float32) {
    ep.type = kernels::QGemmOutput::F32;
    return ep;
  }
  ep.type = y == DType::UInt8 ? kernels::QGemmOutput::U8 : kernels::QGemmOutput::S8;
  ep.zero_point = zero_point_or_0(ctx, 8);
  const QuantizedClamp clamp = quantized_activation_clamp(ctx.node, y, ctx.input(7).data<float>()[0], ep.zero_point);
  ep.qmin = clamp.qmin;
  ep.qmax = clamp.qmax;
  return ep;
}

// QGemm(A, a_scale, a_zp, B, b_scale, b_zp, C?, y_scale?, y_zp?):
// acc = C + sum_k (A - a_zp)(B - b_zp[n]), then the F32 / U8 / S8 epilogue.
template <class A, class B> void qgemm_typed(OpContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(3);
  const qnn::QGemmDims d = qnn::qgemm_dims(ctx.node, a.shape(), b.shape());
  std::vector<A> a_t;
  std::vector<B> b_t;
  const A* ad = a.data<A>();
  const B* bd = b.data<B>();
  if (d.trans_a) ad = (a_t = transposed(ad, d.k, d.m)).data();
  if (d.trans_b) bd = (b_t = transposed(bd, d.n, d.k)).data();
  const std::vector<int32_t> a_zp = zero_points(ctx, 2), b_zp = zero_points(ctx, 5);
  std::vector<int32_t> acc(static_cast<size_t>(d.m * d.n));
  kernels::gemm_s32_ref(d.m, d.n, d.k, ad, a_zp.empty() ? nullptr : a_zp.data(), 0, bd,
                        b_zp.empty() ? nullptr : b_zp.data(), b_zp.size() > 1 ? 1 : 0, acc.data());
  if (ctx.has_input(6)) add_bias(ctx.input(6), d.m, d.n, acc);

  const Tensor& b_scale = ctx.input(4);
  const std::vector<float> scales =
      qnn::qgemm_output_scales(ctx.node.attr_float("alpha", 1.0f), ctx.input(1).data<float>()[0],
                               std::vector<float>(b_scale.data<float>(), b_scale.data<float>() + b_scale.numel()),
                               ctx.has_input(7) ? ctx.input(7).data<float>() : nullptr);
  const kernels::QGemmEpilogue ep = qgemm_epilogue(ctx, scales);
  Tensor& y = ctx.output(0);
  auto* out = static_cast<uint8_t*>(y.raw());
  const size_t row_bytes = static_cast<size_t>(d.n) * graph::dtype_size(y.dtype());
  for (int64_t i = 0; i < d.m; ++i)
    for (int64_t j = 0; j < d.n; ++j) kernels::qgemm_store_ref(ep, j, acc[i * d.n + j], out + i * row_bytes);
  if (ep.type == kernels::QGemmOutput::F32) apply_fused_activation(ctx.node, y);
}

void qgemm(OpContext& ctx) {
  with_8bit(ctx.input(0).dtype(), [&](auto a) {
    with_8bit(ctx.input(3).dtype(), [&](auto b) { qgemm_typed<decltype(a), decltype(b)>(ctx); });
  });
}

// (X, x_scale, x_zero_point?, y_scale, y_zero_point?), all scalars.
qnn::QPoolQuant pool_quant(const OpContext& ctx) {
  qnn::QPoolQuant q;
  q.x_scale = ctx.input(1).data<float>()[0];
  q.y_scale = ctx.input(3).data<float>()[0];
  q.x_zero_point = zero_point_or_0(ctx, 2);
  q.y_zero_point = zero_point_or_0(ctx, 4);
  return q;
}

void qaverage_pool(OpContext& ctx) {
  qnn::QPoolScratch scratch;
  qnn::run_qaverage_pool(kernels::Isa::Ref, qnn::qaverage_pool_shape(ctx.node, ctx.input(0).shape()), pool_quant(ctx),
                         ctx.node.attr_int("count_include_pad", 0) == 1, ctx.input(0), ctx.output(0), scratch);
}

void qglobal_average_pool(OpContext& ctx) {
  qnn::QPoolScratch scratch;
  qnn::run_qglobal_average_pool(kernels::Isa::Ref, ctx.node.attr_int("channels_last", 0) == 1, pool_quant(ctx),
                                ctx.input(0), ctx.output(0), scratch);
}

}  // namespace

void add_qnn_ops(OpTable& t) {
  t[graph::op_key(graph::kMicrosoftDomain, "QGemm")] = qgemm;
  t[graph::op_key(graph::kMicrosoftDomain, "QLinearAveragePool")] = qaverage_pool;
  t[graph::op_key(graph::kMicrosoftDomain, "QLinearGlobalAveragePool")] = qglobal_average_pool;
}

}  // namespace octet::engine
