#pragma once
// What the quantization pass tests check graphs and outputs with.
#include <cmath>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace octet::testing {

template <class T> std::vector<T> values(const graph::Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.numel());
}

// The nodes' op_keys in graph order ("QLinearConv", "com.microsoft:QGemm").
inline std::vector<std::string> op_keys(const graph::Graph& g) {
  std::vector<std::string> ops;
  for (const graph::Node& n : g.nodes) ops.push_back(graph::op_key(n));
  return ops;
}

// 10 log10(sum ref^2 / sum (ref - x)^2) over two float32 tensors, in double.
inline double sqnr_db(const graph::Tensor& ref, const graph::Tensor& x) {
  double signal = 0, noise = 0;
  for (int64_t i = 0; i < ref.numel(); ++i) {
    const double r = ref.data<float>()[i], d = r - x.data<float>()[i];
    signal += r * r;
    noise += d * d;
  }
  return 10 * std::log10(signal / noise);
}

}  // namespace octet::testing
