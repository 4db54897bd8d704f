#pragma once
// Static post-training quantization: from an FP32 graph and calibrated
// ranges to a graph that quantizes at its inputs, runs INT8 kernels in
// between and dequantizes at its outputs (DESIGN.md, "The way data flows").
//
// The graph it writes (the engine runs it; graph::save stores it):
// - the quantized form of float value `v` is `v_quantized`, with scalar
//   initializers `v_scale` and `v_zero_point` (also for values that share
//   their input's qparams, so tools can find any quantized value by name);
// - Conv becomes QLinearConv, Gemm and 2-D MatMul com.microsoft:QGemm,
//   other MatMul QLinearMatMul, Add/Mul com.microsoft:QLinearAdd/QLinearMul,
//   Concat, Sigmoid, LeakyRelu, GlobalAveragePool and AveragePool their
//   com.microsoft QLinear forms (ONNX Runtime's signatures); MaxPool and the
//   layout ops run on the 8-bit values with their input's qparams;
// - a fused activation (graph/passes.h) stays on the node and clamps its
//   quantized output;
// - a node with no INT8 form, or one named in `exclude`, runs in FP32
//   between a DequantizeLinear and a QuantizeLinear, each inserted once per
//   value where the precision changes;
// - a Gemm whose output is a graph output dequantizes in its epilogue
//   (QGemm without y_scale) instead of through a separate node;
// - an LSTM becomes DynamicQuantizeLSTM, float in and out, its gate inputs
//   quantized per call (quant/quantize_lstm.h).
#include <map>
#include <set>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "quant/qparams.h"

namespace octet::quant {

struct StaticQuantOptions {
  QuantScheme activations;       // uint8, asymmetric, per tensor by default
  bool per_channel = true;       // weights: one scale per output channel
  bool reduce_range = false;     // weights in 7 bits (|q| <= 63)
  std::set<std::string> exclude; // node names kept in FP32
};

// What quantize_static did, for the CLI to print.
struct QuantizeSummary {
  int int8_nodes = 0;
  // Nodes kept in FP32 for want of an INT8 kernel, counted by op_key.
  std::map<std::string, int> no_kernel;
  // Every other FP32 node with the reason ("Conv 'conv1': excluded"), in
  // graph order.
  std::vector<std::string> fp32_nodes;

  int fp32_count() const;
  // Records that `n` stays FP32 because of `why`; kNoKernel goes to no_kernel.
  void keep_fp32(const graph::Node& n, const std::string& why);
  static constexpr const char* kNoKernel = "no INT8 kernel";
};

// The graph as quantization sees it: topologically sorted and optimized
// (graph/passes.h), which is also what engine::Session plans, so value names
// match what calibration observed.
graph::Graph prepare_for_quantization(graph::Graph g);

// The float values whose ranges quantize_static may need (data inputs and
// outputs of every node it could quantize), so calibration observes only
// those. `g` as from prepare_for_quantization.
std::vector<std::string> values_to_calibrate(const graph::Graph& g, const StaticQuantOptions& options);

// `g` as from prepare_for_quantization; `ranges` from quant::calibrate. A
// node whose values lack a range stays FP32. Throws octet::Error when an
// excluded name matches no node, or a generated name is already taken.
graph::Graph quantize_static(const graph::Graph& g, const std::map<std::string, Range>& ranges,
                             const StaticQuantOptions& options, QuantizeSummary* summary = nullptr);

}  // namespace octet::quant
