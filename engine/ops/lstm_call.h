#pragma once
// What the FP32 LSTM op (recurrent.cpp) and com.microsoft:DynamicQuantizeLSTM
// (qrecurrent.cpp) share: the inputs both take at the same positions, and
// one call's dims, strides (layout 0 or 1), options and each direction's
// slice of the optional inputs and outputs. Shapes were validated by the
// shape rules (graph/shapes_recurrent.cpp, graph/shapes_qrecurrent.cpp).
#include <cstdint>

#include "engine/op_registry.h"
#include "kernels/fp32/lstm_f32.h"

namespace octet::engine::lstm {

// ONNX LSTM's inputs; DynamicQuantizeLSTM appends its weights' qparams.
enum Input : size_t { kX, kW, kR, kB, kSeqLens, kH0, kC0, kP };

struct LstmCall {
  kernels::LstmDims d;
  kernels::LstmStrides s;
  kernels::LstmOptions opt;
  int64_t directions = 1;
  const int32_t* lens = nullptr;  // sequence_lens, checked; null when omitted
  bool reverse = false;           // direction = "reverse"
  int64_t y_dir = 0, state_dir = 0;  // offset of direction k's first element in Y, in the states

  // hidden_size comes from R, whose layout differs between the two ops.
  // Throws FormatError when a sequence_lens value is outside [0, seq_length].
  LstmCall(const OpContext& ctx, int64_t hidden_size);

  // Direction k's biases, peepholes, states and outputs.
  void bind(const OpContext& ctx, int64_t k, kernels::LstmDirectionIO& dir) const;
};

}  // namespace octet::engine::lstm
