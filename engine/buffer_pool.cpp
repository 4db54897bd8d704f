#include "engine/buffer_pool.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "graph/error.h"

namespace octet::engine {

namespace {

size_t capacity_for(size_t bytes) { return std::max(graph::aligned_bytes(bytes), graph::kTensorAlignment); }

// Marks the buffers a pool made (std::get_deleter finds it) and remembers
// their size, so recycle never adopts storage it cannot vouch for.
struct PoolDeleter {
  size_t capacity;
  void operator()(uint8_t* p) const { std::free(p); }
};

}  // namespace

graph::Tensor BufferPool::make(graph::DType dtype, const graph::Shape& shape) {
  const size_t capacity = capacity_for(graph::shape_bytes(dtype, shape));
  auto it = free_.find(capacity);
  if (it != free_.end()) {
    std::shared_ptr<uint8_t> storage = std::move(it->second);
    free_.erase(it);
    return graph::Tensor(dtype, shape, std::move(storage));
  }
  void* p = std::aligned_alloc(graph::kTensorAlignment, capacity);
  if (!p) throw Error("out of memory allocating " + std::to_string(capacity) + " bytes");
  std::shared_ptr<uint8_t> storage(static_cast<uint8_t*>(p), PoolDeleter{capacity});
  return graph::Tensor(dtype, shape, std::move(storage));
}

void BufferPool::recycle(graph::Tensor& t) {
  const std::shared_ptr<uint8_t>& storage = t.storage();
  if (storage && storage.use_count() == 1)
    if (const PoolDeleter* d = std::get_deleter<PoolDeleter>(storage)) free_.emplace(d->capacity, storage);
  t = graph::Tensor();
}

}  // namespace octet::engine
