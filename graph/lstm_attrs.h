#pragma once
// The checks every LSTM form shares (ONNX LSTM,
// com.microsoft:DynamicQuantizeLSTM): the attributes (direction, the
// activations Octet has kernels for, layout, input_forget, clip), X's and
// R's dims and the outputs. Throw octet::FormatError (or UnsupportedError
// for activations other than the defaults) naming the node.
#include <cstdint>

#include "graph/shape_inference.h"

namespace octet::graph {

// Checks direction and the other attributes; returns D (1 or 2 directions).
int64_t check_lstm_attrs(InferContext& ctx);

// The dims every LSTM form reads off X (layout 0 [seq, batch, input], 1
// [batch, seq, input]) and R.
struct LstmShapes {
  int64_t directions = 1, layout = 0, seq = 0, batch = 0, input_size = 0, hidden_size = 0;
  Shape state;  // initial_h, initial_c, Y_h, Y_c
};

// Requires X, W and R of rank 3 and a non-empty input dimension; the
// hidden size is the attribute, else R's dimension `r_hidden_axis` (the
// forms store R differently), and must be in [1, max_hidden].
LstmShapes lstm_shapes(InferContext& ctx, int64_t directions, size_t r_hidden_axis, int64_t max_hidden);

// Y, Y_h and Y_c, all float32.
void set_lstm_outputs(InferContext& ctx, const LstmShapes& s);

}  // namespace octet::graph
