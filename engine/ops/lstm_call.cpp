#include "engine/ops/lstm_call.h"

#include <string>

#include "graph/error.h"

namespace octet::engine::lstm {

namespace {

const float* optional_data(const OpContext& ctx, size_t i) {
  return ctx.has_input(i) ? ctx.input(i).data<float>() : nullptr;
}

float* optional_output(const OpContext& ctx, size_t i) {
  return ctx.has_output(i) ? ctx.output(i).data<float>() : nullptr;
}

// The values of sequence_lens are only known at run time.
const int32_t* checked_sequence_lens(const OpContext& ctx, int64_t seq_length) {
  if (!ctx.has_input(kSeqLens)) return nullptr;
  const Tensor& lens = ctx.input(kSeqLens);
  const int32_t* v = lens.data<int32_t>();
  for (int64_t b = 0; b < lens.numel(); ++b)
    if (v[b] < 0 || v[b] > seq_length)
      throw FormatError(ctx.node.label() + ": sequence_lens[" + std::to_string(b) + "] = " + std::to_string(v[b]) +
                        " is outside [0, " + std::to_string(seq_length) + "]");
  return v;
}

}  // namespace

LstmCall::LstmCall(const OpContext& ctx, int64_t hidden_size) {
  const graph::Node& n = ctx.node;
  const bool batch_first = n.attr_int("layout", 0) == 1;
  const Tensor& x = ctx.input(kX);
  directions = ctx.input(kW).dim(0);
  d.seq_length = batch_first ? x.dim(1) : x.dim(0);
  d.batch = batch_first ? x.dim(0) : x.dim(1);
  d.input_size = x.dim(2);
  d.hidden_size = hidden_size;
  const int64_t S = d.seq_length, B = d.batch, I = d.input_size, H = d.hidden_size, D = directions;
  s.x_step = batch_first ? I : B * I;
  s.x_batch = batch_first ? S * I : I;
  s.y_step = batch_first ? D * H : D * B * H;
  s.y_batch = batch_first ? S * D * H : H;
  s.state_batch = batch_first ? D * H : H;
  y_dir = batch_first ? H : B * H;
  state_dir = batch_first ? H : B * H;
  opt.clip = n.attr_float("clip", 0);
  opt.input_forget = n.attr_int("input_forget", 0) == 1;
  lens = checked_sequence_lens(ctx, S);
  reverse = n.attr_string("direction", "forward") == "reverse";
}

void LstmCall::bind(const OpContext& ctx, int64_t k, kernels::LstmDirectionIO& dir) const {
  const int64_t H = d.hidden_size;
  const float* bias = optional_data(ctx, kB);
  const float* peep = optional_data(ctx, kP);
  const float* h0 = optional_data(ctx, kH0);
  const float* c0 = optional_data(ctx, kC0);
  float* y = optional_output(ctx, 0);
  float* y_h = optional_output(ctx, 1);
  float* y_c = optional_output(ctx, 2);
  dir.bias = bias ? bias + k * 8 * H : nullptr;
  dir.peephole = peep ? peep + k * 3 * H : nullptr;
  dir.initial_h = h0 ? h0 + k * state_dir : nullptr;
  dir.initial_c = c0 ? c0 + k * state_dir : nullptr;
  dir.y = y ? y + k * y_dir : nullptr;
  dir.y_h = y_h ? y_h + k * state_dir : nullptr;
  dir.y_c = y_c ? y_c + k * state_dir : nullptr;
  dir.reverse = reverse || k == 1;
}

}  // namespace octet::engine::lstm
