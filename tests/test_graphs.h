#pragma once
// Small builders for graphs written out in tests.
#include <string>
#include <vector>

#include "graph/graph.h"

namespace octet::testing {

// A node named after its first output (so errors read "Add 'y'").
inline graph::Node make_node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out) {
  graph::Node n;
  n.op_type = op;
  n.name = out.empty() ? op : out[0];
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

// A float32 graph input or output of the given shape (-1: symbolic).
inline graph::ValueInfo float_value(const std::string& name, graph::Shape shape) {
  graph::ValueInfo v;
  v.name = name;
  v.dtype = graph::DType::Float32;
  v.has_shape = true;
  v.shape = std::move(shape);
  return v;
}

}  // namespace octet::testing
