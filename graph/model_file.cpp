#include "graph/model_file.h"

#include "graph/octet_format.h"
#include "graph/onnx_import.h"

namespace octet::graph {

Graph load_model(const std::string& path) { return is_octet_file(path) ? load_octet(path) : import_onnx_file(path); }

}  // namespace octet::graph
