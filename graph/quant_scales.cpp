#include "graph/quant_scales.h"

#include <cmath>
#include <map>
#include <string>

#include "graph/error.h"
#include "graph/graph.h"

namespace octet::graph {

std::vector<size_t> scale_inputs(const Node& node) {
  static const std::map<std::string, std::vector<size_t>> kScales = {
      {"QuantizeLinear", {1}},
      {"DequantizeLinear", {1}},
      {"QLinearConv", {1, 4, 6}},
      {"QLinearMatMul", {1, 4, 6}},
      {op_key(kMicrosoftDomain, "QLinearConv"), {1, 4, 6}},
      {op_key(kMicrosoftDomain, "QLinearAdd"), {1, 4, 6}},
      {op_key(kMicrosoftDomain, "QLinearMul"), {1, 4, 6}},
      {op_key(kMicrosoftDomain, "QLinearSigmoid"), {1, 3}},
      {op_key(kMicrosoftDomain, "QLinearLeakyRelu"), {1, 3}},
      {op_key(kMicrosoftDomain, "QLinearGlobalAveragePool"), {1, 3}},
      {op_key(kMicrosoftDomain, "QLinearAveragePool"), {1, 3}},
      {op_key(kMicrosoftDomain, "QGemm"), {1, 4, 7}},
      {op_key(kMicrosoftDomain, "MatMulIntegerToFloat"), {2, 3}},
      {op_key(kMicrosoftDomain, "DynamicQuantizeMatMul"), {2}},
      {op_key(kMicrosoftDomain, "DynamicQuantizeLSTM"), {8, 10}},
  };
  const std::string key = op_key(node);
  if (key == op_key(kMicrosoftDomain, "QLinearConcat")) {  // Y_scale, Y_zp, then (X, X_scale, X_zp) per input
    std::vector<size_t> s = {0};
    for (size_t i = 3; i < node.inputs.size(); i += 3) s.push_back(i);
    return s;
  }
  const auto it = kScales.find(key);
  return it == kScales.end() ? std::vector<size_t>{} : it->second;
}

void check_constant_scales(const InferContext& ctx) {
  for (size_t i : scale_inputs(ctx.node)) {
    if (!ctx.is_constant(i)) continue;
    const Tensor& scale = ctx.constant(i);
    if (scale.dtype() != DType::Float32) continue;  // the shape rule names the wrong type
    const float* v = scale.data<float>();
    for (int64_t k = 0; k < scale.numel(); ++k)
      if (!(std::isfinite(v[k]) && v[k] > 0.0f))
        throw FormatError(ctx.node.label() + ": scale (input " + std::to_string(i) + " '" + ctx.node.input(i) +
                          "') must be finite and positive, has " + std::to_string(v[k]) +
                          (scale.numel() > 1 ? " at [" + std::to_string(k) + "]" : std::string()));
  }
}

}  // namespace octet::graph
