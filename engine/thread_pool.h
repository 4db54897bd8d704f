#pragma once
// The session's worker threads: parallel_for hands tasks [0, n) to the
// caller and whichever workers join, and returns when all are done.
//
// A run has dozens of parallel regions of a fraction of a millisecond each,
// so an idle worker spins briefly before it sleeps. Waking a sleeping
// thread costs tens of microseconds on a quiet machine and milliseconds on
// a busy VM, so the caller never waits for one: it takes tasks itself from
// the same counter, and a worker only joins a region that is still open. A
// late worker joins a later region or none; the caller then does the work
// alone, never slower than one thread.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace octet::engine {

class ThreadPool {
 public:
  // `threads` counts the caller: threads - 1 workers are started.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  // fn(task, thread) for every task in [0, tasks), each once; `thread` in
  // [0, threads()) names the thread running it (for per-thread scratch).
  // Which thread runs which task varies; fn must not depend on it beyond
  // scratch. One parallel_for at a time per pool.
  using TaskFn = std::function<void(int64_t task, int thread)>;
  void parallel_for(int64_t tasks, const TaskFn& fn);

 private:
  void work(int thread);
  void worker_loop(int thread);
  bool try_join(uint64_t generation);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  // The region's generation (high 32 bits), whether it is open to workers
  // (bit 31) and how many workers are in it (the low bits), in one word so
  // that joining and closing are single compare-and-swaps.
  std::atomic<uint64_t> state_{0};
  std::atomic<int64_t> next_task_{0};
  int64_t tasks_ = 0;
  const TaskFn* fn_ = nullptr;
  bool stop_ = false;  // under mutex_
};

}  // namespace octet::engine
