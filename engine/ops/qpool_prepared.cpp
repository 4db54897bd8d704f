// The 8-bit pools at the session's ISA: com.microsoft:QLinearAveragePool
// and QLinearGlobalAveragePool when their quantization parameters are
// constant, and the default domain's MaxPool on uint8 / int8 (no Indices
// output). The kernels are channels-last uint8 (kernels/qpool.h): an NCHW
// tensor is transposed in and out, int8 carried with its sign bit flipped
// (qnn.h says why that is exact).
#include <cmath>
#include <limits>
#include <memory>
#include <optional>

#include "engine/ops/nhwc_transpose.h"
#include "engine/ops/qnn.h"
#include "engine/ops/quant_prepared.h"
#include "graph/conv_attrs.h"
#include "kernels/qpool.h"

namespace octet::engine::qnn {

namespace {

using graph::DType;

// Window sums of 8-bit values stay exact in int32 up to this many taps.
constexpr int64_t kMaxTaps = std::numeric_limits<int32_t>::max() / 255;

// The four scalar qparams (X, x_scale, x_zp?, y_scale, y_zp?) when constant.
std::optional<QPoolQuant> constant_pool_quant(const PrepareContext& ctx) {
  auto x_scale = qprep::constant_floats(ctx, 1), y_scale = qprep::constant_floats(ctx, 3);
  auto x_zp = qprep::constant_ints(ctx, 2), y_zp = qprep::constant_ints(ctx, 4);
  if (!x_scale || !y_scale || !x_zp || !y_zp) return std::nullopt;
  QPoolQuant q;
  q.x_scale = (*x_scale)[0];
  q.y_scale = (*y_scale)[0];
  q.x_zero_point = x_zp->empty() ? 0 : (*x_zp)[0];
  q.y_zero_point = y_zp->empty() ? 0 : (*y_zp)[0];
  // The largest multiplier is a one-tap window's; an infinite or NaN one
  // makes 0 * inf = NaN, which the reference maps to the zero point and
  // the SIMD clamp need not.
  if (!std::isfinite(kernels::qaverage_multiplier(q.x_scale, q.y_scale, 1))) return std::nullopt;
  return q;
}

class PreparedQAveragePool final : public PreparedOp {
 public:
  PreparedQAveragePool(kernels::Isa isa, QPoolShape shape, QPoolQuant quant, bool count_include_pad)
      : isa_(isa), shape_(std::move(shape)), quant_(quant), count_include_pad_(count_include_pad) {}

  void run(OpContext& ctx) const override {
    run_qaverage_pool(isa_, shape_, quant_, count_include_pad_, ctx.input(0), ctx.output(0),
                      ctx.scratch<QPoolScratch>());
  }

 private:
  kernels::Isa isa_;
  QPoolShape shape_;
  QPoolQuant quant_;
  bool count_include_pad_;
};

std::unique_ptr<PreparedOp> prepare_qaverage_pool(const PrepareContext& ctx) {
  auto q = constant_pool_quant(ctx);
  if (!q) return nullptr;
  QPoolShape s = qaverage_pool_shape(ctx.node, ctx.inputs[0].shape);
  if (s.params.window.kernel_numel() > kMaxTaps) return nullptr;
  return std::make_unique<PreparedQAveragePool>(ctx.isa, std::move(s), *q,
                                                ctx.node.attr_int("count_include_pad", 0) == 1);
}

class PreparedQGlobalAveragePool final : public PreparedOp {
 public:
  PreparedQGlobalAveragePool(kernels::Isa isa, bool channels_last, QPoolQuant quant)
      : isa_(isa), channels_last_(channels_last), quant_(quant) {}

  void run(OpContext& ctx) const override {
    run_qglobal_average_pool(isa_, channels_last_, quant_, ctx.input(0), ctx.output(0), ctx.scratch<QPoolScratch>());
  }

 private:
  kernels::Isa isa_;
  bool channels_last_;
  QPoolQuant quant_;
};

std::unique_ptr<PreparedOp> prepare_qglobal_average_pool(const PrepareContext& ctx) {
  auto q = constant_pool_quant(ctx);
  if (!q) return nullptr;
  const graph::Shape& x = ctx.inputs[0].shape;
  const bool last = ctx.node.attr_int("channels_last", 0) == 1;
  const int64_t channels = last ? x.back() : x[1];
  const int64_t planes = x[0] * channels;
  if (planes > 0 && graph::shape_numel(x) / planes > kMaxTaps) return nullptr;
  return std::make_unique<PreparedQGlobalAveragePool>(ctx.isa, last, *q);
}

// MaxPool on 8-bit NCHW data: transpose in, the channels-last kernel,
// transpose out. Max commutes with the order-preserving sign flip.
class PreparedQMaxPool final : public PreparedOp {
 public:
  PreparedQMaxPool(kernels::Isa isa, kernels::QPoolParams params) : isa_(isa), params_(std::move(params)) {}

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    QPoolScratch& sc = ctx.scratch<QPoolScratch>();
    if (x.dtype() == DType::Int8) return run_typed<int8_t>(x, ctx.output(0), sc);
    run_typed<uint8_t>(x, ctx.output(0), sc);
  }

 private:
  template <class T> void run_typed(const Tensor& x, Tensor& y, QPoolScratch& sc) const {
    const int64_t n = params_.batch, c = params_.channels;
    sc.x.resize(static_cast<size_t>(x.numel()));
    sc.y.resize(static_cast<size_t>(y.numel()));
    nchw_to_nhwc_u8(x.data<T>(), n, c, params_.window.in_numel(), sc.x.data());
    kernels::qmax_pool_nhwc_u8(isa_, params_, sc.x.data(), sc.y.data());
    nhwc_u8_to_nchw(sc.y.data(), n, c, params_.window.out_numel(), y.data<T>());
  }

  kernels::Isa isa_;
  kernels::QPoolParams params_;
};

std::unique_ptr<PreparedOp> prepare_max_pool(const PrepareContext& ctx) {
  const DType t = ctx.inputs[0].dtype;
  if (t != DType::UInt8 && t != DType::Int8) return nullptr;
  // Indices come from the reference op only.
  if (ctx.node.outputs.size() > 1 && !ctx.node.outputs[1].empty()) return nullptr;
  const graph::PoolGeometry g = graph::resolve_pool_geometry(ctx.node, ctx.inputs[0].shape);
  kernels::QPoolParams p;
  p.batch = g.batch;
  p.channels = g.channels;
  p.window = {g.in_size, g.kernel, g.stride, g.dilation, g.pad_begin, g.pad_end, g.out_size};
  if (p.batch == 0 || p.channels == 0 || p.window.in_numel() == 0) return nullptr;
  return std::make_unique<PreparedQMaxPool>(ctx.isa, std::move(p));
}

}  // namespace

void add_qpool_prepares(PrepareTable& t) {
  t[graph::op_key(graph::kMicrosoftDomain, "QLinearAveragePool")] = prepare_qaverage_pool;
  t[graph::op_key(graph::kMicrosoftDomain, "QLinearGlobalAveragePool")] = prepare_qglobal_average_pool;
  t["MaxPool"] = prepare_max_pool;
}

}  // namespace octet::engine::qnn
