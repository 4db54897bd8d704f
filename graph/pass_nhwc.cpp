// Keeps INT8 convolution chains channels-last (NHWC). The INT8 kernels run
// NHWC while ONNX graphs are NCHW, so a conv that transposes its input in
// and its output back spends most of its time copying. This pass rewrites
// the 8-bit ops that can run NHWC to their NHWC forms (ONNX Runtime's
// contrib ops: com.microsoft:QLinearConv and the pools with channels_last =
// 1, com.microsoft:NhwcMaxPool) and puts explicit Transposes only where a
// chain begins or meets an NCHW consumer.
//
// A QLinearConv starts a chain (one transpose of its 8-bit input pays for
// itself); the pools, MaxPool and the elementwise ops only continue one, when
// every data input is already NHWC, so they never add a transpose.
#include <algorithm>
#include <set>

#include "graph/passes.h"
#include "graph/shape_inference.h"

namespace octet::graph {

namespace {

bool is_8bit(DType t) { return t == DType::UInt8 || t == DType::Int8; }

bool is_ms(const Node& n, const char* op) { return n.domain == kMicrosoftDomain && n.op_type == op; }
bool is_onnx(const Node& n, const char* op) { return n.domain.empty() && n.op_type == op; }

bool is_qconv(const Node& n) { return is_onnx(n, "QLinearConv"); }

// The inputs of n that carry image data (the rest are qparams), when n has
// an NHWC form; empty otherwise.
std::vector<size_t> data_inputs(const Node& n) {
  if (is_qconv(n)) return {0};
  if (is_onnx(n, "MaxPool")) {
    const bool indices = n.outputs.size() > 1 && !n.outputs[1].empty();
    return indices ? std::vector<size_t>{} : std::vector<size_t>{0};
  }
  if (is_ms(n, "QLinearGlobalAveragePool") || is_ms(n, "QLinearAveragePool"))
    return n.attr_int("channels_last", 0) == 0 ? std::vector<size_t>{0} : std::vector<size_t>{};
  if (is_ms(n, "QLinearAdd") || is_ms(n, "QLinearMul")) return {0, 3};
  if (is_ms(n, "QLinearSigmoid") || is_ms(n, "QLinearLeakyRelu")) return {0};
  return {};
}

class NhwcPlanner {
 public:
  explicit NhwcPlanner(const std::map<std::string, TensorInfo>& infos) : infos_(infos) {}

  // Whether node n runs NHWC, given the values already known to be NHWC.
  bool runs_nhwc(const Node& n) const {
    const std::vector<size_t> data = data_inputs(n);
    if (data.empty()) return false;
    const TensorInfo* first = info(n.input(data[0]));
    for (size_t i : data) {
      const TensorInfo* in = info(n.input(i));
      if (!in || !is_8bit(in->dtype) || in->shape.size() != 4 || in->shape != first->shape) return false;
      if (!is_qconv(n) && !nhwc.count(n.input(i))) return false;
    }
    return true;
  }

  std::set<std::string> nhwc;  // values produced channels-last (their graph names)

 private:
  const TensorInfo* info(const std::string& v) const {
    auto it = infos_.find(v);
    return v.empty() || it == infos_.end() ? nullptr : &it->second;
  }
  const std::map<std::string, TensorInfo>& infos_;
};

Node transpose_node(const std::string& from, const std::string& to, std::vector<int64_t> perm) {
  Node t;
  t.name = to + "_transpose";
  t.op_type = "Transpose";
  t.inputs = {from};
  t.outputs = {to};
  t.attrs["perm"] = Attribute::of(std::move(perm));
  return t;
}

void to_nhwc_form(Node& n) {
  if (is_qconv(n)) {
    n.domain = kMicrosoftDomain;
    n.attrs["channels_last"] = Attribute::of(int64_t{1});
  } else if (is_onnx(n, "MaxPool")) {
    n.domain = kMicrosoftDomain;
    n.op_type = "NhwcMaxPool";
  } else if (n.has_attr("channels_last") || is_ms(n, "QLinearGlobalAveragePool") || is_ms(n, "QLinearAveragePool")) {
    n.attrs["channels_last"] = Attribute::of(int64_t{1});
  }
}

// Fresh value names: `v` with a suffix no value of the graph has.
class Namer {
 public:
  explicit Namer(const Graph& g) {
    for (const auto& v : g.inputs) used_.insert(v.name);
    for (const auto& v : g.outputs) used_.insert(v.name);
    for (const auto& kv : g.initializers) used_.insert(kv.first);
    for (const auto& n : g.nodes) {
      used_.insert(n.inputs.begin(), n.inputs.end());
      used_.insert(n.outputs.begin(), n.outputs.end());
    }
  }
  // The NHWC twin of value v, the same name every time.
  const std::string& nhwc(const std::string& v) {
    auto it = twin_.find(v);
    if (it != twin_.end()) return it->second;
    std::string name = v + "_nhwc";
    for (int k = 1; used_.count(name); ++k) name = v + "_nhwc" + std::to_string(k);
    used_.insert(name);
    return twin_[v] = name;
  }

 private:
  std::set<std::string> used_;
  std::map<std::string, std::string> twin_;
};

}  // namespace

bool keep_int8_nhwc(Graph& g, const std::map<std::string, TensorInfo>& infos) {
  NhwcPlanner plan(infos);
  std::vector<bool> runs(g.nodes.size(), false);
  bool any_conv = false;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    runs[i] = plan.runs_nhwc(g.nodes[i]);
    if (runs[i]) plan.nhwc.insert(g.nodes[i].outputs[0]);
    any_conv = any_conv || (runs[i] && is_qconv(g.nodes[i]));
  }
  if (!any_conv) return false;  // nothing to gain

  // NHWC values some reader needs NCHW: one transpose back each.
  std::set<std::string> need_nchw;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    const std::vector<size_t> data = runs[i] ? data_inputs(n) : std::vector<size_t>{};
    for (size_t j = 0; j < n.inputs.size(); ++j)
      if (plan.nhwc.count(n.inputs[j]) && std::find(data.begin(), data.end(), j) == data.end())
        need_nchw.insert(n.inputs[j]);
  }
  for (const auto& v : g.outputs)
    if (plan.nhwc.count(v.name)) need_nchw.insert(v.name);

  Namer names(g);
  std::set<std::string> converted;  // NCHW values already given an NHWC copy
  std::vector<Node> nodes;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node n = std::move(g.nodes[i]);
    if (!runs[i]) {
      nodes.push_back(std::move(n));
      continue;
    }
    for (size_t j : data_inputs(n)) {
      const std::string v = n.inputs[j];
      if (!plan.nhwc.count(v) && converted.insert(v).second)
        nodes.push_back(transpose_node(v, names.nhwc(v), {0, 2, 3, 1}));
      n.inputs[j] = names.nhwc(v);
    }
    const std::string y = n.outputs[0];
    n.outputs[0] = names.nhwc(y);
    to_nhwc_form(n);
    nodes.push_back(std::move(n));
    if (need_nchw.count(y)) nodes.push_back(transpose_node(names.nhwc(y), y, {0, 3, 1, 2}));
  }
  g.nodes = std::move(nodes);
  return true;
}

}  // namespace octet::graph
