#pragma once
// The LSTM gate arithmetic for one batch row at one step, shared by the FP32
// LSTM (kernels/fp32/lstm_f32.cpp) and the dynamically quantized one
// (kernels/qlstm.cpp): only how the gate pre-activations are computed
// differs between them.
#include <cstdint>

#include "kernels/fp32/lstm_f32.h"

namespace octet::kernels {

using LstmActivationFn = void (*)(const float*, float*, int64_t);

struct LstmActivations {
  LstmActivationFn sigmoid, tanh;
};

// g holds the four pre-activations (i, o, f, c), bias included; peephole is
// [3H] (i, o, f) or null; h and c are updated in place; act is scratch of
// 3H floats. A gate at a time, so each nonlinearity runs over H contiguous
// values (vector activations), each element in the ONNX order of operations:
// c = f * c + i * g(c~), h = o * h(c), clip before every nonlinearity.
void lstm_cell(int64_t H, const LstmOptions& opt, const float* peephole, const LstmActivations& fn, const float* g,
               float* h, float* c, float* act);

}  // namespace octet::kernels
