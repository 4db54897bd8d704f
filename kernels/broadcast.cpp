#include "kernels/broadcast.h"

#include <stdexcept>

namespace octet::kernels {

namespace {

// Row-major strides of `shape` right-aligned in out_shape, 0 on repeated dims.
std::vector<int64_t> broadcast_strides(const std::vector<int64_t>& out_shape, const std::vector<int64_t>& shape) {
  if (shape.size() > out_shape.size()) throw std::invalid_argument("broadcast: operand rank exceeds output rank");
  const size_t offset = out_shape.size() - shape.size();
  std::vector<int64_t> strides(out_shape.size(), 0);
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    const int64_t d = shape[i];
    if (d != out_shape[offset + i] && d != 1) throw std::invalid_argument("broadcast: operand does not broadcast");
    strides[offset + i] = d == 1 ? 0 : stride;
    stride *= d;
  }
  return strides;
}

}  // namespace

BroadcastLoop plan_broadcast(const std::vector<int64_t>& out_shape, const std::vector<int64_t>& a_shape,
                             const std::vector<int64_t>& b_shape) {
  const std::vector<int64_t> as = broadcast_strides(out_shape, a_shape);
  const std::vector<int64_t> bs = broadcast_strides(out_shape, b_shape);
  BroadcastLoop loop;
  for (size_t i = 0; i < out_shape.size(); ++i) {
    const int64_t d = out_shape[i];
    if (d == 0) return {{0}, {0}, {0}};
    if (d == 1) continue;  // contributes no iteration
    // The output is contiguous, so a dim merges into the one outside it
    // whenever both operands step through the pair as through one dim.
    if (!loop.dims.empty() && loop.a_strides.back() == as[i] * d && loop.b_strides.back() == bs[i] * d) {
      loop.dims.back() *= d;
      loop.a_strides.back() = as[i];
      loop.b_strides.back() = bs[i];
      continue;
    }
    loop.dims.push_back(d);
    loop.a_strides.push_back(as[i]);
    loop.b_strides.push_back(bs[i]);
  }
  if (loop.dims.empty()) return {{1}, {0}, {0}};
  return loop;
}

}  // namespace octet::kernels
