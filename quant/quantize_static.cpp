#include "quant/quantize_static.h"

#include <optional>

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

// How a node runs in INT8, decided from its op type alone.
enum class Kind {
  None,          // no INT8 form: FP32
  Conv,          // QLinearConv
  Gemm,          // QGemm
  MatMul,        // QGemm (2-D) or QLinearMatMul
  Binary,        // QLinearAdd / QLinearMul
  Concat,        // QLinearConcat
  Requantizing,  // QLinear{GlobalAveragePool, AveragePool, Sigmoid, LeakyRelu}: own output qparams
  SameQParams,   // MaxPool and layout ops: the input's codes, the input's qparams
};

Kind kind_of(const Node& n) {
  if (!n.domain.empty()) return Kind::None;
  const std::string& op = n.op_type;
  if (op == "Conv") return Kind::Conv;
  if (op == "Gemm") return Kind::Gemm;
  if (op == "MatMul") return Kind::MatMul;
  if (op == "Add" || op == "Mul") return Kind::Binary;
  if (op == "Concat") return Kind::Concat;
  if (op == "GlobalAveragePool" || op == "AveragePool" || op == "Sigmoid" || op == "LeakyRelu")
    return Kind::Requantizing;
  if (op == "MaxPool" || op == "Flatten" || op == "Reshape" || op == "Squeeze" || op == "Unsqueeze" ||
      op == "Transpose")
    return Kind::SameQParams;
  return Kind::None;
}

// The inputs that carry activations (the rest are weights, shapes, axes).
std::vector<size_t> data_inputs(const Node& n, Kind kind) {
  switch (kind) {
    case Kind::Binary: return {0, 1};
    case Kind::Concat: {
      std::vector<size_t> all;
      for (size_t i = 0; i < n.inputs.size(); ++i) all.push_back(i);
      return all;
    }
    case Kind::None: return {};
    default: return {0};
  }
}

// Why the node cannot run in INT8 whatever the ranges, or "" when it can.
std::string structural_reason(const Graph& g, const Node& n, Kind kind) {
  if (kind == Kind::None) return QuantizeSummary::kNoKernel;
  for (size_t i : data_inputs(n, kind))
    if (n.input(i).empty() || initializer(g, n.input(i))) return "an input is a constant, not an activation";
  auto float_weight = [&](size_t i, size_t rank_lo, size_t rank_hi) {
    const Tensor* w = initializer(g, n.input(i));
    return w && w->dtype() == graph::DType::Float32 && w->rank() >= rank_lo && w->rank() <= rank_hi;
  };
  auto optional_float = [&](size_t i) {
    if (n.input(i).empty()) return true;
    const Tensor* b = initializer(g, n.input(i));
    return b && b->dtype() == graph::DType::Float32;
  };
  switch (kind) {
    case Kind::Conv:
      if (!float_weight(1, 3, 4) || !optional_float(2)) return "weights or bias are not float constants";
      return "";
    case Kind::Gemm:
      if (!float_weight(1, 2, 2) || !optional_float(2)) return "weights or bias are not float constants";
      if (n.attr_int("transA", 0) != 0) return "transA is not supported in INT8";
      if (!n.input(2).empty() && !gemm_bias(*initializer(g, n.input(2)), gemm_columns(g, n), 1.0f))
        return "its C is not one value per output column";
      return "";
    case Kind::MatMul:
      if (!float_weight(1, 2, 2)) return "the second input is not a float 2-D constant";
      if (has_fused_clamp(n)) return "QLinearMatMul has no fused activation";
      return "";
    case Kind::SameQParams:
      if (is(n, "MaxPool") && n.outputs.size() > 1 && !n.outputs[1].empty()) return "MaxPool Indices is not supported in INT8";
      return "";
    default: return "";
  }
}

// The float value `v`'s quantized twin: its name and qparams.
struct QValue {
  std::string name;
  QParams qp;
};

class StaticQuantizer {
 public:
  StaticQuantizer(const Graph& g, const std::map<std::string, Range>& ranges, const StaticQuantOptions& options,
                  QuantizeSummary* summary)
      : src_(g), ranges_(ranges), options_(options), summary_(summary) {
    out_ = g;
    out_.nodes.clear();
    for (const auto& v : g.inputs) float_.insert(v.name);
    for (const auto& kv : g.initializers) float_.insert(kv.first);
    for (const auto& n : g.nodes)
      for (const auto& o : n.outputs) taken_.insert(o);
    for (const auto& v : g.inputs) taken_.insert(v.name);
    for (const auto& kv : g.initializers) taken_.insert(kv.first);
    for (const auto& v : g.outputs) graph_outputs_.insert(v.name);
  }

  Graph run() {
    check_node_names(src_, options_.exclude);
    for (const Node& n : src_.nodes) rewrite(n);
    for (const auto& v : src_.outputs) need_float(v.name);
    drop_replaced_initializers(out_, src_);
    return std::move(out_);
  }

 private:
  void rewrite(const Node& n) {
    if (is(n, "LSTM")) return rewrite_lstm(n);
    const Kind kind = kind_of(n);
    std::string why = options_.exclude.count(n.name) ? "excluded" : structural_reason(src_, n, kind);
    if (why.empty() && kind == Kind::SameQParams && !quantized_.count(n.input(0)))
      why = "its input is FP32";  // running a layout op in INT8 only pays inside an INT8 chain
    if (why.empty() && !has_ranges(n, kind)) why = "no calibrated range";
    if (!why.empty()) return keep_fp32(n, why);
    if (summary_) ++summary_->int8_nodes;
    switch (kind) {
      case Kind::Conv: return emit_conv(n);
      case Kind::Gemm: return emit_gemm(n);
      case Kind::MatMul: return emit_matmul(n);
      case Kind::Binary: return emit_binary(n);
      case Kind::Concat: return emit_concat(n);
      case Kind::Requantizing: return emit_requantizing(n);
      default: return emit_same_qparams(n);
    }
  }

  // An LSTM's gate inputs change range every step, so it quantizes them per
  // call whatever the mode: float in, the INT8 LSTM kernel, float out.
  void rewrite_lstm(const Node& n) {
    const std::string why = options_.exclude.count(n.name) ? "excluded" : lstm_fp32_reason(src_, n);
    if (!why.empty()) return keep_fp32(n, why);
    for (const auto& in : n.inputs)
      if (!in.empty()) need_float(in);
    out_.nodes.push_back(dynamic_quantize_lstm(
        src_, n, options_, [this](const std::string& name, Tensor t) { return add_weight(name, std::move(t)); }));
    for (const auto& o : n.outputs) float_.insert(o);
    if (summary_) ++summary_->int8_nodes;
  }

  bool has_ranges(const Node& n, Kind kind) const {
    for (size_t i : data_inputs(n, kind))
      if (!quantized_.count(n.input(i)) && !ranges_.count(n.input(i))) return false;
    return kind == Kind::SameQParams || ranges_.count(n.outputs.at(0));
  }

  void keep_fp32(const Node& n, const std::string& why) {
    if (summary_) summary_->keep_fp32(n, why);
    Node copy = n;
    for (auto& in : copy.inputs) {
      if (in.empty()) continue;
      // Shape reads only the dims, which the 8-bit twin has too.
      if (is(n, "Shape") && !float_.count(in) && quantized_.count(in))
        in = quantized_.at(in).name;
      else
        need_float(in);
    }
    for (const auto& o : n.outputs) float_.insert(o);
    out_.nodes.push_back(std::move(copy));
  }

  // ---- values ----------------------------------------------------------

  std::string fresh(const std::string& name) {
    if (!taken_.insert(name).second)
      throw UnsupportedError("quantization: the model already has a value named '" + name + "'");
    return name;
  }

  Tensor zero_point_tensor(int32_t zp) const {
    return options_.activations.dtype == graph::DType::UInt8 ? Tensor::scalar<uint8_t>(static_cast<uint8_t>(zp))
                                                             : Tensor::scalar<int8_t>(static_cast<int8_t>(zp));
  }

  // Registers `v`'s quantized twin with qparams qp and writes its scale and
  // zero point initializers.
  const QValue& declare_quantized(const std::string& v, const QParams& qp) {
    QValue q{fresh(v + "_quantized"), qp};
    out_.initializers[fresh(v + "_scale")] = Tensor::scalar<float>(qp.scale);
    out_.initializers[fresh(v + "_zero_point")] = zero_point_tensor(qp.zero_point);
    return quantized_[v] = q;
  }

  QParams calibrated(const std::string& v) const { return choose_qparams(ranges_.at(v), options_.activations); }

  // The quantized twin of `v`, quantizing the float value first if no INT8
  // node has produced it.
  const QValue& need_quantized(const std::string& v) {
    auto it = quantized_.find(v);
    if (it != quantized_.end()) return it->second;
    const QValue& q = declare_quantized(v, calibrated(v));
    add_node("QuantizeLinear", "", v + "_QuantizeLinear", {v, v + "_scale", v + "_zero_point"}, {q.name});
    return q;
  }

  // Makes the float value `v` available, dequantizing its twin once.
  void need_float(const std::string& v) {
    if (float_.count(v)) return;
    const QValue& q = quantized_.at(v);
    add_node("DequantizeLinear", "", v + "_DequantizeLinear", {q.name, v + "_scale", v + "_zero_point"}, {v});
    float_.insert(v);
  }

  // The three inputs (value, scale, zero point) of a quantized operand.
  std::vector<std::string> operand(const std::string& v) {
    const QValue& q = need_quantized(v);
    return {q.name, v + "_scale", v + "_zero_point"};
  }

  Node& add_node(const std::string& op, const std::string& domain, const std::string& name,
                 std::vector<std::string> inputs, std::vector<std::string> outputs) {
    Node n;
    n.op_type = op;
    n.domain = domain;
    n.name = name;
    n.inputs = std::move(inputs);
    n.outputs = std::move(outputs);
    out_.nodes.push_back(std::move(n));
    return out_.nodes.back();
  }

  // A node that replaces `n`: same name, attributes and outputs' twins.
  Node& add_replacement(const Node& n, const std::string& op, const std::string& domain,
                        std::vector<std::string> inputs, const std::vector<std::string>& outputs) {
    Node& q = add_node(op, domain, n.name, std::move(inputs), outputs);
    q.attrs = n.attrs;
    return q;
  }

  std::string add_weight(const std::string& name, Tensor t) {
    const std::string unique = fresh(name);
    out_.initializers[unique] = std::move(t);
    return unique;
  }

  // Weight tensors (values, scale, zero point) as initializers named after w.
  std::vector<std::string> add_weights(const std::string& w, const QuantizedWeights& q) {
    return {add_weight(w + "_quantized", q.values), add_weight(w + "_scale", q.scale),
            add_weight(w + "_zero_point", q.zero_point)};
  }

  // ---- per kind ----------------------------------------------------------

  // Appends x's operand, then the weight's (values, scale, zero point) with
  // output channels on `axis`.
  QuantizedWeights add_linear_operands(const Node& n, const Tensor& w, int axis, std::vector<std::string>& in) {
    for (auto& s : operand(n.input(0))) in.push_back(s);
    QuantizedWeights q = quantize_weights(w, axis, options_.per_channel, options_.reduce_range);
    for (auto& s : add_weights(n.input(1), q)) in.push_back(s);
    return q;
  }

  // Declares the output's twin from its calibrated range and appends its
  // scale and zero point; returns the twin's name.
  std::string add_output_qparams(const Node& n, std::vector<std::string>& in) {
    const std::string& y = n.outputs[0];
    const std::string name = declare_quantized(y, calibrated(y)).name;
    in.push_back(y + "_scale");
    in.push_back(y + "_zero_point");
    return name;
  }

  std::string add_bias(const Node& n, const Tensor& b, const QuantizedWeights& w) {
    return add_weight(n.input(2) + "_quantized", quantize_bias(b, quantized_.at(n.input(0)).qp.scale, w.scales));
  }

  void emit_conv(const Node& n) {
    std::vector<std::string> in;
    const QuantizedWeights w = add_linear_operands(n, *initializer(src_, n.input(1)), 0, in);
    const std::string y = add_output_qparams(n, in);
    if (!n.input(2).empty()) in.push_back(add_bias(n, *initializer(src_, n.input(2)), w));
    add_replacement(n, "QLinearConv", "", in, {y});
  }

  // Gemm: y = alpha * A * op(B) + beta * C, with alpha folded into B and
  // beta into C before they are quantized, so QGemm runs with alpha 1.
  void emit_gemm(const Node& n) {
    const bool trans_b = n.attr_int("transB", 0) != 0;
    std::vector<std::string> in;
    const QuantizedWeights w = add_linear_operands(
        n, scaled(*initializer(src_, n.input(1)), n.attr_float("alpha", 1.0f)), trans_b ? 0 : 1, in);
    if (!n.input(2).empty())
      in.push_back(add_bias(n, *gemm_bias(*initializer(src_, n.input(2)), gemm_columns(src_, n), n.attr_float("beta", 1.0f)), w));
    else
      in.push_back("");
    std::vector<std::string> outs{n.outputs[0]};
    if (graph_outputs_.count(n.outputs[0]))
      float_.insert(n.outputs[0]);  // dequantized in the epilogue: no y_scale
    else
      outs = {add_output_qparams(n, in)};
    while (in.back().empty()) in.pop_back();
    Node& q = add_replacement(n, "QGemm", graph::kMicrosoftDomain, in, outs);
    q.attrs.erase("alpha");
    q.attrs.erase("beta");
    q.attrs.erase("transA");
    q.attrs["transB"] = graph::Attribute::of(int64_t{trans_b ? 1 : 0});
  }

  void emit_matmul(const Node& n) {
    std::vector<std::string> in;
    add_linear_operands(n, *initializer(src_, n.input(1)), 1, in);
    const std::string y = add_output_qparams(n, in);
    add_replacement(n, "QLinearMatMul", "", in, {y});
  }

  void emit_binary(const Node& n) {
    std::vector<std::string> in = operand(n.input(0));
    for (auto& s : operand(n.input(1))) in.push_back(s);
    const std::string y = add_output_qparams(n, in);
    add_replacement(n, is(n, "Add") ? "QLinearAdd" : "QLinearMul", graph::kMicrosoftDomain, in, {y});
  }

  void emit_concat(const Node& n) {
    std::vector<std::string> in;
    const std::string y = add_output_qparams(n, in);
    for (const auto& x : n.inputs)
      for (auto& s : operand(x)) in.push_back(s);
    add_replacement(n, "QLinearConcat", graph::kMicrosoftDomain, in, {y});
  }

  void emit_requantizing(const Node& n) {
    std::vector<std::string> in = operand(n.input(0));
    const std::string y = add_output_qparams(n, in);
    Node& q = add_replacement(n, "QLinear" + n.op_type, graph::kMicrosoftDomain, in, {y});
    if (is(n, "GlobalAveragePool") || is(n, "AveragePool")) q.attrs["channels_last"] = graph::Attribute::of(int64_t{0});
  }

  void emit_same_qparams(const Node& n) {
    std::vector<std::string> in = n.inputs;
    const QValue x = quantized_.at(n.input(0));
    in[0] = x.name;
    const QValue& yq = declare_quantized(n.outputs[0], x.qp);
    std::vector<std::string> outs{yq.name};
    add_replacement(n, n.op_type, "", in, outs);
  }

  const Graph& src_;
  const std::map<std::string, Range>& ranges_;
  const StaticQuantOptions& options_;
  QuantizeSummary* summary_;
  Graph out_;
  std::map<std::string, QValue> quantized_;  // float name -> its 8-bit twin
  std::set<std::string> float_;              // float values available so far
  std::set<std::string> taken_;              // every value name in use
  std::set<std::string> graph_outputs_;
};

}  // namespace

Graph prepare_for_quantization(Graph g) {
  graph::topological_sort(g);
  graph::optimize_for_inference(g);
  return g;
}

std::vector<std::string> values_to_calibrate(const Graph& g, const StaticQuantOptions& options) {
  std::set<std::string> seen;
  std::vector<std::string> values;
  auto add = [&](const std::string& v) {
    if (!v.empty() && !g.is_initializer(v) && seen.insert(v).second) values.push_back(v);
  };
  for (const Node& n : g.nodes) {
    const Kind kind = kind_of(n);
    if (options.exclude.count(n.name) || !structural_reason(g, n, kind).empty() || kind == Kind::SameQParams)
      continue;
    for (size_t i : data_inputs(n, kind)) add(n.input(i));
    add(n.outputs.at(0));
  }
  return values;
}

Graph quantize_static(const Graph& g, const std::map<std::string, Range>& ranges, const StaticQuantOptions& options,
                      QuantizeSummary* summary) {
  return StaticQuantizer(g, ranges, options, summary).run();
}

}  // namespace octet::quant
