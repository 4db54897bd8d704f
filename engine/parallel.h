#pragma once
// Splitting flat, element-wise work (every output element computed from
// its own inputs only) among a session's threads: contiguous chunks, one per
// thread, each a multiple of `grain` elements but the last, so a vector
// kernel's body and tail fall where they would have for a single call.
#include <algorithm>
#include <cstdint>

#include "engine/thread_pool.h"

namespace octet::engine {

// Part `task` of `parts` contiguous, near-equal parts of [0, n): the first
// and last of its items, as [begin, end).
struct Part {
  int64_t begin, end;
};
inline Part even_part(int64_t n, int64_t task, int64_t parts) { return {task * n / parts, (task + 1) * n / parts}; }

// Elements per chunk for the element-wise ops: a multiple of every vector
// width, and enough work to pay for the handoff.
constexpr int64_t kElementGrain = 4096;

// fn(begin, end) over [0, n). Small n (under two grains per thread) runs
// as one call on the caller.
template <class Fn> void parallel_chunks(ThreadPool* pool, int64_t n, int64_t grain, Fn&& fn) {
  const int threads = pool ? pool->threads() : 1;
  if (threads == 1 || n < 2 * grain * threads) return fn(int64_t{0}, n);
  const int64_t grains = (n + grain - 1) / grain;
  pool->parallel_for(threads, [&](int64_t task, int) {
    const Part p = even_part(grains, task, threads);
    fn(p.begin * grain, std::min(n, p.end * grain));
  });
}

}  // namespace octet::engine
