#include "quant/quantized_values.h"

#include <cmath>

#include "graph/error.h"

namespace octet::quant {

namespace {

using graph::DType;
using graph::Tensor;

const char kSuffix[] = "_quantized";

// "v" for "v_quantized"; "" for any other name.
std::string float_name_of(const std::string& value) {
  const size_t n = sizeof kSuffix - 1;
  if (value.size() <= n || value.compare(value.size() - n, n, kSuffix) != 0) return "";
  return value.substr(0, value.size() - n);
}

float scale_from(const Tensor& t, const std::string& name) {
  if (t.dtype() != DType::Float32 || t.numel() != 1)
    throw FormatError("initializer '" + name + "' must be one float32 (a per-tensor scale), it is " +
                      graph::dtype_name(t.dtype()) + " " + graph::shape_str(t.shape()));
  const float s = *t.data<float>();
  if (!std::isfinite(s) || s <= 0) throw FormatError("initializer '" + name + "' is not a finite positive scale");
  return s;
}

void read_zero_point(const Tensor& t, const std::string& name, QuantizedValue& out) {
  if (t.numel() != 1 || (t.dtype() != DType::UInt8 && t.dtype() != DType::Int8))
    throw FormatError("initializer '" + name + "' must be one uint8 or int8 (a per-tensor zero point), it is " +
                      graph::dtype_name(t.dtype()) + " " + graph::shape_str(t.shape()));
  out.dtype = t.dtype();
  out.zero_point = t.dtype() == DType::UInt8 ? *t.data<uint8_t>() : *t.data<int8_t>();
}

}  // namespace

std::map<std::string, QuantizedValue> quantized_values(const graph::Graph& g) {
  std::map<std::string, QuantizedValue> found;
  for (const auto& node : g.nodes) {
    for (const auto& out : node.outputs) {
      const std::string v = float_name_of(out);
      if (v.empty()) continue;
      auto scale = g.initializers.find(v + "_scale");
      auto zero_point = g.initializers.find(v + "_zero_point");
      if (scale == g.initializers.end() || zero_point == g.initializers.end()) continue;
      QuantizedValue q;
      q.quantized = out;
      q.scale = scale_from(scale->second, scale->first);
      read_zero_point(zero_point->second, zero_point->first, q);
      found[v] = q;
    }
  }
  return found;
}

}  // namespace octet::quant
