#pragma once
// One way to open a model file: ONNX or .octet, told apart by the .octet
// magic (whatever the extension).
#include <cstddef>
#include <cstdint>
#include <string>

#include "graph/graph.h"

namespace octet::graph {

// Throws octet::Error (FormatError, UnsupportedError) naming the file.
Graph load_model(const std::string& path);
// A model file's bytes in memory; `source` names it in errors.
Graph load_model(const uint8_t* data, size_t size, const std::string& source);

}  // namespace octet::graph
