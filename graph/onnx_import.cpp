#include "graph/onnx_import.h"

#include "graph/error.h"

namespace octet::graph {

Graph import_onnx_file(const std::string& path) { throw UnsupportedError(path + ": ONNX import not built yet"); }
Graph import_onnx(const uint8_t*, size_t, const std::string& source) { throw UnsupportedError(source); }
Tensor read_tensor_proto_file(const std::string& path) { throw UnsupportedError(path); }
Tensor parse_tensor_proto(const uint8_t*, size_t, const std::string& source) { throw UnsupportedError(source); }

}  // namespace octet::graph
