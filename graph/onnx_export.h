#pragma once
// Writes a Graph as an ONNX ModelProto, so other runtimes (ONNX Runtime,
// onnx.checker) can read what Octet made: a quantized model exported as
// QDQ (quant/export_qdq.h), or any graph after Octet's passes.
//
// Initializers are written as raw_data, inputs and outputs with their
// dtype and shape (symbolic dims by name); the default-domain opset is the
// graph's, and com.microsoft opset 1 is imported when a node uses it.
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace octet::graph {

// IR version 8: what ONNX 1.13 / ONNX Runtime 1.14 and newer read.
constexpr int64_t kOnnxIrVersion = 8;

// Throws UnsupportedError for a dtype ONNX cannot hold.
std::vector<uint8_t> export_onnx(const Graph& g);

// export_onnx written to a temporary file beside `path` and renamed.
void save_onnx(const Graph& g, const std::string& path);

}  // namespace octet::graph
