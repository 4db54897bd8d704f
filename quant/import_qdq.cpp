#include "quant/import_qdq.h"

#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "graph/passes.h"
#include "kernels/ref/requantize.h"
#include "quant/quantize_common.h"

namespace octet::quant {

namespace {

using graph::DType;
using graph::Graph;
using graph::Node;
using graph::Tensor;

// A DequantizeLinear feeding the op: its 8-bit (or int32) codes and qparams.
struct Dq {
  std::string codes, scale, zero_point;
  int64_t axis = 1;
  bool per_channel = false;
};

class QdqImporter {
 public:
  explicit QdqImporter(Graph& g) : g_(g) {
    for (const auto& n : g.nodes)
      for (const auto& o : n.outputs) taken_.insert(o);
    for (const auto& kv : g.initializers) taken_.insert(kv.first);
    for (const auto& v : g.inputs) taken_.insert(v.name);
  }

  QdqImportReport run() {
    sink_dequantizes();
    index();
    std::set<size_t> removed;  // QuantizeLinear nodes folded into their op
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      const Node& n = g_.nodes[i];
      if (!n.domain.empty() || is(n, "QuantizeLinear") || is(n, "DequantizeLinear") || !has_dq_input(n)) continue;
      std::string why;
      size_t q = 0;
      if (!fuse(i, &q, &why)) {
        report_.left_float.push_back(n.label() + ": " + why);
        continue;
      }
      if (q != kNone) removed.insert(q);
      report_.fused.push_back(g_.nodes[i].name);
    }
    std::vector<Node> kept;
    for (size_t i = 0; i < g_.nodes.size(); ++i)
      if (!removed.count(i)) kept.push_back(std::move(g_.nodes[i]));
    g_.nodes = std::move(kept);
    drop_unread_dequantizes();
    return report_;
  }

 private:
  static constexpr size_t kNone = static_cast<size_t>(-1);

  void index() {
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      for (const auto& o : g_.nodes[i].outputs) producer_[o] = i;
      for (const auto& in : g_.nodes[i].inputs)
        if (!in.empty()) readers_[in].push_back(i);
    }
    for (const auto& v : g_.outputs) graph_outputs_.insert(v.name);
  }

  bool has_dq_input(const Node& n) const {
    for (const auto& in : n.inputs)
      if (dq_node(in)) return true;
    return false;
  }

  const Node* dq_node(const std::string& value) const {
    auto it = producer_.find(value);
    if (it == producer_.end()) return nullptr;
    const Node& p = g_.nodes[it->second];
    return is(p, "DequantizeLinear") ? &p : nullptr;
  }

  // The DequantizeLinear producing `value` with constant qparams.
  bool dq_of(const std::string& value, Dq* out, std::string* why) const {
    const Node* d = dq_node(value);
    if (!d) return *why = "'" + value + "' does not come from a DequantizeLinear", false;
    const Tensor* s = initializer(g_, d->input(1));
    const Tensor* z = d->input(2).empty() ? nullptr : initializer(g_, d->input(2));
    if (!s || !z) return *why = d->label() + ": scale or zero point is not a constant", false;
    if (z->dtype() != DType::UInt8 && z->dtype() != DType::Int8)
      return *why = d->label() + ": not 8-bit codes", false;
    out->codes = d->input(0);
    out->scale = d->input(1);
    out->zero_point = d->input(2);
    out->per_channel = s->numel() > 1;
    out->axis = d->attr_int("axis", 1);
    return true;
  }

  bool per_tensor_inputs(const Node& n, const std::vector<size_t>& idx, std::vector<Dq>* dqs, std::string* why) {
    for (size_t i : idx) {
      Dq d;
      if (!dq_of(n.input(i), &d, why)) return false;
      if (d.per_channel) return *why = "input " + std::to_string(i) + " is quantized per channel", false;
      dqs->push_back(d);
    }
    return true;
  }

  // The one QuantizeLinear reading n's output, with constant qparams.
  size_t output_q(const Node& n, std::string* why) const {
    const std::string& y = n.outputs[0];
    auto it = readers_.find(y);
    if (graph_outputs_.count(y) || it == readers_.end() || it->second.size() != 1)
      return *why = "its output is not read by exactly one QuantizeLinear", kNone;
    const Node& q = g_.nodes[it->second[0]];
    if (!is(q, "QuantizeLinear") || q.input(0) != y)
      return *why = "its output is not read by exactly one QuantizeLinear", kNone;
    const Tensor* s = initializer(g_, q.input(1));
    const Tensor* z = q.input(2).empty() ? nullptr : initializer(g_, q.input(2));
    if (!s || !z || s->numel() != 1 || z->numel() != 1)
      return *why = q.label() + ": output qparams are not one constant scale and zero point", kNone;
    return it->second[0];
  }

  bool fuse(size_t i, size_t* q, std::string* why) {
    const Node n = g_.nodes[i];
    const std::string& op = n.op_type;
    *q = output_q(n, why);
    // A Gemm or MatMul whose output nobody quantizes keeps a float output:
    // QGemm without output qparams (as export-qdq writes it), and ONNX
    // Runtime's MatMulIntegerToFloat (as its QDQ fusion writes it).
    const bool float_out = *q == kNone && (op == "Gemm" || op == "MatMul");
    if (*q == kNone && !float_out) return false;
    Node out;
    if (!build(n, &out, why)) return false;
    if (float_out && op == "MatMul") {
      if (!matmul_to_float(&out, why)) return false;
    } else if (float_out) {
      out.inputs.resize(7);
    } else {
      const Node& qn = g_.nodes[*q];
      set_output_qparams(out, qn.input(1), qn.input(2));
      out.outputs = {qn.outputs[0]};
    }
    while (!out.inputs.empty() && out.inputs.back().empty()) out.inputs.pop_back();
    g_.nodes[i] = std::move(out);
    return true;
  }

  // n's INT8 node with placeholders ("") where the output qparams go.
  bool build(const Node& n, Node* out, std::string* why) {
    const std::string& op = n.op_type;
    if (op == "Conv") return conv(n, out, why);
    if (op == "Gemm") return gemm(n, out, why);
    if (op == "MatMul") return matmul(n, out, why);
    std::vector<size_t> data;
    if (op == "Add" || op == "Mul") {
      data = {0, 1};
    } else if (op == "Concat") {
      for (size_t k = 0; k < n.inputs.size(); ++k) data.push_back(k);
    } else if (op == "GlobalAveragePool" || op == "AveragePool" || op == "Sigmoid" || op == "LeakyRelu") {
      data = {0};
    } else {
      return *why = "no INT8 kernel for " + op, false;
    }
    std::vector<Dq> d;
    if (!per_tensor_inputs(n, data, &d, why)) return false;
    *out = make(n, "QLinear" + op, graph::kMicrosoftDomain, {});
    if (op == "Concat") out->inputs = {"", ""};
    for (const Dq& x : d) out->inputs.insert(out->inputs.end(), {x.codes, x.scale, x.zero_point});
    return true;
  }

  // Where each INT8 op takes its output scale and zero point.
  static void set_output_qparams(Node& n, const std::string& scale, const std::string& zero_point) {
    size_t at = n.inputs.size();
    if (n.op_type == "QLinearConv") at = 6;
    if (n.op_type == "QGemm") at = 7;
    if (n.op_type == "QLinearConcat") at = 0;
    if (n.inputs.size() < at + 2) n.inputs.resize(at + 2);
    n.inputs[at] = scale;
    n.inputs[at + 1] = zero_point;
  }

  // n's replacement: its name, attributes and (until the caller adds the
  // output qparams) its output.
  static Node make(const Node& n, const std::string& op, const std::string& domain, std::vector<std::string> in) {
    Node out;
    out.name = n.name;
    out.op_type = op;
    out.domain = domain;
    out.inputs = std::move(in);
    out.outputs = n.outputs;
    out.attrs = n.attrs;
    return out;
  }

  bool conv(const Node& n, Node* out, std::string* why) {
    Dq x, w;
    if (!dq_of(n.input(0), &x, why) || !dq_of(n.input(1), &w, why)) return false;
    if (x.per_channel) return *why = "the input is quantized per channel", false;
    if (!constant_codes(&w.codes)) return *why = "the weights are not constant", false;
    if (initializer(g_, w.zero_point)->dtype() != DType::Int8) return *why = "the weights are not int8", false;
    if (w.per_channel && w.axis != 0) return *why = "weights per channel along an axis other than 0", false;
    std::string bias;
    if (!n.input(2).empty() && !int32_bias(n, n.input(2), x, w, &bias, why)) return false;
    // QLinearConv takes the bias last, after the output qparams.
    *out = make(n, "QLinearConv", "", {x.codes, x.scale, x.zero_point, w.codes, w.scale, w.zero_point, "", "", bias});
    return true;
  }

  bool gemm(const Node& n, Node* out, std::string* why) {
    Dq a, b;
    if (!dq_of(n.input(0), &a, why) || !dq_of(n.input(1), &b, why)) return false;
    if (a.per_channel) return *why = "the input is quantized per channel", false;
    if (!constant_codes(&b.codes)) return *why = "B is not constant", false;
    if (initializer(g_, b.zero_point)->dtype() != DType::Int8) return *why = "B is not int8", false;
    if (n.attr_int("transA", 0) != 0) return *why = "transA is not supported in INT8", false;
    if (n.attr_float("alpha", 1.0f) != 1.0f || n.attr_float("beta", 1.0f) != 1.0f)
      return *why = "alpha or beta is not 1", false;
    const int64_t column_axis = n.attr_int("transB", 0) != 0 ? 0 : 1;
    if (b.per_channel && b.axis != column_axis) return *why = "B per channel along an axis other than its columns", false;
    std::string bias;
    if (!n.input(2).empty() && !int32_bias(n, n.input(2), a, b, &bias, why)) return false;
    *out = make(n, "QGemm", graph::kMicrosoftDomain,
                {a.codes, a.scale, a.zero_point, b.codes, b.scale, b.zero_point, bias, "", ""});
    out->attrs.erase("alpha");
    out->attrs.erase("beta");
    return true;
  }

  bool matmul(const Node& n, Node* out, std::string* why) {
    Dq a, b;
    if (!dq_of(n.input(0), &a, why) || !dq_of(n.input(1), &b, why)) return false;
    if (a.per_channel) return *why = "the first input is quantized per channel", false;
    if (b.per_channel && !(b.axis == 1 || b.axis == -1)) return *why = "B per channel along its rows", false;
    if (has_fused_clamp(n)) return *why = "QLinearMatMul has no fused activation", false;
    *out = make(n, "QLinearMatMul", "", {a.codes, a.scale, a.zero_point, b.codes, b.scale, b.zero_point});
    return true;
  }

  // A QLinearMatMul without output qparams as MatMulIntegerToFloat, whose
  // B is a [K, N] matrix and a_scale one value.
  bool matmul_to_float(Node* n, std::string* why) {
    const std::string a = n->input(0), a_scale = n->input(1), a_zp = n->input(2);
    std::string b = n->input(3);
    const Tensor* s = initializer(g_, a_scale);
    if (!constant_codes(&b) || initializer(g_, b)->rank() != 2 || !s || s->numel() != 1)
      return *why = "a float-output MatMul needs a constant [K, N] B and one scale for A", false;
    n->op_type = "MatMulIntegerToFloat";
    n->domain = graph::kMicrosoftDomain;
    n->inputs = {a, b, a_scale, n->input(4), a_zp, n->input(5)};
    return true;
  }

  // Whether `codes` names constant 8-bit codes; codes a QuantizeLinear makes
  // of a float initializer (how QAT exports leave the weights' fake
  // quantizer) are computed here, as QuantizeLinear defines them, into a
  // new initializer that `codes` then names.
  bool constant_codes(std::string* codes) {
    if (initializer(g_, *codes)) return true;
    auto it = producer_.find(*codes);
    if (it == producer_.end() || !is(g_.nodes[it->second], "QuantizeLinear")) return false;
    const Node& q = g_.nodes[it->second];
    const Tensor* x = initializer(g_, q.input(0));
    const Tensor* s = initializer(g_, q.input(1));
    const Tensor* z = q.input(2).empty() ? nullptr : initializer(g_, q.input(2));
    if (!x || !s || !z || x->dtype() != DType::Float32 || s->numel() != z->numel()) return false;
    if (z->dtype() != DType::Int8 && z->dtype() != DType::UInt8) return false;
    int64_t axis = q.attr_int("axis", 1), inner = 1, channels = 1;
    if (s->numel() > 1) {
      const int64_t rank = static_cast<int64_t>(x->rank());
      if (axis < 0) axis += rank;
      if (axis < 0 || axis >= rank || x->shape()[axis] != s->numel()) return false;
      channels = s->numel();
      for (int64_t d = axis + 1; d < rank; ++d) inner *= x->shape()[d];
    }
    Tensor out(z->dtype(), x->shape());
    for (int64_t i = 0; i < x->numel(); ++i) {
      const int64_t c = (i / inner) % channels;
      const float v = x->data<float>()[i], scale = s->data<float>()[c];
      if (z->dtype() == DType::Int8)
        out.data<int8_t>()[i] = kernels::quantize_value<int8_t>(v, scale, z->data<int8_t>()[c]);
      else
        out.data<uint8_t>()[i] = kernels::quantize_value<uint8_t>(v, scale, z->data<uint8_t>()[c]);
    }
    *codes = fresh(*codes + "_codes");
    g_.initializers[*codes] = std::move(out);
    return true;
  }

  // The bias as int32 codes at scale x_scale * w_scale[c]: its
  // DequantizeLinear's codes when they are at that scale, else its float
  // values quantized to it.
  bool int32_bias(const Node& n, const std::string& value, const Dq& x, const Dq& w, std::string* name,
                  std::string* why) {
    const float xs = initializer(g_, x.scale)->data<float>()[0];
    const Tensor& ws = *initializer(g_, w.scale);
    auto bias_scale = [&](int64_t c) { return xs * ws.data<float>()[ws.numel() == 1 ? 0 : c]; };
    std::vector<float> real;
    if (const Node* d = dq_node(value)) {
      const Tensor* codes = initializer(g_, d->input(0));
      const Tensor* s = initializer(g_, d->input(1));
      const Tensor* z = d->input(2).empty() ? nullptr : initializer(g_, d->input(2));
      if (!codes || !s || codes->dtype() != DType::Int32 || codes->rank() != 1)
        return *why = "the bias is not constant 1-D int32 codes", false;
      bool same = true;
      for (int64_t c = 0; c < codes->numel(); ++c) {
        const float sc = s->data<float>()[s->numel() == 1 ? 0 : c];
        const int32_t zc = z ? z->data<int32_t>()[z->numel() == 1 ? 0 : c] : 0;
        same = same && zc == 0 && sc == bias_scale(c);
        real.push_back(static_cast<float>(static_cast<int64_t>(codes->data<int32_t>()[c]) - zc) * sc);
      }
      if (same) return *name = d->input(0), true;
    } else {
      const Tensor* b = initializer(g_, value);
      if (!b || b->dtype() != DType::Float32 || b->rank() != 1) return *why = "the bias is not a 1-D constant", false;
      real.assign(b->data<float>(), b->data<float>() + b->numel());
    }
    Tensor q(DType::Int32, {static_cast<int64_t>(real.size())});
    for (size_t c = 0; c < real.size(); ++c) {
      const double v = std::nearbyint(static_cast<double>(real[c]) / static_cast<double>(bias_scale(c)));
      const double lim = std::numeric_limits<int32_t>::max();
      if (!(std::fabs(v) <= lim)) return *why = n.label() + ": the bias does not fit int32 at x_scale * w_scale", false;
      q.data<int32_t>()[c] = static_cast<int32_t>(v);
    }
    *name = fresh(value + "_int32");
    g_.initializers[*name] = std::move(q);
    return true;
  }

  std::string fresh(const std::string& base) {
    std::string name = base;
    for (int i = 1; !taken_.insert(name).second; ++i) name = base + "_" + std::to_string(i);
    return name;
  }

  // MaxPool and the layout ops commute with a per-tensor DequantizeLinear
  // (it is monotone and elementwise), so DQ -> MaxPool -> Flatten becomes
  // MaxPool -> Flatten -> DQ on the 8-bit codes, as Octet runs them; the
  // op after them then reads a DequantizeLinear and its group matches.
  // Eager-mode QAT exports leave MaxPool and flatten between the fake
  // quantizers this way.
  void sink_dequantizes() {
    std::map<std::string, Node> dq_of_value;  // value -> the DequantizeLinear producing it
    std::vector<Node> out;
    for (const Node& n : g_.nodes) {
      auto d = n.inputs.empty() ? dq_of_value.end() : dq_of_value.find(n.input(0));
      if (d == dq_of_value.end() || !commutes_with_dequantize(n)) {
        out.push_back(n);
        if (is(n, "DequantizeLinear") && per_tensor_constant(n)) dq_of_value[n.outputs[0]] = n;
        continue;
      }
      Node m = n;
      m.inputs[0] = d->second.input(0);
      m.outputs[0] = fresh(n.outputs[0] + "_quantized");
      Node back = d->second;
      back.name = fresh(n.name + "_DequantizeLinear");
      back.inputs[0] = m.outputs[0];
      back.outputs = {n.outputs[0]};
      dq_of_value[n.outputs[0]] = back;
      out.push_back(std::move(m));
      out.push_back(std::move(back));
    }
    g_.nodes = std::move(out);
  }

  static bool commutes_with_dequantize(const Node& n) {
    if (!n.domain.empty()) return false;
    if (n.op_type == "MaxPool") return n.outputs.size() == 1 || n.outputs[1].empty();
    for (const char* op : {"Flatten", "Reshape", "Squeeze", "Unsqueeze", "Transpose"})
      if (n.op_type == op) return true;
    return false;
  }

  bool per_tensor_constant(const Node& dq) const {
    const Tensor* s = initializer(g_, dq.input(1));
    const Tensor* z = dq.input(2).empty() ? nullptr : initializer(g_, dq.input(2));
    return s && z && s->numel() == 1 && z->numel() == 1 &&
           (z->dtype() == DType::UInt8 || z->dtype() == DType::Int8);
  }

  // QuantizeLinear / DequantizeLinear nodes nobody reads any more (the
  // folded groups' and the weights' fake quantizers), then initializers
  // nobody reads (the float weights they quantized).
  void drop_unread_dequantizes() {
    for (bool changed = true; changed;) {
      changed = false;
      std::set<std::string> read(graph_outputs_.begin(), graph_outputs_.end());
      for (const auto& n : g_.nodes)
        for (const auto& in : n.inputs) read.insert(in);
      std::vector<Node> kept;
      for (auto& n : g_.nodes) {
        if ((is(n, "DequantizeLinear") || is(n, "QuantizeLinear")) && !read.count(n.outputs[0])) {
          changed = true;
          continue;
        }
        kept.push_back(std::move(n));
      }
      g_.nodes = std::move(kept);
    }
    std::set<std::string> read(graph_outputs_.begin(), graph_outputs_.end());
    for (const auto& n : g_.nodes)
      for (const auto& in : n.inputs) read.insert(in);
    for (auto it = g_.initializers.begin(); it != g_.initializers.end();)
      it = read.count(it->first) ? std::next(it) : g_.initializers.erase(it);
  }

  Graph& g_;
  std::map<std::string, size_t> producer_;
  std::map<std::string, std::vector<size_t>> readers_;
  std::set<std::string> graph_outputs_, taken_;
  QdqImportReport report_;
};

}  // namespace

QdqImportReport import_qdq(graph::Graph& g) {
  bool has_dq = false;
  for (const auto& n : g.nodes) has_dq = has_dq || is(n, "DequantizeLinear");
  if (!has_dq) return {};
  // Relu / Clip between an op and its QuantizeLinear become the op's fused
  // clamp first, so the group matches.
  graph::optimize_for_inference(g);
  return QdqImporter(g).run();
}

}  // namespace octet::quant
