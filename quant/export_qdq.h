#pragma once
// An Octet INT8 graph (quant/quantize_static.h's QOperator form) rewritten
// as a standard QDQ model, so other runtimes run exactly Octet's
// quantization: each QLinear op becomes its float op between
// DequantizeLinear of its 8-bit inputs (weights per channel, the int32 bias
// at scale x_scale * w_scale) and QuantizeLinear of its output, with
// Octet's scales and zero points. ONNX Runtime fuses such groups back into
// its integer kernels.
//
// A fused ReLU/Clip is dropped where the output's quantization range
// already clamps to it (a ReLU output quantized with zero point qmin), as
// quantizers do, and becomes a Relu/Clip before the QuantizeLinear
// otherwise. 8-bit MaxPool and layout ops stay on 8-bit values (valid ONNX);
// DynamicQuantizeMatMul and DynamicQuantizeLSTM stay as they are (ONNX
// Runtime's own ops).
#include "graph/graph.h"

namespace octet::quant {

// Throws UnsupportedError naming a node it cannot express.
graph::Graph export_qdq(const graph::Graph& quantized);

}  // namespace octet::quant
