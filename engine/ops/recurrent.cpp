#include "engine/op_registry.h"
#include "graph/error.h"
#include "kernels/fp32/lstm_f32.h"

namespace octet::engine {

namespace {

const float* optional_data(const OpContext& ctx, size_t i) {
  return ctx.has_input(i) ? ctx.input(i).data<float>() : nullptr;
}

float* optional_output(const OpContext& ctx, size_t i) {
  return ctx.has_output(i) ? ctx.output(i).data<float>() : nullptr;
}

// Shapes were checked by the shape rule; the values of sequence_lens are
// only known now.
const int32_t* checked_sequence_lens(const OpContext& ctx, int64_t seq_length) {
  if (!ctx.has_input(4)) return nullptr;
  const Tensor& lens = ctx.input(4);
  const int32_t* v = lens.data<int32_t>();
  for (int64_t b = 0; b < lens.numel(); ++b)
    if (v[b] < 0 || v[b] > seq_length)
      throw FormatError(ctx.node.label() + ": sequence_lens[" + std::to_string(b) + "] = " + std::to_string(v[b]) +
                        " is outside [0, " + std::to_string(seq_length) + "]");
  return v;
}

void lstm(OpContext& ctx) {
  const graph::Node& n = ctx.node;
  const bool batch_first = n.attr_int("layout", 0) == 1;
  const std::string direction = n.attr_string("direction", "forward");
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  const int64_t D = w.dim(0);

  kernels::LstmDims d;
  d.seq_length = batch_first ? x.dim(1) : x.dim(0);
  d.batch = batch_first ? x.dim(0) : x.dim(1);
  d.input_size = x.dim(2);
  d.hidden_size = ctx.input(2).dim(2);
  const int64_t S = d.seq_length, B = d.batch, I = d.input_size, H = d.hidden_size;

  kernels::LstmStrides s;
  s.x_step = batch_first ? I : B * I;
  s.x_batch = batch_first ? S * I : I;
  s.y_step = batch_first ? D * H : D * B * H;
  s.y_batch = batch_first ? S * D * H : H;
  s.state_batch = batch_first ? D * H : H;
  // Offset of direction k's first element in Y and in the state tensors.
  const int64_t y_dir = batch_first ? H : B * H;
  const int64_t state_dir = batch_first ? H : B * H;

  kernels::LstmOptions opt;
  opt.clip = n.attr_float("clip", 0);
  opt.input_forget = n.attr_int("input_forget", 0) == 1;
  const int32_t* lens = checked_sequence_lens(ctx, S);

  const float* bias = optional_data(ctx, 3);
  const float* h0 = optional_data(ctx, 5);
  const float* c0 = optional_data(ctx, 6);
  const float* peep = optional_data(ctx, 7);
  float* y = optional_output(ctx, 0);
  float* y_h = optional_output(ctx, 1);
  float* y_c = optional_output(ctx, 2);
  for (int64_t k = 0; k < D; ++k) {
    kernels::LstmDirection dir;
    dir.w = w.data<float>() + k * 4 * H * I;
    dir.r = ctx.input(2).data<float>() + k * 4 * H * H;
    dir.bias = bias ? bias + k * 8 * H : nullptr;
    dir.peephole = peep ? peep + k * 3 * H : nullptr;
    dir.initial_h = h0 ? h0 + k * state_dir : nullptr;
    dir.initial_c = c0 ? c0 + k * state_dir : nullptr;
    dir.y = y ? y + k * y_dir : nullptr;
    dir.y_h = y_h ? y_h + k * state_dir : nullptr;
    dir.y_c = y_c ? y_c + k * state_dir : nullptr;
    dir.reverse = direction == "reverse" || k == 1;
    kernels::lstm_direction_f32(d, s, opt, x.data<float>(), lens, dir);
  }
}

}  // namespace

void add_recurrent_ops(OpTable& t) { t["LSTM"] = lstm; }

}  // namespace octet::engine
