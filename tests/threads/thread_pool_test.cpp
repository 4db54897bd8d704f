// engine::ThreadPool and parallel_chunks: every task runs exactly once on a
// thread index in range, across many back-to-back regions (the spinning and
// sleeping handoffs), and chunks cover [0, n) in grain multiples.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "engine/parallel.h"
#include "engine/thread_pool.h"

using octet::engine::parallel_chunks;
using octet::engine::ThreadPool;

TEST_CASE("ThreadPool runs every task exactly once", "[thread_pool]") {
  for (int threads : {1, 2, 3, 4}) {
    ThreadPool pool(threads);
    REQUIRE(pool.threads() == threads);
    for (int64_t tasks : {0, 1, 2, 3, 7, 64, 1000}) {
      INFO(threads << " threads, " << tasks << " tasks");
      std::vector<std::atomic<int>> runs(static_cast<size_t>(tasks));
      std::atomic<bool> bad_thread{false};
      pool.parallel_for(tasks, [&](int64_t t, int thread) {
        runs[static_cast<size_t>(t)].fetch_add(1);
        if (thread < 0 || thread >= threads) bad_thread = true;
      });
      for (auto& r : runs) REQUIRE(r.load() == 1);
      REQUIRE(!bad_thread);
    }
  }
}

TEST_CASE("ThreadPool keeps up over many short regions and after its workers sleep", "[thread_pool]") {
  ThreadPool pool(3);
  int64_t total = 0;
  std::vector<int64_t> part(3);
  for (int region = 0; region < 20000; ++region) {
    pool.parallel_for(3, [&](int64_t t, int) { part[static_cast<size_t>(t)] = t + region; });
    total += part[0] + part[1] + part[2];
    if (region == 10000) std::this_thread::sleep_for(std::chrono::milliseconds(5));  // workers go to sleep
  }
  const int64_t regions = 20000;
  REQUIRE(total == 3 * regions * (regions - 1) / 2 + 3 * regions);
}

TEST_CASE("parallel_chunks covers [0, n) once, in grain multiples", "[thread_pool]") {
  ThreadPool pool(3);
  for (int64_t n : {0, 5, 4095, 24575, 24576, 100003}) {
    INFO("n " << n);
    std::vector<std::atomic<int>> seen(static_cast<size_t>(n));
    std::atomic<bool> misaligned{false};
    parallel_chunks(&pool, n, 4096, [&](int64_t begin, int64_t end) {
      if (begin % 4096 != 0 || (end != n && end % 4096 != 0)) misaligned = true;
      for (int64_t i = begin; i < end; ++i) seen[static_cast<size_t>(i)].fetch_add(1);
    });
    for (auto& s : seen) REQUIRE(s.load() == 1);
    REQUIRE(!misaligned);
  }
}
