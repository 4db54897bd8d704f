#include "kernels/qlstm.h"

#include <algorithm>

#include "kernels/fp32/elementwise_f32.h"
#include "kernels/fp32/lstm_cell.h"
#include "kernels/quantize.h"

namespace octet::kernels {

namespace {

void sigmoid_scalar(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = qlstm_sigmoid_ref(x[i]);
}

void tanh_scalar(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = qlstm_tanh_ref(x[i]);
}

LstmActivations activations_for(QLstmActivations a) {
  if (a == QLstmActivations::Scalar) return {sigmoid_scalar, tanh_scalar};
  return {sigmoid_f32, tanh_f32};
}

// One row of a projection from its S32 accumulators sum_k aq * w, in one
// pass: the row's zero point comes off as a_zp * col_sums[j] (wrapping, as
// the sums, so the int32 is the reference's), then the rounded scale
// product, one rounded multiply and one rounded add of bias, as
// kernels/qlstm.h step 2 orders them.
template <bool kPerColumn, bool kBias>
void dequantize_row(int64_t n, const int32_t* acc, const DynamicQuantized& aqp, const int32_t* col_sums,
                    const float* w_scale, const float* bias, float* y) {
  const auto zp = static_cast<uint32_t>(aqp.zero_point);
  for (int64_t j = 0; j < n; ++j) {
    const auto v = static_cast<int32_t>(static_cast<uint32_t>(acc[j]) - zp * static_cast<uint32_t>(col_sums[j]));
    const float scale = aqp.scale * w_scale[kPerColumn ? j : 0];
    const float p = static_cast<float>(v) * scale;
    y[j] = kBias ? p + bias[j] : p;
  }
}

// s.scales[j] = a_scale * w_scale[j], the row's dequantization scales.
void row_scales(const DynamicQuantized& aqp, const QLstmPackedWeights& w, QLstmScratch& s) {
  const bool per_column = w.scale.size() > 1;
  s.scales.resize(static_cast<size_t>(w.packed.n));
  for (int64_t j = 0; j < w.packed.n; ++j) s.scales[j] = aqp.scale * w.scale[per_column ? j : 0];
}

// One row (B = 1 recurrence): its zero point folds into the GEMM's int32
// bias and its scale into the F32 epilogue, which compute the same int32
// and the same one rounded multiply as dequantize_row.
void projection_one_row(const uint8_t* aq, const DynamicQuantized& aqp, const QLstmPackedWeights& w,
                        const float* bias, float* y, QLstmScratch& s) {
  const PackedWeights& p = w.packed;
  const auto zp = static_cast<uint32_t>(aqp.zero_point);
  s.zp_bias.resize(static_cast<size_t>(p.n));
  for (int64_t j = 0; j < p.n; ++j) s.zp_bias[j] = static_cast<int32_t>(0u - zp * static_cast<uint32_t>(p.col_sums[j]));
  row_scales(aqp, w, s);
  QGemmArgs args;
  args.m = 1;
  args.a = aq;
  args.lda = p.k;
  args.b = &p;
  args.epilogue.type = QGemmOutput::F32;
  args.epilogue.bias = s.zp_bias.data();
  args.epilogue.scale = s.scales.data();
  args.epilogue.per_channel = true;
  args.c = y;
  args.ldc = p.n;
  qgemm_u8s8(args);
  if (bias)
    for (int64_t j = 0; j < p.n; ++j) y[j] += bias[j];
}

// y[r, n] = float(sum_k (aq[r] - a_zp[r]) * w) * (a_scale[r] * w_scale[n]) (+ bias[n]):
// one INT8 GEMM over all m rows with an S32 output (a per-row zero point
// cannot fold into the GEMM's per-column bias), then a conversion pass per row.
void projection(int64_t m, const uint8_t* aq, const DynamicQuantized* aqp, const QLstmPackedWeights& w,
                const float* bias, float* y, QLstmScratch& s) {
  if (m <= 0) return;
  if (m == 1) return projection_one_row(aq, aqp[0], w, bias, y, s);
  const PackedWeights& p = w.packed;
  const int64_t n = p.n;
  s.acc.resize(static_cast<size_t>(m * n));
  QGemmArgs args;
  args.m = m;
  args.a = aq;
  args.lda = p.k;
  args.b = &p;
  args.epilogue.type = QGemmOutput::S32;
  args.c = s.acc.data();
  args.ldc = n;
  qgemm_u8s8(args);
  const bool per_column = w.scale.size() > 1;
  auto row = per_column ? (bias ? dequantize_row<true, true> : dequantize_row<true, false>)
                        : (bias ? dequantize_row<false, true> : dequantize_row<false, false>);
  for (int64_t r = 0; r < m; ++r)
    row(n, s.acc.data() + r * n, aqp[r], p.col_sums.data(), w.scale.data(), bias, y + r * n);
}

}  // namespace

QLstmPackedWeights prepack_qlstm_weights(Isa isa, int64_t k, int64_t n, const int8_t* w, const float* scale,
                                         bool per_column) {
  QLstmPackedWeights p;
  // w [k, n] row-major: w[n, k] of the GEMM at n * 1 + k * n_total.
  p.packed = prepack_weights_s8(isa, n, k, w, 1, n);
  p.scale.assign(scale, scale + (per_column ? n : 1));
  return p;
}

void qlstm_direction(const LstmDims& d, const LstmStrides& s, const LstmOptions& opt, const uint8_t* xq,
                     const DynamicQuantized* xqp, const int32_t* seq_lens, const QLstmDirection& dir,
                     QLstmScratch& sc, QLstmActivations activations) {
  const int64_t S = d.seq_length, B = d.batch, I = d.input_size, H = d.hidden_size, N = 4 * H;
  const LstmActivations fn = activations_for(activations);
  const std::vector<int64_t> lens = qlstm_lengths(seq_lens, B, S);
  const int64_t max_len = B > 0 ? *std::max_element(lens.begin(), lens.end()) : 0;

  sc.bias.resize(static_cast<size_t>(N));
  if (dir.bias)
    for (int64_t j = 0; j < N; ++j) sc.bias[j] = dir.bias[j] + dir.bias[N + j];
  sc.xg.resize(static_cast<size_t>(S * B * N));
  projection(S * B, xq, xqp, *dir.w, dir.bias ? sc.bias.data() : nullptr, sc.xg.data(), sc);

  qlstm_load_state(dir.initial_h, B, H, s.state_batch, sc.h);
  qlstm_load_state(dir.initial_c, B, H, s.state_batch, sc.c);
  sc.gates.resize(static_cast<size_t>(B * N));
  sc.hq.resize(static_cast<size_t>(B * H));
  sc.hqp.resize(static_cast<size_t>(B));
  sc.act.resize(static_cast<size_t>(3 * H));
  if (dir.y)
    for (int64_t t = 0; t < S; ++t)
      for (int64_t b = 0; b < B; ++b) std::fill_n(dir.y + t * s.y_step + b * s.y_batch, H, 0.0f);

  for (int64_t step = 0; step < max_len; ++step) {
    for (int64_t b = 0; b < B; ++b)
      dynamic_quantize_u8(dir.r->packed.isa, sc.h.data() + b * H, H, &sc.hqp[b].scale, &sc.hqp[b].zero_point,
                          sc.hq.data() + b * H);
    projection(B, sc.hq.data(), sc.hqp.data(), *dir.r, nullptr, sc.gates.data(), sc);
    for (int64_t b = 0; b < B; ++b) {
      if (step >= lens[b]) continue;
      const int64_t t = dir.reverse ? lens[b] - 1 - step : step;
      const float* x_row = sc.xg.data() + (t * s.x_step + b * s.x_batch) / I * N;
      float* g = sc.gates.data() + b * N;
      for (int64_t j = 0; j < N; ++j) g[j] += x_row[j];
      float* h = sc.h.data() + b * H;
      lstm_cell(H, opt, dir.peephole, fn, g, h, sc.c.data() + b * H, sc.act.data());
      if (dir.y) std::copy(h, h + H, dir.y + t * s.y_step + b * s.y_batch);
    }
  }
  qlstm_store_state(sc.h, lens, H, s.state_batch, dir.y_h);
  qlstm_store_state(sc.c, lens, H, s.state_batch, dir.y_c);
}

}  // namespace octet::kernels
