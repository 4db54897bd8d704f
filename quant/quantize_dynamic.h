#pragma once
// Dynamic quantization: weights stored int8 (per output channel by
// default), activations quantized per call from their actual range, so no
// calibration data is needed. Gemm and MatMul with constant 2-D weights
// become com.microsoft:DynamicQuantizeMatMul (ONNX Runtime's signature:
// A float, B int8 [K, N], b_scale, b_zero_point, float bias), which
// quantizes A to uint8, accumulates in int32 and dequantizes to FP32 in one
// pass. LSTM becomes com.microsoft:DynamicQuantizeLSTM
// (quant/quantize_lstm.h). Every other node stays FP32. A fused Relu/Clip
// becomes a Clip after the op.
#include "graph/graph.h"
#include "quant/quantize_static.h"

namespace octet::quant {

// `g` as from prepare_for_quantization; options.activations is unused
// (dynamic activations are uint8, as DynamicQuantizeLinear's). Throws
// octet::Error when an excluded name matches no node.
graph::Graph quantize_dynamic(const graph::Graph& g, const StaticQuantOptions& options,
                              QuantizeSummary* summary = nullptr);

}  // namespace octet::quant
