#pragma once
// One way to open a model file: ONNX or .octet, told apart by the .octet
// magic (whatever the extension).
#include <string>

#include "graph/graph.h"

namespace octet::graph {

// Throws octet::Error (FormatError, UnsupportedError) naming the file.
Graph load_model(const std::string& path);

}  // namespace octet::graph
