#include "quant/export_qdq.h"

#include <cmath>
#include <limits>
#include <set>

#include "graph/error.h"
#include "graph/passes.h"
#include "kernels/ref/requantize.h"
#include "quant/quantize_common.h"

namespace octet::quant {

namespace {

using graph::Graph;
using graph::Node;
using graph::Tensor;

bool is_contrib(const Node& n, const char* op) { return n.domain == graph::kMicrosoftDomain && n.op_type == op; }

// Where a QLinear op keeps its output's scale and zero point.
struct OutputQParams {
  size_t scale, zero_point;
};

class QdqWriter {
 public:
  explicit QdqWriter(const Graph& q) : src_(q), out_(q) {
    out_.nodes.clear();
    if (out_.opset != 0 && out_.opset < 13)
      throw UnsupportedError("QDQ export: per-channel DequantizeLinear needs opset 13; the model has opset " +
                             std::to_string(out_.opset));
    for (const auto& n : q.nodes)
      for (const auto& o : n.outputs) taken_.insert(o);
    for (const auto& kv : q.initializers) taken_.insert(kv.first);
    for (const auto& v : q.inputs) taken_.insert(v.name);
  }

  // Qparams kept only for tools to find by name (a MaxPool output's, say)
  // have no reader in the QDQ graph: other runtimes warn about them.
  Graph run() {
    for (const Node& n : src_.nodes) rewrite(n);
    drop_replaced_initializers(out_, src_);
    return std::move(out_);
  }

 private:
  void rewrite(const Node& n) {
    if (is(n, "QLinearConv")) return conv(n);
    if (is(n, "QLinearMatMul")) return linear(n, "MatMul", 1, {6, 7});
    if (is_contrib(n, "QGemm")) return gemm(n);
    if (is_contrib(n, "QLinearAdd") || is_contrib(n, "QLinearMul"))
      return elementwise(n, n.op_type.substr(7), {0, 3}, {6, 7});
    if (is_contrib(n, "QLinearConcat")) return concat(n);
    if (is_contrib(n, "QLinearGlobalAveragePool") || is_contrib(n, "QLinearAveragePool") ||
        is_contrib(n, "QLinearSigmoid") || is_contrib(n, "QLinearLeakyRelu"))
      return elementwise(n, n.op_type.substr(7), {0}, {3, 4});
    if (n.domain.empty() || is_contrib(n, "DynamicQuantizeMatMul") || is_contrib(n, "DynamicQuantizeLSTM"))
      return out_.nodes.push_back(n);
    throw UnsupportedError("QDQ export: " + n.label() + " (" + graph::op_key(n) + ") has no QDQ form");
  }

  // ---- names and nodes ---------------------------------------------------

  std::string fresh(const std::string& base) {
    std::string name = base;
    for (int i = 1; !taken_.insert(name).second; ++i) name = base + "_" + std::to_string(i);
    return name;
  }

  Node& add(const std::string& op, const std::string& name, std::vector<std::string> in,
            std::vector<std::string> outs) {
    Node n;
    n.op_type = op;
    n.name = fresh(name);
    n.inputs = std::move(in);
    n.outputs = std::move(outs);
    out_.nodes.push_back(std::move(n));
    return out_.nodes.back();
  }

  // DequantizeLinear of one 8-bit (or int32) operand, one per consumer as
  // QDQ models have it; `axis` for per-channel qparams.
  std::string dequantize(const Node& consumer, const std::string& x, const std::string& scale,
                         const std::string& zero_point, int64_t axis = 1) {
    const std::string y = fresh(x + "_dq_" + consumer.name);
    Node& d = add("DequantizeLinear", y, {x, scale, zero_point}, {y});
    if (per_channel(scale)) d.attrs["axis"] = graph::Attribute::of(axis);
    return y;
  }

  bool per_channel(const std::string& scale) const {
    const Tensor* s = initializer(src_, scale);
    return s && s->numel() > 1;
  }

  // The float op replacing `n`: its name and attributes less Octet's and
  // the QLinear-only ones.
  Node& float_op(const Node& n, const std::string& op, std::vector<std::string> in, const std::string& out) {
    Node& f = add(op, n.name, std::move(in), {out});
    f.attrs = n.attrs;
    for (const char* key : {graph::kActivationMin, graph::kActivationMax, "channels_last"}) f.attrs.erase(key);
    return f;
  }

  // Quantizes the float result into n's output, through the fused clamp when
  // the output's range does not already imply it.
  void quantize_output(const Node& n, std::string y, const OutputQParams& qp) {
    const std::string& scale = n.input(qp.scale);
    const std::string& zero_point = n.input(qp.zero_point);
    if (has_fused_clamp(n) && !clamp_implied(n, scale, zero_point)) y = clip(n, y);
    add("QuantizeLinear", n.outputs[0] + "_QuantizeLinear", {y, scale, zero_point}, {n.outputs[0]});
  }

  // True when quantizing to (scale, zero_point) saturates at or inside the
  // fused clamp, so the clamp changes nothing.
  bool clamp_implied(const Node& n, const std::string& scale, const std::string& zero_point) const {
    const Tensor* s = initializer(src_, scale);
    const Tensor* z = initializer(src_, zero_point);
    if (!s || !z || s->numel() != 1) return false;
    const bool u8 = z->dtype() == graph::DType::UInt8;
    const int32_t zp = u8 ? z->data<uint8_t>()[0] : z->data<int8_t>()[0];
    const float lo = n.attr_float(graph::kActivationMin, -std::numeric_limits<float>::infinity());
    const float hi = n.attr_float(graph::kActivationMax, std::numeric_limits<float>::infinity());
    const int32_t qmin = u8 ? 0 : -128, qmax = u8 ? 255 : 127;
    const float sv = s->data<float>()[0];
    // The codes the clamp bounds quantize to (int16 holds every code).
    const int32_t qlo = std::isinf(lo) ? qmin : kernels::quantize_value<int16_t>(lo, sv, zp);
    const int32_t qhi = std::isinf(hi) ? qmax : kernels::quantize_value<int16_t>(hi, sv, zp);
    return qlo <= qmin && qhi >= qmax;
  }

  // Clip(x, activation_min, activation_max) into `y` (a fresh name when
  // empty); returns y.
  std::string clip(const Node& n, const std::string& x, std::string y = "") {
    auto bound = [&](const char* attr, const char* suffix) -> std::string {
      if (!n.has_attr(attr)) return "";
      const std::string name = fresh(n.name + suffix);
      out_.initializers[name] = Tensor::scalar<float>(n.attr_float(attr, 0.0f));
      return name;
    };
    if (y.empty()) y = fresh(x + "_clipped");
    add("Clip", n.name + "_activation",
        {x, bound(graph::kActivationMin, "_clip_min"), bound(graph::kActivationMax, "_clip_max")}, {y});
    return y;
  }

  // An int32 bias as QDQ models carry it: DequantizeLinear with scale
  // a_scale * w_scale[c] and zero point 0, per channel.
  std::string dequantize_bias(const Node& n, const std::string& bias, const std::string& a_scale,
                              const std::string& w_scale) {
    const Tensor* as = initializer(src_, a_scale);
    const Tensor* ws = initializer(src_, w_scale);
    const Tensor* b = initializer(src_, bias);
    if (!as || !ws || !b) throw UnsupportedError("QDQ export: " + n.label() + ": bias or scales are not constants");
    std::vector<float> scale(static_cast<size_t>(b->numel()));
    for (size_t c = 0; c < scale.size(); ++c)
      scale[c] = as->data<float>()[0] * ws->data<float>()[ws->numel() == 1 ? 0 : c];
    const std::string s = fresh(bias + "_scale");
    const std::string z = fresh(bias + "_zero_point");
    out_.initializers[s] = Tensor::from<float>({b->numel()}, scale);
    out_.initializers[z] = Tensor(graph::DType::Int32, {b->numel()});
    const std::string y = fresh(bias + "_dq");
    Node& d = add("DequantizeLinear", y, {bias, s, z}, {y});
    d.attrs["axis"] = graph::Attribute::of(int64_t{0});
    return y;
  }

  // ---- per op ------------------------------------------------------------

  void conv(const Node& n) {
    std::vector<std::string> in{dequantize(n, n.input(0), n.input(1), n.input(2)),
                                dequantize(n, n.input(3), n.input(4), n.input(5), 0)};
    if (!n.input(8).empty()) in.push_back(dequantize_bias(n, n.input(8), n.input(1), n.input(4)));
    const std::string y = fresh(n.outputs[0] + "_float");
    float_op(n, "Conv", in, y);
    quantize_output(n, y, {6, 7});
  }

  void linear(const Node& n, const char* op, int64_t weight_axis, const OutputQParams& qp) {
    const std::vector<std::string> in{dequantize(n, n.input(0), n.input(1), n.input(2)),
                                      dequantize(n, n.input(3), n.input(4), n.input(5), weight_axis)};
    const std::string y = fresh(n.outputs[0] + "_float");
    float_op(n, op, in, y);
    quantize_output(n, y, qp);
  }

  void gemm(const Node& n) {
    const int64_t axis = n.attr_int("transB", 0) != 0 ? 0 : 1;
    std::vector<std::string> in{dequantize(n, n.input(0), n.input(1), n.input(2)),
                                dequantize(n, n.input(3), n.input(4), n.input(5), axis)};
    if (!n.input(6).empty()) in.push_back(dequantize_bias(n, n.input(6), n.input(1), n.input(4)));
    const bool float_out = n.input(7).empty();
    const std::string y = float_out ? n.outputs[0] : fresh(n.outputs[0] + "_float");
    const bool clamp_float = float_out && has_fused_clamp(n);
    const std::string gemm_out = clamp_float ? fresh(y + "_unclamped") : y;
    float_op(n, "Gemm", in, gemm_out);
    if (!float_out) return quantize_output(n, y, {7, 8});
    if (clamp_float) clip(n, gemm_out, y);
  }

  void elementwise(const Node& n, const std::string& op, const std::vector<size_t>& operands, const OutputQParams& qp) {
    std::vector<std::string> in;
    for (size_t i : operands) in.push_back(dequantize(n, n.input(i), n.input(i + 1), n.input(i + 2)));
    const std::string y = fresh(n.outputs[0] + "_float");
    float_op(n, op, in, y);
    quantize_output(n, y, qp);
  }

  void concat(const Node& n) {
    std::vector<std::string> in;
    for (size_t i = 2; i + 2 < n.inputs.size(); i += 3)
      in.push_back(dequantize(n, n.input(i), n.input(i + 1), n.input(i + 2)));
    const std::string y = fresh(n.outputs[0] + "_float");
    float_op(n, "Concat", in, y);
    quantize_output(n, y, {0, 1});
  }

  const Graph& src_;
  Graph out_;
  std::set<std::string> taken_;
};

}  // namespace

Graph export_qdq(const Graph& quantized) { return QdqWriter(quantized).run(); }

}  // namespace octet::quant
