// com.microsoft:DynamicQuantizeLSTM: ONNX LSTM with 8-bit weights in ONNX
// Runtime's transposed layout and activations quantized per call, per row
// (kernels/qlstm.h defines the arithmetic). The reference op runs
// kernels/ref/qlstm_ref; the prepared op, for constant weights and qparams
// whose zero points are 0 (int8) or 128 (uint8), prepacks W and R per
// direction once at the session's ISA and runs kernels/qlstm with the
// vectorized gate nonlinearities. Shapes were validated by
// graph/shapes_qrecurrent.cpp.
#include <memory>
#include <stdexcept>
#include <vector>

#include "engine/op_registry.h"
#include "engine/ops/lstm_call.h"
#include "engine/ops/quant_prepared.h"
#include "kernels/qlstm.h"
#include "kernels/quantize.h"
#include "kernels/ref/qlstm_ref.h"

namespace octet::engine {

namespace {

using graph::DType;

using lstm::kR;
using lstm::kW;
using lstm::kX;

// After ONNX LSTM's inputs (engine/ops/lstm_call.h), the weights' qparams.
enum QInput : size_t { kWScale = lstm::kP + 1, kWZeroPoint, kRScale, kRZeroPoint };

// R [D, H, 4H].
lstm::LstmCall lstm_call(const OpContext& ctx) { return lstm::LstmCall(ctx, ctx.input(kR).dim(1)); }

// X quantized per row (per token), once for both directions: S * B rows
// of input_size in memory order, whichever the layout (kernels/qlstm.h).
// At `isa` (kernels/quantize.h: the reference's bits at every level).
void quantize_x(const OpContext& ctx, const lstm::LstmCall& call, kernels::Isa isa, std::vector<uint8_t>& xq,
                std::vector<kernels::DynamicQuantized>& xqp) {
  const int64_t rows = call.d.seq_length * call.d.batch, cols = call.d.input_size;
  xq.resize(static_cast<size_t>(rows * cols));
  xqp.resize(static_cast<size_t>(rows));
  const float* x = ctx.input(kX).data<float>();
  for (int64_t r = 0; r < rows; ++r)
    kernels::dynamic_quantize_u8(isa, x + r * cols, cols, &xqp[r].scale, &xqp[r].zero_point, xq.data() + r * cols);
}

// ---- reference op ----

// One weight input's qparams, zero points widened to int32.
struct WeightQParams {
  const float* scale = nullptr;
  std::vector<int32_t> zero_point;  // empty: 0
  bool per_column = false;
};

WeightQParams weight_qparams(const OpContext& ctx, size_t scale) {
  WeightQParams q;
  q.scale = ctx.input(scale).data<float>();
  q.per_column = ctx.input(scale).rank() == 2;
  if (ctx.has_input(scale + 1))
    for (int64_t v : ctx.input(scale + 1).to_int64()) q.zero_point.push_back(static_cast<int32_t>(v));
  return q;
}

// Direction k's slice of W [D, K, 4H] or R.
kernels::QLstmWeightsRef weights_ref(const Tensor& w, const WeightQParams& q, int64_t k) {
  const int64_t per_dir = w.dim(1) * w.dim(2), cols = q.per_column ? w.dim(2) : 1;
  kernels::QLstmWeightsRef r;
  if (w.dtype() == DType::UInt8)
    r.u8 = w.data<uint8_t>() + k * per_dir;
  else
    r.s8 = w.data<int8_t>() + k * per_dir;
  r.scale = q.scale + k * cols;
  r.zero_point = q.zero_point.empty() ? nullptr : q.zero_point.data() + k * cols;
  r.per_column = q.per_column;
  return r;
}

void dynamic_quantize_lstm(OpContext& ctx) {
  const lstm::LstmCall call = lstm_call(ctx);
  std::vector<uint8_t> xq;
  std::vector<kernels::DynamicQuantized> xqp;
  quantize_x(ctx, call, kernels::Isa::Ref, xq, xqp);
  const WeightQParams wq = weight_qparams(ctx, kWScale), rq = weight_qparams(ctx, kRScale);
  for (int64_t k = 0; k < call.directions; ++k) {
    kernels::QLstmDirectionRef dir;
    dir.w = weights_ref(ctx.input(kW), wq, k);
    dir.r = weights_ref(ctx.input(kR), rq, k);
    call.bind(ctx, k, dir);
    kernels::qlstm_direction_ref(call.d, call.s, call.opt, xq.data(), xqp.data(), call.lens, dir);
  }
}

// ---- prepared op: constant weights prepacked per direction ----

class PreparedDynamicQuantizeLstm final : public PreparedOp {
 public:
  PreparedDynamicQuantizeLstm(std::vector<kernels::QLstmPackedWeights> w, std::vector<kernels::QLstmPackedWeights> r)
      : w_(std::move(w)), r_(std::move(r)) {}

  void run(OpContext& ctx) const override {
    Scratch& sc = ctx.scratch<Scratch>();
    const lstm::LstmCall call = lstm_call(ctx);
    quantize_x(ctx, call, w_.front().packed.isa, sc.xq, sc.xqp);
    for (int64_t k = 0; k < call.directions; ++k) {
      kernels::QLstmDirection dir;
      dir.w = &w_[k];
      dir.r = &r_[k];
      call.bind(ctx, k, dir);
      kernels::qlstm_direction(call.d, call.s, call.opt, sc.xq.data(), sc.xqp.data(), call.lens, dir, sc.kernel);
    }
  }

 private:
  // What a run changes, per run context: X quantized per row, and the
  // kernel's gates and quantized h.
  struct Scratch {
    std::vector<uint8_t> xq;
    std::vector<kernels::DynamicQuantized> xqp;
    kernels::QLstmScratch kernel;
  };
  std::vector<kernels::QLstmPackedWeights> w_, r_;  // per direction
};

// W or R (input `w`, its scale and zero point after it) as int8 with zero
// point 0, prepacked per direction; false when not constant or not
// symmetric.
bool prepack_input(const PrepareContext& ctx, size_t w, size_t scale, std::vector<kernels::QLstmPackedWeights>& out) {
  const Tensor* t = w < ctx.constants.size() ? ctx.constants[w] : nullptr;
  if (!t || t->rank() != 3) return false;
  const int64_t D = t->dim(0), k = t->dim(1), n = t->dim(2);
  if (k == 0 || n == 0 || k > qprep::kMaxDepth) return false;
  auto s = qprep::constant_floats(ctx, scale);
  auto zp = qprep::constant_ints(ctx, scale + 1);
  if (!s || !zp) return false;
  auto q = qprep::symmetric_s8_weights(*t, *zp);
  if (!q) return false;
  const bool per_column = ctx.constants[scale]->rank() == 2;
  for (int64_t d = 0; d < D; ++d)
    out.push_back(kernels::prepack_qlstm_weights(ctx.isa, k, n, q->data() + d * k * n,
                                                 s->data() + d * (per_column ? n : 1), per_column));
  return true;
}

std::unique_ptr<PreparedOp> prepare_dynamic_quantize_lstm(const PrepareContext& ctx) {
  std::vector<kernels::QLstmPackedWeights> w, r;
  try {
    if (!prepack_input(ctx, kW, kWScale, w) || !prepack_input(ctx, kR, kRScale, r)) return nullptr;
  } catch (const std::invalid_argument&) {
    return nullptr;
  }
  return std::make_unique<PreparedDynamicQuantizeLstm>(std::move(w), std::move(r));
}

}  // namespace

void add_qrecurrent_ops(OpTable& t) {
  t[graph::op_key(graph::kMicrosoftDomain, "DynamicQuantizeLSTM")] = dynamic_quantize_lstm;
}

void add_qrecurrent_prepares(PrepareTable& t) {
  t[graph::op_key(graph::kMicrosoftDomain, "DynamicQuantizeLSTM")] = prepare_dynamic_quantize_lstm;
}

}  // namespace octet::engine
