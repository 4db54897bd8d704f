#include "graph/model_file.h"

#include "graph/octet_format.h"
#include "graph/onnx_import.h"

namespace octet::graph {

Graph load_model(const std::string& path) { return is_octet_file(path) ? load_octet(path) : import_onnx_file(path); }

Graph load_model(const uint8_t* data, size_t size, const std::string& source) {
  return is_octet_data(data, size) ? load_octet(data, size, source) : import_onnx(data, size, source);
}

}  // namespace octet::graph
