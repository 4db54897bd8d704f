// QuantizeLinear of float32 with one constant scale and zero point (how a
// quantized graph enters INT8) on the vector kernels of kernels/quantize.h,
// the bits of the reference op. Per-axis scales and other input types
// keep the reference op.
#include <memory>
#include <optional>

#include "engine/ops/quant_prepared.h"
#include "engine/parallel.h"
#include "kernels/quantize.h"

namespace octet::engine::qprep {

namespace {

using graph::DType;

template <class Q>
class PreparedQuantize final : public PreparedOp {
 public:
  PreparedQuantize(float scale, int32_t zero_point, kernels::Isa isa)
      : scale_(scale), zero_point_(zero_point), isa_(isa) {}

  void run(OpContext& ctx) const override {
    const float* x = ctx.input(0).data<float>();
    Q* y = ctx.output(0).data<Q>();
    parallel_chunks(ctx.pool, ctx.input(0).numel(), kElementGrain, [&](int64_t begin, int64_t end) {
      kernels::quantize_f32<Q>(isa_, x + begin, end - begin, scale_, zero_point_, y + begin);
    });
  }

 private:
  float scale_;
  int32_t zero_point_;
  kernels::Isa isa_;
};

std::unique_ptr<PreparedOp> prepare_quantize(const PrepareContext& ctx) {
  if (ctx.inputs.empty() || ctx.inputs[0].dtype != DType::Float32 || ctx.outputs.empty()) return nullptr;
  const std::optional<std::vector<float>> scale = constant_floats(ctx, 1);
  const std::optional<std::vector<int32_t>> zp = constant_ints(ctx, 2);
  if (!scale || scale->size() != 1 || !zp || zp->size() > 1) return nullptr;
  const int32_t zero_point = zp->empty() ? 0 : zp->front();
  switch (ctx.outputs[0].dtype) {
    case DType::UInt8: return std::make_unique<PreparedQuantize<uint8_t>>(scale->front(), zero_point, ctx.isa);
    case DType::Int8: return std::make_unique<PreparedQuantize<int8_t>>(scale->front(), zero_point, ctx.isa);
    default: return nullptr;
  }
}

}  // namespace

void add_quantize_prepares(PrepareTable& t) { t["QuantizeLinear"] = prepare_quantize; }

}  // namespace octet::engine::qprep
