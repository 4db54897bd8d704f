// The channels-last (NHWC) forms of the 8-bit image ops that
// graph::keep_int8_nhwc introduces, as ONNX Runtime names them:
// com.microsoft:QLinearConv with channels_last = 1 and
// com.microsoft:NhwcMaxPool. The reference ops transpose x to NCHW, run the
// ONNX op's reference and transpose y back: obviously the ONNX op's result.
// The prepared QLinearConv is engine/ops/qconv_prepared.cpp's (it takes
// either layout); NhwcMaxPool on uint8 calls the NHWC kernel in place, and
// the pass's 8-bit boundary Transposes run as tiled byte transposes.
#include <cstring>
#include <memory>

#include "engine/ops/nhwc_transpose.h"
#include "engine/ops/quant_prepared.h"
#include "engine/parallel.h"
#include "engine/session.h"
#include "engine/thread_pool.h"
#include "graph/conv_attrs.h"
#include "kernels/qpool.h"

namespace octet::engine {

namespace {

using graph::DType;
using graph::Shape;

// [N, D1..Dr, C] <-> [N, C, D1..Dr].
Shape channels_first(const Shape& s) {
  Shape out = {s[0], s.back()};
  out.insert(out.end(), s.begin() + 1, s.end() - 1);
  return out;
}

// Byte-wise transposes of one 8-bit tensor per image (the ops are 8-bit).
Tensor nhwc_to_nchw_copy(const Tensor& x) {
  Tensor out(x.dtype(), channels_first(x.shape()));
  const int64_t batch = x.dim(0), channels = x.dim(x.rank() - 1);
  const int64_t pixels = batch * channels == 0 ? 0 : x.numel() / (batch * channels);
  nhwc_to_nchw(static_cast<const uint8_t*>(x.raw()), batch, channels, pixels, static_cast<uint8_t*>(out.raw()));
  return out;
}

void nchw_to_nhwc_into(const Tensor& y, Tensor& out) {
  const int64_t batch = y.dim(0), channels = y.dim(1);
  const int64_t pixels = batch * channels == 0 ? 0 : y.numel() / (batch * channels);
  const int64_t image = channels * pixels;
  const auto* src = static_cast<const uint8_t*>(y.raw());
  auto* dst = static_cast<uint8_t*>(out.raw());
  for (int64_t n = 0; n < batch; ++n)
    transpose_tiled(src + n * image, channels, pixels, dst + n * image, [](uint8_t v) { return v; });
}

// Runs the ONNX op `op_type` on x seen NCHW and writes its y NHWC.
void run_channels_first(OpContext& ctx, const char* op_type) {
  graph::Node node = ctx.node;
  node.domain.clear();
  node.op_type = op_type;
  node.attrs.erase("channels_last");
  const Tensor x = nhwc_to_nchw_copy(ctx.input(0));
  std::vector<const Tensor*> inputs = {&x};
  for (size_t i = 1; i < ctx.num_inputs(); ++i) inputs.push_back(ctx.has_input(i) ? &ctx.input(i) : nullptr);
  Tensor& y = ctx.output(0);
  const std::vector<Tensor> outs = evaluate_node(node, inputs, {{y.dtype(), channels_first(y.shape())}});
  nchw_to_nhwc_into(outs[0], y);
}

void qlinear_conv_nhwc(OpContext& ctx) {
  if (ctx.node.attr_int("channels_last", 0) == 1) return run_channels_first(ctx, "QLinearConv");
  graph::Node node = ctx.node;  // channels_last = 0: the ONNX op itself
  node.domain.clear();
  std::vector<const Tensor*> inputs;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) inputs.push_back(ctx.has_input(i) ? &ctx.input(i) : nullptr);
  Tensor& y = ctx.output(0);
  const std::vector<Tensor> outs = evaluate_node(node, inputs, {{y.dtype(), y.shape()}});
  std::memcpy(y.raw(), outs[0].raw(), y.nbytes());
}

void nhwc_max_pool(OpContext& ctx) { run_channels_first(ctx, "MaxPool"); }

// NhwcMaxPool on uint8: the kernel reads and writes NHWC in place.
class PreparedNhwcMaxPool final : public PreparedOp {
 public:
  PreparedNhwcMaxPool(kernels::Isa isa, kernels::QPoolParams params) : isa_(isa), params_(std::move(params)) {
    if (kernels::qmax_pool_splits_rows(isa_, params_)) taps_ = kernels::window_taps(params_.window);
  }

  // Output rows split among the threads (a max per window: no rounding to
  // differ between splits).
  void run(OpContext& ctx) const override {
    const uint8_t* x = ctx.input(0).data<uint8_t>();
    uint8_t* y = ctx.output(0).data<uint8_t>();
    const int threads = ctx.pool ? ctx.pool->threads() : 1;
    const int64_t rows = params_.batch * params_.window.out_size[0];
    if (threads == 1 || rows < 2 * threads || taps_.empty())
      return kernels::qmax_pool_nhwc_u8(isa_, params_, x, y);
    ctx.pool->parallel_for(threads, [&](int64_t task, int) {
      const Part p = even_part(rows, task, threads);
      kernels::qmax_pool_nhwc_u8_rows(isa_, params_, taps_, x, y, p.begin, p.end);
    });
  }

 private:
  kernels::Isa isa_;
  kernels::QPoolParams params_;
  std::vector<kernels::DimTaps> taps_;  // the window's taps when threads may split rows
};

// int8 stays on the reference op (keep_int8_nhwc's graphs are uint8 by default).
std::unique_ptr<PreparedOp> prepare_nhwc_max_pool(const PrepareContext& ctx) {
  if (ctx.inputs[0].dtype != DType::UInt8 || ctx.inputs[0].shape.size() < 3) return nullptr;
  const graph::PoolGeometry g = graph::resolve_pool_geometry(ctx.node, channels_first(ctx.inputs[0].shape));
  kernels::QPoolParams p;
  p.batch = g.batch;
  p.channels = g.channels;
  p.window = {g.in_size, g.kernel, g.stride, g.dilation, g.pad_begin, g.pad_end, g.out_size};
  if (p.batch == 0 || p.channels == 0 || p.window.in_numel() == 0) return nullptr;
  return std::make_unique<PreparedNhwcMaxPool>(ctx.isa, std::move(p));
}

// The layout pass's boundary Transposes of 8-bit rank-4 data, NCHW <-> NHWC,
// as a tiled byte transpose (the generic op walks index by index).
class PreparedByteTranspose final : public PreparedOp {
 public:
  explicit PreparedByteTranspose(bool to_nhwc) : to_nhwc_(to_nhwc) {}

  void run(OpContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t batch = x.dim(0), channels = to_nhwc_ ? x.dim(1) : x.dim(3);
    const int64_t pixels = to_nhwc_ ? x.dim(2) * x.dim(3) : x.dim(1) * x.dim(2);
    const int64_t rows = to_nhwc_ ? channels : pixels, cols = to_nhwc_ ? pixels : channels;
    const auto* src = static_cast<const uint8_t*>(x.raw());
    auto* dst = static_cast<uint8_t*>(ctx.output(0).raw());
    for (int64_t n = 0; n < batch; ++n) {
      const int64_t at = n * rows * cols;
      if (to_nhwc_ && channels == 3)
        interleave3_u8(src + at, pixels, dst + at);
      else
        transpose_tiled(src + at, rows, cols, dst + at, [](uint8_t v) { return v; });
    }
  }

 private:
  bool to_nhwc_;
};

std::unique_ptr<PreparedOp> prepare_byte_transpose(const PrepareContext& ctx) {
  const DType t = ctx.inputs[0].dtype;
  if ((t != DType::UInt8 && t != DType::Int8) || ctx.inputs[0].shape.size() != 4) return nullptr;
  const std::vector<int64_t> perm = ctx.node.attr_ints("perm");
  if (perm == std::vector<int64_t>{0, 2, 3, 1}) return std::make_unique<PreparedByteTranspose>(true);
  if (perm == std::vector<int64_t>{0, 3, 1, 2}) return std::make_unique<PreparedByteTranspose>(false);
  return nullptr;
}

}  // namespace

void add_qnhwc_ops(OpTable& t) {
  t[graph::op_key(graph::kMicrosoftDomain, "QLinearConv")] = qlinear_conv_nhwc;
  t[graph::op_key(graph::kMicrosoftDomain, "NhwcMaxPool")] = nhwc_max_pool;
}

void add_qnhwc_prepares(PrepareTable& t) {
  t[graph::op_key(graph::kMicrosoftDomain, "NhwcMaxPool")] = prepare_nhwc_max_pool;
  t["Transpose"] = prepare_byte_transpose;
}

}  // namespace octet::engine
