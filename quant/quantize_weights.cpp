#include "quant/quantize_weights.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "graph/error.h"
#include "quant/observers.h"

namespace octet::quant {

namespace {

kernels::AxisSplit split_at(const graph::Shape& shape, int axis) {
  kernels::AxisSplit s;
  for (int i = 0; i < axis; ++i) s.outer *= shape[i];
  s.channels = shape[axis];
  for (size_t i = axis + 1; i < shape.size(); ++i) s.inner *= shape[i];
  return s;
}

// One range per output channel, or the whole tensor's range repeated.
std::vector<Range> channel_ranges(const graph::Tensor& w, const kernels::AxisSplit& s, bool per_channel) {
  if (per_channel) {
    ChannelMinMaxObserver obs;
    obs.observe(w.data<float>(), s);
    return obs.ranges();
  }
  MinMaxObserver obs;
  obs.observe(w.data<float>(), w.numel());
  return std::vector<Range>(static_cast<size_t>(s.channels), obs.range());
}

}  // namespace

QuantizedWeights quantize_weights(const graph::Tensor& w, int axis, bool per_channel, bool reduce_range) {
  if (w.dtype() != graph::DType::Float32) throw UnsupportedError("weight quantization: weights must be float32");
  if (axis < 0 || static_cast<size_t>(axis) >= w.rank() || w.dim(axis) == 0)
    throw Error("weight quantization: no output channels along axis " + std::to_string(axis));
  const kernels::AxisSplit s = split_at(w.shape(), axis);
  const QuantScheme scheme{graph::DType::Int8, true, reduce_range};
  const std::vector<Range> ranges = channel_ranges(w, s, per_channel);
  QuantizedWeights q;
  for (const Range& r : ranges) q.scales.push_back(choose_qparams(r, scheme).scale);
  q.values = graph::Tensor(graph::DType::Int8, w.shape());
  const float* src = w.data<float>();
  int8_t* dst = q.values.data<int8_t>();
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t c = 0; c < s.channels; ++c) {
      const QParams qp{q.scales[c], 0};
      const int64_t base = (o * s.channels + c) * s.inner;
      for (int64_t i = 0; i < s.inner; ++i)
        dst[base + i] = static_cast<int8_t>(quantize(src[base + i], qp, scheme));
    }
  const graph::Shape qshape = per_channel ? graph::Shape{s.channels} : graph::Shape{};
  q.scale = per_channel ? graph::Tensor::from<float>(qshape, q.scales) : graph::Tensor::scalar<float>(q.scales[0]);
  q.zero_point = graph::Tensor(graph::DType::Int8, qshape);
  return q;
}

graph::Tensor quantize_bias(const graph::Tensor& b, float x_scale, const std::vector<float>& w_scales) {
  if (b.dtype() != graph::DType::Float32 || b.numel() != static_cast<int64_t>(w_scales.size()))
    throw Error("bias quantization: the bias must be float32 with one value per output channel (" +
                std::to_string(w_scales.size()) + "), has " + std::to_string(b.numel()));
  std::vector<int32_t> q(w_scales.size());
  const float* src = b.data<float>();
  constexpr double lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
  for (size_t c = 0; c < q.size(); ++c) {
    const double v = std::nearbyint(static_cast<double>(src[c]) / (static_cast<double>(x_scale) * w_scales[c]));
    q[c] = static_cast<int32_t>(std::isnan(v) ? 0.0 : std::min(std::max(v, lo), hi));
  }
  return graph::Tensor::from<int32_t>({static_cast<int64_t>(q.size())}, q);
}

}  // namespace octet::quant
