#pragma once
// Catch2 checks that two graphs are the same, for the model file round-trip
// tests (.octet, ONNX export).
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>

#include "graph/graph.h"

namespace octet::testing {

using graph::Attribute;
using graph::Graph;
using graph::Node;
using graph::Tensor;

// Same dtype, shape, bytes and qparams; `b` (as loaded) 64-byte aligned.
inline void check_same_tensor(const Tensor& a, const Tensor& b) {
  REQUIRE(a.dtype() == b.dtype());
  REQUIRE(a.shape() == b.shape());
  CHECK(a.nbytes() == b.nbytes());
  CHECK(std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0);
  CHECK(a.qparams.scale == b.qparams.scale);
  CHECK(a.qparams.zero_point == b.qparams.zero_point);
  CHECK(a.qparams.axis == b.qparams.axis);
  CHECK(reinterpret_cast<uintptr_t>(b.raw()) % 64 == 0);
}

inline void check_same_value(const graph::ValueInfo& a, const graph::ValueInfo& b) {
  CHECK(a.name == b.name);
  CHECK(a.dtype == b.dtype);
  CHECK(a.shape == b.shape);
  CHECK(a.dim_params == b.dim_params);
  CHECK(a.has_shape == b.has_shape);
}

inline void check_same_attr(const Attribute& a, const Attribute& b) {
  REQUIRE(a.kind == b.kind);
  switch (a.kind) {
    case Attribute::Kind::Float: CHECK(a.f == b.f); break;
    case Attribute::Kind::Int: CHECK(a.i == b.i); break;
    case Attribute::Kind::String: CHECK(a.s == b.s); break;
    case Attribute::Kind::Tensor: check_same_tensor(a.t, b.t); break;
    case Attribute::Kind::Floats: CHECK(a.floats == b.floats); break;
    case Attribute::Kind::Ints: CHECK(a.ints == b.ints); break;
    case Attribute::Kind::Strings: CHECK(a.strings == b.strings); break;
  }
}

// Inputs, outputs, initializers, nodes and opset: what any model file keeps.
inline void check_same_computation(const Graph& a, const Graph& b) {
  CHECK(a.opset == b.opset);
  REQUIRE(a.inputs.size() == b.inputs.size());
  for (size_t i = 0; i < a.inputs.size(); ++i) check_same_value(a.inputs[i], b.inputs[i]);
  REQUIRE(a.outputs.size() == b.outputs.size());
  for (size_t i = 0; i < a.outputs.size(); ++i) check_same_value(a.outputs[i], b.outputs[i]);
  REQUIRE(a.initializers.size() == b.initializers.size());
  for (const auto& [name, t] : a.initializers) {
    INFO("initializer '" << name << "'");
    REQUIRE(b.initializers.count(name) == 1);
    check_same_tensor(t, b.initializers.at(name));
  }
  REQUIRE(a.nodes.size() == b.nodes.size());
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    const Node &x = a.nodes[i], &y = b.nodes[i];
    CHECK(x.name == y.name);
    CHECK(x.op_type == y.op_type);
    CHECK(x.domain == y.domain);
    CHECK(x.opset == y.opset);
    CHECK(x.inputs == y.inputs);
    CHECK(x.outputs == y.outputs);
    REQUIRE(x.attrs.size() == y.attrs.size());
    for (const auto& [key, attr] : x.attrs) {
      INFO("attribute '" << key << "'");
      REQUIRE(y.attrs.count(key) == 1);
      check_same_attr(attr, y.attrs.at(key));
    }
  }
}

// What every model file keeps (check_same_computation) plus the metadata
// the .octet file also keeps: graph name, producer, value_info.
inline void check_same_graph(const Graph& a, const Graph& b) {
  CHECK(a.name == b.name);
  CHECK(a.producer == b.producer);
  REQUIRE(a.value_info.size() == b.value_info.size());
  for (const auto& [name, v] : a.value_info) check_same_value(v, b.value_info.at(name));
  check_same_computation(a, b);
}

}  // namespace octet::testing
