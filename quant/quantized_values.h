#pragma once
// Finding a quantized graph's quantized values by the naming convention of
// quant/quantize_static.h: float value `v` is carried as `v_quantized`, with
// scalar initializers `v_scale` and `v_zero_point`. Error analysis
// (`octet compare --per-layer`) pairs each float value of the FP32 model
// with its quantized form this way.
#include <map>
#include <string>

#include "graph/graph.h"

namespace octet::quant {

struct QuantizedValue {
  std::string quantized;  // "v_quantized"
  float scale = 1.0f;
  int32_t zero_point = 0;
  graph::DType dtype = graph::DType::UInt8;  // the zero point's: UInt8 or Int8
};

// Float value name -> its quantized form, for every `v_quantized` that a
// node of `g` produces and whose `v_scale` and `v_zero_point` are
// initializers. A value missing either initializer is left out (it is not
// quantized by the convention). Throws octet::FormatError naming the
// initializer when one is there but malformed: a scale that is not one
// finite positive float32, a zero point that is not one uint8 or int8.
std::map<std::string, QuantizedValue> quantized_values(const graph::Graph& g);

}  // namespace octet::quant
