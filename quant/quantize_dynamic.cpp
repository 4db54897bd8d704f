#include "quant/quantize_dynamic.h"

#include <limits>

#include "graph/error.h"
#include "graph/passes.h"
#include "quant/quantize_common.h"
#include "quant/quantize_lstm.h"
#include "quant/quantize_weights.h"

namespace octet::quant {

namespace {

using graph::Graph;
using graph::Node;
using graph::Tensor;

// Why `n` stays FP32, or "" when it becomes DynamicQuantizeMatMul.
std::string fp32_reason(const Graph& g, const Node& n) {
  if (is(n, "LSTM")) return lstm_fp32_reason(g, n);
  if (!is(n, "Gemm") && !is(n, "MatMul")) return QuantizeSummary::kNoKernel;
  const Tensor* b = initializer(g, n.input(1));
  if (initializer(g, n.input(0))) return "its input is a constant";
  if (!b || b->dtype() != graph::DType::Float32 || b->rank() != 2) return "the weight is not a float 2-D constant";
  if (is(n, "MatMul")) return "";
  if (n.attr_int("transA", 0) != 0) return "transA is not supported in INT8";
  if (n.input(2).empty()) return "";
  const Tensor* c = initializer(g, n.input(2));
  if (!c || c->dtype() != graph::DType::Float32 || !gemm_bias(*c, gemm_columns(g, n), 1.0f))
    return "its C is not a constant with one value per output column";
  return "";
}

// B as [K, N] float: Gemm's B transposed when transB, times alpha.
Tensor weight_kn(const Graph& g, const Node& n) {
  const Tensor& b = *initializer(g, n.input(1));
  const bool trans = is(n, "Gemm") && n.attr_int("transB", 0) != 0;
  const Tensor w = is(n, "Gemm") ? scaled(b, n.attr_float("alpha", 1.0f)) : b;
  if (!trans) return w;
  const int64_t rows = w.dim(0), cols = w.dim(1);
  Tensor t(graph::DType::Float32, {cols, rows});
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) t.data<float>()[c * rows + r] = w.data<float>()[r * cols + c];
  return t;
}

class DynamicQuantizer {
 public:
  DynamicQuantizer(const Graph& g, const StaticQuantOptions& options, QuantizeSummary* summary)
      : src_(g), options_(options), summary_(summary), out_(g) {
    out_.nodes.clear();
    for (const auto& n : g.nodes)
      for (const auto& o : n.outputs) taken_.insert(o);
    for (const auto& v : g.inputs) taken_.insert(v.name);
    for (const auto& kv : g.initializers) taken_.insert(kv.first);
  }

  Graph run() {
    check_node_names(src_, options_.exclude);
    for (const Node& n : src_.nodes) {
      const std::string why = options_.exclude.count(n.name) ? "excluded" : fp32_reason(src_, n);
      if (why.empty() && is(n, "LSTM")) {
        out_.nodes.push_back(dynamic_quantize_lstm(src_, n, options_, adder()));
        if (summary_) ++summary_->int8_nodes;
      } else if (why.empty()) {
        emit(n);
        if (summary_) ++summary_->int8_nodes;
      } else {
        out_.nodes.push_back(n);
        if (summary_) summary_->keep_fp32(n, why);
      }
    }
    drop_replaced_initializers(out_, src_);
    return std::move(out_);
  }

 private:
  std::string fresh(const std::string& name) {
    if (!taken_.insert(name).second)
      throw UnsupportedError("quantization: the model already has a value named '" + name + "'");
    return name;
  }

  std::string add_initializer(const std::string& name, Tensor t) {
    const std::string unique = fresh(name);
    out_.initializers[unique] = std::move(t);
    return unique;
  }

  AddInitializer adder() {
    return [this](const std::string& name, Tensor t) { return add_initializer(name, std::move(t)); };
  }

  void emit(const Node& n) {
    const std::string& w = n.input(1);
    const QuantizedWeights q = quantize_weights(weight_kn(src_, n), 1, options_.per_channel, options_.reduce_range);
    std::vector<std::string> in{n.input(0), add_initializer(w + "_quantized", q.values),
                                add_initializer(w + "_scale", q.scale), add_initializer(w + "_zero_point", q.zero_point)};
    if (is(n, "Gemm") && !n.input(2).empty())
      in.push_back(add_initializer(n.input(2) + "_bias", *gemm_bias(*initializer(src_, n.input(2)),
                                                                     gemm_columns(src_, n), n.attr_float("beta", 1.0f))));
    const std::string& y = n.outputs[0];
    const bool clamp = has_fused_clamp(n);
    Node d;
    d.op_type = "DynamicQuantizeMatMul";
    d.domain = graph::kMicrosoftDomain;
    d.name = n.name;
    d.inputs = std::move(in);
    d.outputs = {clamp ? fresh(y + "_unclamped") : y};
    out_.nodes.push_back(d);
    if (clamp) emit_clip(n, d.outputs[0], y);
  }

  // The fused activation as a Clip after the op (opset 11+ bounds as inputs).
  void emit_clip(const Node& n, const std::string& x, const std::string& y) {
    Node c;
    c.op_type = "Clip";
    c.name = n.name + "_activation";
    c.inputs = {x, bound(n, graph::kActivationMin, "_min"), bound(n, graph::kActivationMax, "_max")};
    c.outputs = {y};
    out_.nodes.push_back(c);
  }

  std::string bound(const Node& n, const char* attr, const char* suffix) {
    if (!n.has_attr(attr)) return "";
    return add_initializer(n.name + "_activation" + suffix, Tensor::scalar<float>(n.attr_float(attr, 0.0f)));
  }

  const Graph& src_;
  const StaticQuantOptions& options_;
  QuantizeSummary* summary_;
  Graph out_;
  std::set<std::string> taken_;
};

}  // namespace

Graph quantize_dynamic(const Graph& g, const StaticQuantOptions& options, QuantizeSummary* summary) {
  if (g.opset != 0 && g.opset < 11)
    throw UnsupportedError("dynamic quantization needs opset 11 or newer (Clip with bound inputs); the model has opset " +
                           std::to_string(g.opset));
  return DynamicQuantizer(g, options, summary).run();
}

}  // namespace octet::quant
