#include "kernels/ref/qlstm_ref.h"

#include <algorithm>
#include <vector>

#include "kernels/ref/qgemm.h"
#include "kernels/ref/quantize.h"

namespace octet::kernels {

namespace {

// clip <= 0 means no clip.
float clipped(float v, float clip) { return clip > 0 ? std::min(std::max(v, -clip), clip) : v; }

// y[r, j] = float(sum_k (aq[r, k] - a_zp[r]) * (w[k, j] - w_zp[j])) * (a_scale[r] * w_scale[j]),
// then + bias[j] when bias is set (kernels/qlstm.h step 2): the integer sum
// of gemm_s32_ref (wrapping), each row with its own qparams.
void projection_ref(int64_t m, int64_t n, int64_t k, const uint8_t* aq, const DynamicQuantized* aqp,
                    const QLstmWeightsRef& w, const float* bias, float* y) {
  std::vector<int32_t> acc(static_cast<size_t>(m * n)), a_zp(static_cast<size_t>(m));
  for (int64_t i = 0; i < m; ++i) a_zp[i] = aqp[i].zero_point;
  const int64_t zp_stride = w.per_column ? 1 : 0;
  if (w.s8)
    gemm_s32_ref(m, n, k, aq, a_zp.data(), 1, w.s8, w.zero_point, zp_stride, acc.data());
  else
    gemm_s32_ref(m, n, k, aq, a_zp.data(), 1, w.u8, w.zero_point, zp_stride, acc.data());
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const float scale = aqp[i].scale * w.scale[w.per_column ? j : 0];
      const float v = static_cast<float>(acc[i * n + j]) * scale;
      y[i * n + j] = bias ? v + bias[j] : v;
    }
}

// One batch row's gates and state update; g holds the pre-activations
// i, o, f, c with biases and both projections added.
void cell_ref(int64_t H, const LstmOptions& opt, const QLstmDirectionRef& dir, const float* g, float* h, float* c) {
  const float* gi = g;
  const float* go = g + H;
  const float* gf = g + 2 * H;
  const float* gc = g + 3 * H;
  const float* pi = dir.peephole;
  const float* po = pi ? pi + H : nullptr;
  const float* pf = pi ? pi + 2 * H : nullptr;
  for (int64_t j = 0; j < H; ++j) {
    const float c_prev = c[j];
    const float i = qlstm_sigmoid_ref(clipped(pi ? gi[j] + pi[j] * c_prev : gi[j], opt.clip));
    const float f = opt.input_forget ? 1.0f - i
                                     : qlstm_sigmoid_ref(clipped(pf ? gf[j] + pf[j] * c_prev : gf[j], opt.clip));
    const float cell = qlstm_tanh_ref(clipped(gc[j], opt.clip));
    const float c_new = f * c_prev + i * cell;
    const float o = qlstm_sigmoid_ref(clipped(po ? go[j] + po[j] * c_new : go[j], opt.clip));
    c[j] = c_new;
    h[j] = o * qlstm_tanh_ref(clipped(c_new, opt.clip));
  }
}

}  // namespace

std::vector<int64_t> qlstm_lengths(const int32_t* seq_lens, int64_t batch, int64_t seq_length) {
  std::vector<int64_t> lens(static_cast<size_t>(batch), seq_length);
  if (seq_lens)
    for (int64_t b = 0; b < batch; ++b) lens[b] = std::min<int64_t>(std::max<int32_t>(seq_lens[b], 0), seq_length);
  return lens;
}

void qlstm_load_state(const float* src, int64_t batch, int64_t H, int64_t stride, std::vector<float>& dst) {
  dst.assign(static_cast<size_t>(batch * H), 0.0f);
  if (src)
    for (int64_t b = 0; b < batch; ++b) std::copy(src + b * stride, src + b * stride + H, dst.data() + b * H);
}

void qlstm_store_state(const std::vector<float>& src, const std::vector<int64_t>& lens, int64_t H, int64_t stride,
                       float* dst) {
  if (!dst) return;
  for (size_t b = 0; b < lens.size(); ++b) {
    float* out = dst + static_cast<int64_t>(b) * stride;
    if (lens[b] == 0)
      std::fill(out, out + H, 0.0f);
    else
      std::copy(src.data() + b * H, src.data() + (b + 1) * H, out);
  }
}

void quantize_dynamic_u8_rows(const float* x, int64_t rows, int64_t cols, uint8_t* xq, DynamicQuantized* qp) {
  for (int64_t r = 0; r < rows; ++r) qp[r] = quantize_dynamic_u8(x + r * cols, cols, xq + r * cols);
}

DynamicQuantized quantize_dynamic_u8(const float* x, int64_t n, uint8_t* xq) {
  DynamicQuantized q;
  uint8_t zp = 0;
  dynamic_quantize_params(x, n, &q.scale, &zp);
  q.zero_point = zp;
  AxisSplit split;
  split.inner = n;
  quantize_linear_ref(x, split, QuantParams{&q.scale, &q.zero_point, 0}, xq);
  return q;
}

void qlstm_direction_ref(const LstmDims& d, const LstmStrides& s, const LstmOptions& opt, const uint8_t* xq,
                         const DynamicQuantized* xqp, const int32_t* seq_lens, const QLstmDirectionRef& dir) {
  const int64_t S = d.seq_length, B = d.batch, I = d.input_size, H = d.hidden_size, N = 4 * H;
  const std::vector<int64_t> lens = qlstm_lengths(seq_lens, B, S);
  const int64_t max_len = B > 0 ? *std::max_element(lens.begin(), lens.end()) : 0;

  // Input projection of every step, plus Wb + Rb (summed first).
  std::vector<float> bias;
  if (dir.bias)
    for (int64_t j = 0; j < N; ++j) bias.push_back(dir.bias[j] + dir.bias[N + j]);
  std::vector<float> xg(static_cast<size_t>(S * B * N));
  projection_ref(S * B, N, I, xq, xqp, dir.w, dir.bias ? bias.data() : nullptr, xg.data());

  std::vector<float> h, c;
  qlstm_load_state(dir.initial_h, B, H, s.state_batch, h);
  qlstm_load_state(dir.initial_c, B, H, s.state_batch, c);
  std::vector<float> gates(static_cast<size_t>(B * N));
  std::vector<uint8_t> hq(static_cast<size_t>(B * H));
  std::vector<DynamicQuantized> hqp(static_cast<size_t>(B));
  if (dir.y)
    for (int64_t t = 0; t < S; ++t)
      for (int64_t b = 0; b < B; ++b) std::fill_n(dir.y + t * s.y_step + b * s.y_batch, H, 0.0f);

  for (int64_t step = 0; step < max_len; ++step) {
    // h(t-1) of every batch row, finished rows included, each row with its own qparams.
    quantize_dynamic_u8_rows(h.data(), B, H, hq.data(), hqp.data());
    projection_ref(B, N, H, hq.data(), hqp.data(), dir.r, nullptr, gates.data());
    for (int64_t b = 0; b < B; ++b) {
      if (step >= lens[b]) continue;
      const int64_t t = dir.reverse ? lens[b] - 1 - step : step;
      const float* x_row = xg.data() + (t * s.x_step + b * s.x_batch) / I * N;
      float* g = gates.data() + b * N;
      for (int64_t j = 0; j < N; ++j) g[j] += x_row[j];
      cell_ref(H, opt, dir, g, h.data() + b * H, c.data() + b * H);
      if (dir.y) std::copy(h.data() + b * H, h.data() + (b + 1) * H, dir.y + t * s.y_step + b * s.y_batch);
    }
  }
  qlstm_store_state(h, lens, H, s.state_batch, dir.y_h);
  qlstm_store_state(c, lens, H, s.state_batch, dir.y_c);
}

}  // namespace octet::kernels
