#pragma once
// Where each intermediate value of a plan lives in the run's one activation
// arena, decided once per plan from the values' lifetimes: two values share
// bytes only when one is dead (its last reader has run) before the other
// is written. Placement is greedy by size, largest first, each at the
// lowest offset clear of the live ranges it overlaps in time, the scheme of
// TFLite's "greedy by size" planner (Pisarchyk & Lee, "Efficient Memory
// Management for Deep Neural Net Inference", 2020).
#include <cstddef>
#include <vector>

#include "graph/tensor.h"

namespace octet::engine {

struct ArenaValue {
  size_t bytes = 0;
  size_t first_step = 0, last_step = 0;  // written at first_step, last read at last_step
};

struct ArenaPlan {
  std::vector<size_t> offsets;  // per value, a multiple of kArenaAlignment
  size_t bytes = 0;             // the arena's size
};

constexpr size_t kArenaAlignment = graph::kTensorAlignment;

ArenaPlan plan_arena(const std::vector<ArenaValue>& values);

}  // namespace octet::engine
