#include "kernels/fp32/lstm_cell.h"

#include <algorithm>

namespace octet::kernels {

namespace {

// clip <= 0 means no clip.
float clipped(float v, float clip) { return clip > 0 ? std::min(std::max(v, -clip), clip) : v; }

// pre[j] = clip(g[j] + p[j] * c[j]) (p null: clip(g[j])), the input of a
// gate's nonlinearity.
void gate_input(const float* g, const float* p, const float* c, float clip, int64_t H, float* pre) {
  if (p)
    for (int64_t j = 0; j < H; ++j) pre[j] = clipped(g[j] + p[j] * c[j], clip);
  else
    for (int64_t j = 0; j < H; ++j) pre[j] = clipped(g[j], clip);
}

}  // namespace

void lstm_cell(int64_t H, const LstmOptions& opt, const float* peephole, const LstmActivations& fn, const float* g,
               float* h, float* c, float* act) {
  const float* pi = peephole;
  const float* po = pi ? pi + H : nullptr;
  const float* pf = pi ? pi + 2 * H : nullptr;
  float* i = act;
  float* f = act + H;
  float* t = act + 2 * H;  // the cell candidate, then o
  gate_input(g, pi, c, opt.clip, H, i);
  fn.sigmoid(i, i, H);
  if (opt.input_forget) {
    for (int64_t j = 0; j < H; ++j) f[j] = 1.0f - i[j];
  } else {
    gate_input(g + 2 * H, pf, c, opt.clip, H, f);
    fn.sigmoid(f, f, H);
  }
  gate_input(g + 3 * H, nullptr, c, opt.clip, H, t);
  fn.tanh(t, t, H);
  for (int64_t j = 0; j < H; ++j) c[j] = f[j] * c[j] + i[j] * t[j];
  gate_input(g + H, po, c, opt.clip, H, t);
  fn.sigmoid(t, t, H);
  gate_input(c, nullptr, c, opt.clip, H, i);
  fn.tanh(i, i, H);
  for (int64_t j = 0; j < H; ++j) h[j] = t[j] * i[j];
}

}  // namespace octet::kernels
