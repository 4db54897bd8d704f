// The activation arena planner (engine/arena_plan.h) on hand-made lifetimes
// with known best arenas, and on random ones against its two promises:
// values alive at the same step never share a byte, and every offset is
// 64-byte aligned; the arena is at least the bytes alive at the busiest
// step (no plan does better) and at most what separate buffers would take.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "engine/arena_plan.h"

using octet::engine::ArenaPlan;
using octet::engine::ArenaValue;
using octet::engine::kArenaAlignment;
using octet::engine::plan_arena;

namespace {

size_t aligned(size_t b) { return (b + 63) / 64 * 64; }

void check_plan(const std::vector<ArenaValue>& v, const ArenaPlan& p) {
  REQUIRE(p.offsets.size() == v.size());
  size_t steps = 0, separate = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    CHECK(p.offsets[i] % kArenaAlignment == 0);
    CHECK(p.offsets[i] + v[i].bytes <= p.bytes);
    steps = std::max(steps, v[i].last_step + 1);
    separate += aligned(v[i].bytes);
    for (size_t j = 0; j < i; ++j) {
      const bool same_time = v[i].first_step <= v[j].last_step && v[j].first_step <= v[i].last_step;
      const bool same_bytes = p.offsets[i] < p.offsets[j] + v[j].bytes && p.offsets[j] < p.offsets[i] + v[i].bytes;
      if (same_time && same_bytes && v[i].bytes > 0 && v[j].bytes > 0)
        FAIL("values " << i << " and " << j << " are alive together and share bytes");
    }
  }
  size_t busiest = 0;
  for (size_t s = 0; s < steps; ++s) {
    size_t live = 0;
    for (const ArenaValue& a : v)
      if (a.first_step <= s && s <= a.last_step) live += aligned(a.bytes);
    busiest = std::max(busiest, live);
  }
  CHECK(p.bytes >= busiest);
  CHECK(p.bytes <= separate);
}

}  // namespace

TEST_CASE("arena plan: a chain needs two buffers, disjoint lifetimes one", "[arena]") {
  // x1 = f(x0), x2 = f(x1), ...: each value dies when the next is written.
  std::vector<ArenaValue> chain;
  for (size_t k = 0; k < 6; ++k) chain.push_back({1000, k, k + 1});
  ArenaPlan p = plan_arena(chain);
  check_plan(chain, p);
  CHECK(p.bytes == 2 * 1024);

  std::vector<ArenaValue> apart = {{500, 0, 0}, {3000, 1, 1}, {100, 2, 3}};
  p = plan_arena(apart);
  check_plan(apart, p);
  CHECK(p.bytes == aligned(3000));
  CHECK(p.offsets == std::vector<size_t>{0, 0, 0});
}

TEST_CASE("arena plan: a residual block keeps its skip value while the branch runs", "[arena]") {
  // s = x (kept to step 3); a = conv(s), b = conv(a), y = a + s at step 3.
  const std::vector<ArenaValue> v = {{4096, 0, 3}, {4096, 1, 2}, {4096, 2, 3}, {4096, 3, 4}};
  const ArenaPlan p = plan_arena(v);
  check_plan(v, p);
  CHECK(p.bytes == 3 * 4096);  // at step 2 and 3 three values are alive
  CHECK(plan_arena({}).bytes == 0);
}

TEST_CASE("arena plan: random lifetimes never share live bytes", "[arena]") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    const size_t n = 1 + rng() % 40, steps = 1 + rng() % 30;
    std::vector<ArenaValue> v;
    for (size_t i = 0; i < n; ++i) {
      const size_t first = rng() % steps, life = rng() % 3 == 0 ? rng() % steps : rng() % 3;
      const size_t bytes = rng() % 8 == 0 ? 0 : 1 + rng() % (trial % 2 ? 100000 : 300);
      v.push_back({bytes, first, first + life});
    }
    INFO("trial " << trial);
    check_plan(v, plan_arena(v));
  }
}
