#pragma once
// FP32 LSTM, one direction at a time, with ONNX semantics: gates in the
// order i, o, f, c; default activations Sigmoid (f), Tanh (g), Tanh (h).
#include <cstdint>

namespace octet::kernels {

struct LstmDims {
  int64_t seq_length = 0;
  int64_t batch = 0;
  int64_t input_size = 0;
  int64_t hidden_size = 0;
};

// Element strides, so ONNX layout 0 ([seq, batch, ...]) and layout 1
// ([batch, seq, ...]) run without transposing copies. X must still be
// seq_length * batch dense rows of input_size (true for both layouts), so
// the input projection of every step is one GEMM.
struct LstmStrides {
  int64_t x_step = 0, x_batch = 0;  // multiples of input_size
  int64_t y_step = 0, y_batch = 0;  // Y
  int64_t state_batch = 0;          // initial_h, initial_c, Y_h, Y_c
};

struct LstmOptions {
  float clip = 0;  // > 0: activation inputs are clipped to [-clip, clip]
  bool input_forget = false;  // f = 1 - i
};

// One direction's float inputs and outputs besides the weights, the same
// for every LSTM form (FP32 here, INT8 in kernels/qlstm.h and
// kernels/ref/qlstm_ref.h). Optional pointers may be null: bias and
// peephole mean zeros, initial states mean zeros, outputs are skipped.
struct LstmDirectionIO {
  const float* bias = nullptr;       // [8H]: Wb then Rb
  const float* peephole = nullptr;   // [3H]: i, o, f
  const float* initial_h = nullptr;  // batch rows of H, state_batch apart
  const float* initial_c = nullptr;
  float* y = nullptr;    // [step][batch] rows of H per strides
  float* y_h = nullptr;  // batch rows of H, state_batch apart
  float* y_c = nullptr;
  bool reverse = false;
};

// One direction's weights, inputs and outputs.
struct LstmDirection : LstmDirectionIO {
  const float* w = nullptr;  // [4H, I]
  const float* r = nullptr;  // [4H, H]
};

// Runs one direction over x. seq_lens (may be null: all seq_length) gives
// each batch row's length, each in [0, seq_length]; as ONNX Runtime does,
// steps past a row's length produce zeros in Y, a reverse direction starts
// at the row's last valid step, and a row of length 0 has zero Y_h and Y_c.
void lstm_direction_f32(const LstmDims& dims, const LstmStrides& strides, const LstmOptions& options,
                        const float* x, const int32_t* seq_lens, const LstmDirection& dir);

}  // namespace octet::kernels
