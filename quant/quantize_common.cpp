#include "quant/quantize_common.h"

#include <vector>

#include "graph/error.h"
#include "graph/passes.h"
#include "quant/quantize_static.h"

namespace octet::quant {

using graph::Tensor;

const Tensor* initializer(const graph::Graph& g, const std::string& name) {
  auto it = g.initializers.find(name);
  return it == g.initializers.end() ? nullptr : &it->second;
}

bool has_fused_clamp(const graph::Node& n) {
  return n.has_attr(graph::kActivationMin) || n.has_attr(graph::kActivationMax);
}

std::optional<Tensor> gemm_bias(const Tensor& c, int64_t channels, float beta) {
  const bool per_column = c.numel() == channels && (c.rank() == 1 || (c.rank() == 2 && c.dim(0) == 1));
  if (c.numel() != 1 && !per_column) return std::nullopt;
  std::vector<float> v(static_cast<size_t>(channels));
  for (int64_t i = 0; i < channels; ++i) v[i] = beta * c.data<float>()[c.numel() == 1 ? 0 : i];
  return Tensor::from<float>({channels}, v);
}

int64_t gemm_columns(const graph::Graph& g, const graph::Node& n) {
  return initializer(g, n.input(1))->dim(n.attr_int("transB", 0) != 0 ? 0 : 1);
}

Tensor scaled(const Tensor& t, float factor) {
  if (factor == 1.0f) return t;
  Tensor s = t.clone();
  float* p = s.data<float>();
  for (int64_t i = 0; i < s.numel(); ++i) p[i] *= factor;
  return s;
}

void check_node_names(const graph::Graph& g, const std::set<std::string>& names) {
  std::set<std::string> known;
  for (const auto& n : g.nodes) known.insert(n.name);
  for (const auto& name : names)
    if (!known.count(name)) throw Error("--exclude: the model has no node named '" + name + "'");
}

int QuantizeSummary::fp32_count() const {
  int n = static_cast<int>(fp32_nodes.size());
  for (const auto& kv : no_kernel) n += kv.second;
  return n;
}

void QuantizeSummary::keep_fp32(const graph::Node& n, const std::string& why) {
  if (why == kNoKernel)
    ++no_kernel[graph::op_key(n)];
  else
    fp32_nodes.push_back(n.label() + ": " + why);
}

void drop_replaced_initializers(graph::Graph& out, const graph::Graph& src) {
  std::set<std::string> used;
  for (const auto& n : out.nodes)
    for (const auto& in : n.inputs) used.insert(in);
  for (const auto& v : out.outputs) used.insert(v.name);
  for (const auto& kv : src.initializers)
    if (!used.count(kv.first)) out.initializers.erase(kv.first);
}

}  // namespace octet::quant
