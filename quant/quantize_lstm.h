#pragma once
// LSTM to com.microsoft:DynamicQuantizeLSTM (ONNX Runtime's signature): W
// and R stored int8 in ORT's [D, input, 4H] / [D, H, 4H] layout with one
// scale per gate column (or per direction), the gate inputs quantized per
// call. Both quantization modes use it: an LSTM's inputs change range from
// step to step, so even static quantization quantizes them dynamically.
#include <functional>
#include <string>

#include "graph/graph.h"
#include "quant/quantize_static.h"

namespace octet::quant {

// Why the LSTM `n` stays FP32, or "" when it can be quantized.
std::string lstm_fp32_reason(const graph::Graph& g, const graph::Node& n);

// Adds an initializer under a name derived from `name` and returns the name
// it got.
using AddInitializer = std::function<std::string(const std::string& name, graph::Tensor t)>;

// The DynamicQuantizeLSTM node that replaces `n` (same name, attributes,
// outputs and float inputs); its int8 weights go through `add`.
graph::Node dynamic_quantize_lstm(const graph::Graph& g, const graph::Node& n, const StaticQuantOptions& options,
                                  const AddInitializer& add);

}  // namespace octet::quant
