#include "quant/quantize_lstm.h"

#include <cstring>
#include <vector>

#include "quant/quantize_common.h"
#include "quant/quantize_weights.h"

namespace octet::quant {

namespace {

using graph::Tensor;

// ONNX's default activations: anything else has no INT8 kernel.
bool default_activations(const graph::Node& n) {
  if (!n.has_attr("activations")) return true;
  const auto& acts = n.attrs.at("activations").strings;
  for (size_t i = 0; i < acts.size(); ++i)
    if (acts[i] != (i % 3 == 0 ? "Sigmoid" : "Tanh")) return false;
  return true;
}

// Direction d of an ONNX weight [D, 4H, K] as [K, 4H].
Tensor direction_transposed(const Tensor& w, int64_t d) {
  const int64_t rows = w.dim(1), cols = w.dim(2);
  Tensor t(graph::DType::Float32, {cols, rows});
  const float* src = w.data<float>() + d * rows * cols;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) t.data<float>()[c * rows + r] = src[r * cols + c];
  return t;
}

struct LstmWeights {
  Tensor values, scale, zero_point;
};

// [D, 4H, K] float to [D, K, 4H] int8 with scales [D, 4H] (per column) or [D].
LstmWeights quantize_lstm_weight(const Tensor& w, const StaticQuantOptions& o) {
  const int64_t dirs = w.dim(0), gates = w.dim(1), k = w.dim(2);
  const int64_t per_dir = o.per_channel ? gates : 1;
  const graph::Shape qshape = o.per_channel ? graph::Shape{dirs, gates} : graph::Shape{dirs};
  LstmWeights q{Tensor(graph::DType::Int8, {dirs, k, gates}), Tensor(graph::DType::Float32, qshape),
                Tensor(graph::DType::Int8, qshape)};
  for (int64_t d = 0; d < dirs; ++d) {
    const QuantizedWeights qd = quantize_weights(direction_transposed(w, d), 1, o.per_channel, o.reduce_range);
    std::memcpy(q.values.data<int8_t>() + d * k * gates, qd.values.data<int8_t>(), static_cast<size_t>(k * gates));
    for (int64_t c = 0; c < per_dir; ++c) q.scale.data<float>()[d * per_dir + c] = qd.scales[c];
  }
  return q;
}

}  // namespace

std::string lstm_fp32_reason(const graph::Graph& g, const graph::Node& n) {
  for (size_t i : {size_t{1}, size_t{2}}) {
    const Tensor* w = initializer(g, n.input(i));
    if (!w || w->dtype() != graph::DType::Float32 || w->rank() != 3) return "W or R is not a float constant";
  }
  if (!default_activations(n)) return "activations other than Sigmoid/Tanh/Tanh have no INT8 kernel";
  return "";
}

graph::Node dynamic_quantize_lstm(const graph::Graph& g, const graph::Node& n, const StaticQuantOptions& options,
                                  const AddInitializer& add) {
  // ORT's order: X, W, R, B, sequence_lens, initial_h, initial_c, P,
  // W_scale, W_zero_point, R_scale, R_zero_point.
  std::vector<std::string> in(12);
  for (size_t i : {size_t{0}, size_t{3}, size_t{4}, size_t{5}, size_t{6}, size_t{7}}) in[i] = n.input(i);
  for (size_t i : {size_t{1}, size_t{2}}) {
    const LstmWeights q = quantize_lstm_weight(*initializer(g, n.input(i)), options);
    in[i] = add(n.input(i) + "_quantized", q.values);
    in[i == 1 ? 8 : 10] = add(n.input(i) + "_scale", q.scale);
    in[i == 1 ? 9 : 11] = add(n.input(i) + "_zero_point", q.zero_point);
  }
  graph::Node q = n;
  q.op_type = "DynamicQuantizeLSTM";
  q.domain = graph::kMicrosoftDomain;
  q.inputs = std::move(in);
  return q;
}

}  // namespace octet::quant
