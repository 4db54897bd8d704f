#include "graph/quant_scales.h"

#include <cmath>
#include <map>
#include <string>

#include "graph/error.h"
#include "graph/graph.h"

namespace octet::graph {

ScaleInputs scale_inputs(const Node& node) {
  static const std::map<std::string, ScaleInputs> kScales = {
      {"QuantizeLinear", {{1}, {}}},
      {"DequantizeLinear", {{}, {1}}},
      {"QLinearConv", {{6}, {1, 4}}},
      {"QLinearMatMul", {{6}, {1, 4}}},
      {op_key(kMicrosoftDomain, "QLinearConv"), {{6}, {1, 4}}},
      {op_key(kMicrosoftDomain, "QLinearAdd"), {{6}, {1, 4}}},
      {op_key(kMicrosoftDomain, "QLinearMul"), {{6}, {1, 4}}},
      {op_key(kMicrosoftDomain, "QLinearSigmoid"), {{3}, {1}}},
      {op_key(kMicrosoftDomain, "QLinearLeakyRelu"), {{3}, {1}}},
      {op_key(kMicrosoftDomain, "QLinearGlobalAveragePool"), {{3}, {1}}},
      {op_key(kMicrosoftDomain, "QLinearAveragePool"), {{3}, {1}}},
      {op_key(kMicrosoftDomain, "QGemm"), {{7}, {1, 4}}},
      {op_key(kMicrosoftDomain, "MatMulIntegerToFloat"), {{}, {2, 3}}},
      {op_key(kMicrosoftDomain, "DynamicQuantizeMatMul"), {{}, {2}}},
      {op_key(kMicrosoftDomain, "DynamicQuantizeLSTM"), {{}, {8, 10}}},
  };
  const std::string key = op_key(node);
  if (key == op_key(kMicrosoftDomain, "QLinearConcat")) {  // Y_scale, Y_zp, then (X, X_scale, X_zp) per input
    ScaleInputs s{{0}, {}};
    for (size_t i = 3; i < node.inputs.size(); i += 3) s.multiplying.push_back(i);
    return s;
  }
  const auto it = kScales.find(key);
  return it == kScales.end() ? ScaleInputs{} : it->second;
}

bool scale_is_valid(float scale, bool divides) {
  return std::isfinite(scale) && (divides ? scale > 0.0f : scale >= 0.0f);
}

namespace {

void check_scale(const InferContext& ctx, size_t i, bool divides) {
  if (!ctx.is_constant(i)) return;
  const Tensor& scale = ctx.constant(i);
  if (scale.dtype() != DType::Float32) return;  // the shape rule names the wrong type
  const float* v = scale.data<float>();
  for (int64_t k = 0; k < scale.numel(); ++k) {
    if (!scale_is_valid(v[k], divides))
      throw FormatError(ctx.node.label() + ": scale (input " + std::to_string(i) + " '" + ctx.node.input(i) +
                        "') must be finite and " + (divides ? "positive" : "not negative") + ", has " +
                        std::to_string(v[k]) + (scale.numel() > 1 ? " at [" + std::to_string(k) + "]" : std::string()));
  }
}

}  // namespace

void check_constant_scales(const InferContext& ctx) {
  const ScaleInputs s = scale_inputs(ctx.node);
  for (size_t i : s.dividing) check_scale(ctx, i, true);
  for (size_t i : s.multiplying) check_scale(ctx, i, false);
}

}  // namespace octet::graph
