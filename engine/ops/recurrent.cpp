#include "engine/op_registry.h"
#include "engine/ops/lstm_call.h"
#include "kernels/fp32/lstm_f32.h"

namespace octet::engine {

namespace {

// Shapes were checked by the shape rule; W [D, 4H, I], R [D, 4H, H].
void lstm_f32(OpContext& ctx) {
  const lstm::LstmCall call(ctx, ctx.input(lstm::kR).dim(2));
  const int64_t H = call.d.hidden_size, I = call.d.input_size;
  for (int64_t k = 0; k < call.directions; ++k) {
    kernels::LstmDirection dir;
    dir.w = ctx.input(lstm::kW).data<float>() + k * 4 * H * I;
    dir.r = ctx.input(lstm::kR).data<float>() + k * 4 * H * H;
    call.bind(ctx, k, dir);
    kernels::lstm_direction_f32(call.d, call.s, call.opt, ctx.input(lstm::kX).data<float>(), call.lens, dir);
  }
}

}  // namespace

void add_recurrent_ops(OpTable& t) { t["LSTM"] = lstm_f32; }

}  // namespace octet::engine
