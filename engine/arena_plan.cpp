#include "engine/arena_plan.h"

#include <algorithm>
#include <numeric>

namespace octet::engine {

namespace {

bool overlap_in_time(const ArenaValue& a, const ArenaValue& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}

}  // namespace

ArenaPlan plan_arena(const std::vector<ArenaValue>& values) {
  ArenaPlan plan;
  plan.offsets.assign(values.size(), 0);
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), size_t{0});
  // Largest first; ties by first use, so the plan does not depend on the sort.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return values[a].bytes != values[b].bytes ? values[a].bytes > values[b].bytes
                                              : values[a].first_step < values[b].first_step;
  });
  std::vector<size_t> placed;  // indices, by offset
  for (size_t v : order) {
    const size_t need = graph::aligned_bytes(values[v].bytes);
    size_t offset = 0;
    // `placed` is sorted by offset: walk the ones alive at the same time and
    // take the first gap that fits.
    for (size_t p : placed) {
      if (!overlap_in_time(values[v], values[p])) continue;
      if (plan.offsets[p] >= offset + need) break;
      offset = std::max(offset, plan.offsets[p] + graph::aligned_bytes(values[p].bytes));
    }
    plan.offsets[v] = offset;
    plan.bytes = std::max(plan.bytes, offset + need);
    const auto at = std::upper_bound(placed.begin(), placed.end(), offset,
                                     [&](size_t off, size_t p) { return off < plan.offsets[p]; });
    placed.insert(at, v);
  }
  return plan;
}

}  // namespace octet::engine
