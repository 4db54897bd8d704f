#pragma once
// ONNX import: a from-scratch reader of the protobuf wire format for the
// ONNX messages Octet needs (ModelProto, GraphProto, NodeProto,
// AttributeProto, TensorProto, ValueInfoProto). Every length, offset, count
// and shape read from the bytes is checked; bad input throws
// octet::FormatError naming the file and the field, unsupported features
// (external data, subgraphs, unknown domains) octet::UnsupportedError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "graph/graph.h"

namespace octet::graph {

Graph import_onnx_file(const std::string& path);
// `source` names the bytes in error messages (usually the file path).
Graph import_onnx(const uint8_t* data, size_t size, const std::string& source);

// A serialized TensorProto on its own, as in the ONNX backend test data
// (test_data_set_*/input_0.pb).
Tensor read_tensor_proto_file(const std::string& path);
Tensor parse_tensor_proto(const uint8_t* data, size_t size, const std::string& source);

}  // namespace octet::graph
