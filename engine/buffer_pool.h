#pragma once
// Storage for the values a plan produces, kept across runs: a buffer the
// pool made goes back to it when the plan frees the value and nothing else
// (a caller's copy of an output, an alias) still holds it, and the next
// value of the same byte size takes it. Saves an allocation, a zero fill
// and, for large values, the page faults of fresh memory at every node of
// every run. Pooled tensors are not zeroed: every op writes all of its
// outputs.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "graph/tensor.h"

namespace octet::engine {

class BufferPool {
 public:
  graph::Tensor make(graph::DType dtype, const graph::Shape& shape);
  // Takes t's storage back when the pool made it and t is its only holder;
  // t is empty afterwards either way.
  void recycle(graph::Tensor& t);

 private:
  std::unordered_multimap<size_t, std::shared_ptr<uint8_t>> free_;  // by capacity in bytes
};

}  // namespace octet::engine
