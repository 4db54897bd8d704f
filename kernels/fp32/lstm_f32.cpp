#include "kernels/fp32/lstm_f32.h"

#include <Eigen/Core>
#include <algorithm>
#include <vector>

#include "kernels/fp32/elementwise_f32.h"
#include "kernels/fp32/gemm_f32.h"
#include "kernels/fp32/lstm_cell.h"

namespace octet::kernels {

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

void load_state(const float* src, int64_t batch, int64_t H, int64_t stride, RowMatrix& dst) {
  dst.setZero(batch, H);
  if (!src) return;
  for (int64_t b = 0; b < batch; ++b) std::copy(src + b * stride, src + b * stride + H, dst.row(b).data());
}

void store_state(const RowMatrix& src, const std::vector<int64_t>& lens, int64_t stride, float* dst) {
  if (!dst) return;
  const int64_t H = src.cols();
  for (int64_t b = 0; b < src.rows(); ++b) {
    float* out = dst + b * stride;
    if (lens[b] == 0)
      std::fill(out, out + H, 0.0f);
    else
      std::copy(src.row(b).data(), src.row(b).data() + H, out);
  }
}

}  // namespace

void lstm_direction_f32(const LstmDims& d, const LstmStrides& s, const LstmOptions& opt, const float* x,
                        const int32_t* seq_lens, const LstmDirection& dir) {
  const int64_t S = d.seq_length, B = d.batch, I = d.input_size, H = d.hidden_size;
  std::vector<int64_t> lens(B, S);
  if (seq_lens)
    for (int64_t b = 0; b < B; ++b) lens[b] = std::min<int64_t>(std::max<int32_t>(seq_lens[b], 0), S);
  const int64_t max_len = B > 0 ? *std::max_element(lens.begin(), lens.end()) : 0;

  // The input projection of every step at once; X's rows are dense in either
  // layout. Both products go through gemm_f32, which runs the widest build.
  RowMatrix xw(S * B, 4 * H);
  gemm_f32(false, true, S * B, 4 * H, I, 1.f, x, I, dir.w, I, 0.f, xw.data(), 4 * H);
  auto xw_row = [&](int64_t t, int64_t b) { return xw.row((t * s.x_step + b * s.x_batch) / I); };

  RowMatrix h, c;
  load_state(dir.initial_h, B, H, s.state_batch, h);
  load_state(dir.initial_c, B, H, s.state_batch, c);
  RowMatrix gates(B, 4 * H);
  // Wb + Rb, summed once (the order of the per-element adds ONNX implies).
  std::vector<float> bias;
  if (dir.bias)
    for (int64_t j = 0; j < 4 * H; ++j) bias.push_back(dir.bias[j] + dir.bias[4 * H + j]);
  std::vector<float> act(static_cast<size_t>(3 * H));
  const LstmActivations fn{sigmoid_f32, tanh_f32};

  if (dir.y)
    for (int64_t t = 0; t < S; ++t)
      for (int64_t b = 0; b < B; ++b) std::fill_n(dir.y + t * s.y_step + b * s.y_batch, H, 0.0f);

  for (int64_t step = 0; step < max_len; ++step) {
    gemm_f32(false, true, B, 4 * H, H, 1.f, h.data(), H, dir.r, H, 0.f, gates.data(), 4 * H);
    for (int64_t b = 0; b < B; ++b) {
      if (step >= lens[b]) continue;
      const int64_t t = dir.reverse ? lens[b] - 1 - step : step;
      gates.row(b) += xw_row(t, b);
      float* g = gates.row(b).data();
      for (size_t j = 0; j < bias.size(); ++j) g[j] += bias[j];
      lstm_cell(H, opt, dir.peephole, fn, g, h.row(b).data(), c.row(b).data(), act.data());
      if (dir.y) std::copy(h.row(b).data(), h.row(b).data() + H, dir.y + t * s.y_step + b * s.y_batch);
    }
  }
  store_state(h, lens, s.state_batch, dir.y_h);
  store_state(c, lens, s.state_batch, dir.y_c);
}

}  // namespace octet::kernels
