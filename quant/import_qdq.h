#pragma once
// QDQ import: a model that carries its own quantization as
// DequantizeLinear -> float op -> QuantizeLinear groups (quantization-aware
// training exports, ONNX Runtime's quantizer, `octet export-qdq`) rewritten
// into Octet's INT8 form (quant/quantize_static.h's QOperator nodes), with
// the model's scales and zero points and no calibration; the inverse of
// quant/export_qdq.h.
//
// A group is fused when every data input of the op comes from a
// DequantizeLinear with constant scale and zero point, and the op's output
// is read only by one QuantizeLinear (a Relu or Clip between them is first
// fused into the op by graph::optimize_for_inference):
//
//   Conv            -> QLinearConv (weights per tensor or per output channel)
//   MatMul          -> QLinearMatMul
//   Gemm            -> com.microsoft QGemm (float output when no
//                      QuantizeLinear follows a Gemm with constant B)
//   Add, Mul        -> com.microsoft QLinearAdd / QLinearMul
//   Concat          -> com.microsoft QLinearConcat
//   GlobalAveragePool, AveragePool, Sigmoid, LeakyRelu
//                   -> com.microsoft QLinear<op>
//
// A bias is taken as the int32 codes of its DequantizeLinear when their
// scale is x_scale * w_scale (as export-qdq and ONNX Runtime write it), and
// otherwise quantized to that scale (round half to even). Whatever does not
// match stays as it was and runs in FP32 between its DequantizeLinear and
// QuantizeLinear; DequantizeLinear nodes left without a reader are removed.
#include <string>
#include <vector>

#include "graph/graph.h"

namespace octet::quant {

struct QdqImportReport {
  std::vector<std::string> fused;       // names of the float ops now on INT8 kernels
  std::vector<std::string> left_float;  // float ops inside QDQ groups that stayed FP32, "name: why"
};

// Rewrites g in place (after graph::optimize_for_inference); a graph
// without QuantizeLinear / DequantizeLinear is left unchanged.
QdqImportReport import_qdq(graph::Graph& g);

}  // namespace octet::quant
