#pragma once
// The attribute checks every LSTM form shares (ONNX LSTM,
// com.microsoft:DynamicQuantizeLSTM): direction, the activations Octet has
// kernels for, layout, input_forget and clip. Throw octet::FormatError (or
// UnsupportedError for activations other than the defaults) naming the node.
#include <cstdint>

#include "graph/shape_inference.h"

namespace octet::graph {

// Checks direction and the other attributes; returns D (1 or 2 directions).
int64_t check_lstm_attrs(InferContext& ctx);

}  // namespace octet::graph
