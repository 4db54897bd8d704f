// QLinearConv and ConvInteger (1-D and 2-D) on the INT8 convolution
// kernels, for a constant weight: prepacked once with x's zero point folded
// into the bias. The kernels are NHWC. The ONNX ops are NCHW, so each run
// transposes x in and y out; com.microsoft:QLinearConv with channels_last = 1
// (what graph::keep_int8_nhwc makes of INT8 chains) takes x and gives y NHWC
// and runs the kernel in place, int8 x still flipped into uint8.
#include <memory>
#include <stdexcept>

#include "engine/ops/nhwc_transpose.h"
#include "engine/ops/quant_prepared.h"
#include "engine/ops/quantized_activation.h"
#include "engine/parallel.h"
#include "engine/thread_pool.h"
#include "graph/conv_attrs.h"
#include "kernels/qconv.h"
#include "kernels/ref/requantize.h"

namespace octet::engine::qprep {

namespace {

using graph::DType;

// What a run changes, per run context: NHWC copies of x and y (y's int32
// so that it is aligned for ConvInteger and holds u8 / s8 as bytes
// otherwise) and the kernel's scratch per thread.
struct ConvScratch {
  std::vector<uint8_t> x_nhwc;
  std::vector<int32_t> y_nhwc;
  std::vector<std::vector<uint8_t>> kernel;
};

class PreparedConv final : public PreparedOp {
 public:
  PreparedConv(kernels::PackedConv packed, bool channels_last)
      : packed_(std::move(packed)), channels_last_(channels_last) {}

  void run(OpContext& ctx) const override {
    ConvScratch& sc = ctx.scratch<ConvScratch>();
    if (channels_last_) return run_nhwc(ctx.input(0), ctx.output(0), ctx.pool, sc);
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const auto& s = packed_.shape;
    const int64_t batch = x.dim(0);
    const int64_t in_pixels = s.in_h * s.in_w, out_pixels = s.out_h * s.out_w;
    sc.x_nhwc.resize(static_cast<size_t>(x.numel()));
    if (x.dtype() == DType::Int8)
      nchw_to_nhwc_u8(x.data<int8_t>(), batch, s.in_channels, in_pixels, sc.x_nhwc.data());
    else
      nchw_to_nhwc_u8(x.data<uint8_t>(), batch, s.in_channels, in_pixels, sc.x_nhwc.data());
    sc.y_nhwc.resize((y.nbytes() + 3) / 4);
    convolve(ctx.pool, batch, sc.x_nhwc.data(), sc.y_nhwc.data(), sc);
    const int64_t m = s.out_channels;
    const void* y_nhwc = sc.y_nhwc.data();
    switch (y.dtype()) {
      case DType::Int32: nhwc_to_nchw(sc.y_nhwc.data(), batch, m, out_pixels, y.data<int32_t>()); break;
      case DType::Int8:
        nhwc_to_nchw(static_cast<const int8_t*>(y_nhwc), batch, m, out_pixels, y.data<int8_t>());
        break;
      default: nhwc_to_nchw(static_cast<const uint8_t*>(y_nhwc), batch, m, out_pixels, y.data<uint8_t>()); break;
    }
  }

 private:
  // The convolution split evenly among the pool's threads, each with its
  // own scratch (split_part).
  void convolve(ThreadPool* pool, int64_t batch, const uint8_t* x, void* y, ConvScratch& sc) const {
    const int threads = pool ? pool->threads() : 1;
    sc.kernel.resize(static_cast<size_t>(threads));
    for (auto& k : sc.kernel) k.resize(static_cast<size_t>(kernels::qconv_scratch_bytes(packed_)));
    auto part = [&](int64_t task, int thread) {
      kernels::qconv_u8s8_part(packed_, x, y, sc.kernel[static_cast<size_t>(thread)].data(),
                               split_part(batch, task, threads));
    };
    if (threads == 1) return part(0, 0);
    pool->parallel_for(threads, part);
  }

  // Part `task` of `threads`: by output channels when each thread would get
  // only a few rows and the kernel can split channels (a few rows stream all
  // the weights for little work, and every thread would stream them all:
  // resnet18's layer4, 7 rows over 2.4 MB of weights), else by rows.
  kernels::QConvPart split_part(int64_t batch, int64_t task, int threads) const {
    const int64_t rows = batch * packed_.shape.out_h, M = packed_.shape.out_channels;
    const int64_t unit = kernels::qconv_channel_unit(packed_), units = unit > 0 ? (M + unit - 1) / unit : 0;
    if (rows < kMinRowsPerThread * threads && units >= threads) {
      const Part u = even_part(units, task, threads);
      return {0, rows, u.begin * unit, std::min(M, u.end * unit)};
    }
    const Part r = even_part(rows, task, threads);
    return {r.begin, r.end, 0, M};
  }

  static constexpr int64_t kMinRowsPerThread = 4;

  // x and y already NHWC (QLinearConv only: y is 8-bit, written in place).
  void run_nhwc(const Tensor& x, Tensor& y, ThreadPool* pool, ConvScratch& sc) const {
    const uint8_t* in = static_cast<const uint8_t*>(x.raw());
    if (x.dtype() == DType::Int8) {
      sc.x_nhwc.resize(static_cast<size_t>(x.numel()));
      flip_sign_bits(x.data<int8_t>(), x.numel(), sc.x_nhwc.data());
      in = sc.x_nhwc.data();
    }
    convolve(pool, x.dim(0), in, y.raw(), sc);
  }

  kernels::PackedConv packed_;
  bool channels_last_;
};

struct ConvInputs {
  size_t x, x_zero_point, w, w_zero_point;
};

// The weights and geometry the kernels take, or nullopt.
struct ConvSetup {
  kernels::ConvParams params;
  std::vector<int8_t> weights;
  ActivationU8 x;
};

bool is_channels_last(const graph::Node& node) { return node.attr_int("channels_last", 0) == 1; }

// Input i's shape as [N, C, D1..Dr], whatever the node's layout.
graph::Shape channels_first_shape(const PrepareContext& ctx, size_t i) {
  const graph::Shape& s = ctx.inputs[i].shape;
  if (!is_channels_last(ctx.node) || s.size() < 3) return s;
  graph::Shape out = {s[0], s.back()};
  out.insert(out.end(), s.begin() + 1, s.end() - 1);
  return out;
}

std::optional<ConvSetup> conv_setup(const PrepareContext& ctx, const ConvInputs& in) {
  const Tensor* w = in.w < ctx.constants.size() ? ctx.constants[in.w] : nullptr;
  if (!w) return std::nullopt;
  const graph::ConvGeometry g = graph::resolve_conv_geometry(ctx.node, channels_first_shape(ctx, in.x), w->shape());
  if (g.rank() > 2 || g.batch == 0 || g.in_channels == 0 || g.out_channels == 0) return std::nullopt;
  if (g.in_channels_per_group() * g.kernel_numel() > kMaxDepth) return std::nullopt;
  auto w_zp = constant_ints(ctx, in.w_zero_point);
  auto x_zp = constant_ints(ctx, in.x_zero_point);
  if (!w_zp || !x_zp) return std::nullopt;
  auto x = activation_u8(ctx.inputs[in.x].dtype, *x_zp);
  auto weights = symmetric_s8_weights(*w, *w_zp);
  if (!x || !weights) return std::nullopt;
  ConvSetup s;
  s.params.batch = g.batch;
  s.params.in_channels = g.in_channels;
  s.params.out_channels = g.out_channels;
  s.params.group = g.group;
  s.params.window = {g.in_size, g.kernel, g.stride, g.dilation, g.pad_begin, g.pad_end, g.out_size};
  s.weights = std::move(*weights);
  s.x = *x;
  return s;
}

// `packed`: the inputs (weights, bias) the prepacked kernel replaces.
std::unique_ptr<PreparedOp> prepare_conv(const PrepareContext& ctx, const ConvSetup& s, const int32_t* bias,
                                         const kernels::QConvOutput& out, std::vector<size_t> packed) {
  try {
    auto op = std::make_unique<PreparedConv>(
        kernels::prepack_qconv(ctx.isa, s.params, s.weights.data(), bias, s.x.zero_point, out),
        is_channels_last(ctx.node));
    op->packed_inputs = std::move(packed);
    return op;
  } catch (const std::invalid_argument&) {
    return nullptr;  // a geometry or output stage the kernels refuse: the reference op runs it
  }
}

// QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B?)
std::unique_ptr<PreparedOp> prepare_qlinear_conv(const PrepareContext& ctx) {
  auto x_scale = constant_floats(ctx, 1), w_scale = constant_floats(ctx, 4), y_scale = constant_floats(ctx, 6);
  auto y_zp = constant_ints(ctx, 7);
  if (!x_scale || !w_scale || !y_scale || !y_zp || y_zp->size() != 1) return nullptr;
  if (x_scale->size() != 1 || y_scale->size() != 1 || w_scale->empty()) return nullptr;
  const bool has_bias = ctx.node.inputs.size() > 8 && !ctx.node.inputs[8].empty();
  const Tensor* bias = has_bias ? ctx.constants[8] : nullptr;
  if (has_bias && !bias) return nullptr;
  auto s = conv_setup(ctx, {0, 2, 3, 5});
  if (!s) return nullptr;
  std::vector<float> multipliers;
  for (float ws : *w_scale) multipliers.push_back(kernels::requantize_multiplier((*x_scale)[0], ws, (*y_scale)[0]));
  const bool u8 = ctx.outputs[0].dtype == DType::UInt8;
  kernels::QConvOutput out;
  out.type = u8 ? kernels::QGemmOutput::U8 : kernels::QGemmOutput::S8;
  out.multiplier = multipliers.data();
  out.per_channel = multipliers.size() > 1;
  out.zero_point = (*y_zp)[0];
  const QuantizedClamp clamp = quantized_activation_clamp(ctx.node, ctx.outputs[0].dtype, (*y_scale)[0], out.zero_point);
  out.qmin = clamp.qmin;
  out.qmax = clamp.qmax;
  std::vector<size_t> packed = {3};
  if (bias) packed.push_back(8);
  return prepare_conv(ctx, *s, bias ? bias->data<int32_t>() : nullptr, out, packed);
}

// ConvInteger(x, w, x_zero_point?, w_zero_point?) -> int32
std::unique_ptr<PreparedOp> prepare_conv_integer(const PrepareContext& ctx) {
  auto s = conv_setup(ctx, {0, 2, 1, 3});
  if (!s) return nullptr;
  kernels::QConvOutput out;
  out.type = kernels::QGemmOutput::S32;
  return prepare_conv(ctx, *s, nullptr, out, {1});
}

}  // namespace

void add_qconv_prepares(PrepareTable& t) {
  t["QLinearConv"] = prepare_qlinear_conv;
  t["ConvInteger"] = prepare_conv_integer;
  t[graph::op_key(graph::kMicrosoftDomain, "QLinearConv")] = prepare_qlinear_conv;  // channels_last 0 or 1
}

}  // namespace octet::engine::qprep
