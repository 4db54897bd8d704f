#include "engine/thread_pool.h"

#include <chrono>

namespace octet::engine {

namespace {

// How long an idle worker polls for the next region before it sleeps:
// longer than the gaps between a run's regions (single-threaded ops), short
// enough not to burn a core between runs.
constexpr auto kSpin = std::chrono::microseconds(300);

constexpr uint64_t kOpen = uint64_t{1} << 31;
constexpr uint64_t kCountMask = kOpen - 1;

uint64_t generation_of(uint64_t state) { return state >> 32; }

void cpu_pause() {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// One step of the caller's wait for the workers in a region: a pause at
// first, then yielding the core, so that with more threads than cores a
// descheduled worker gets the core it needs to finish. (An idle worker's
// poll only pauses: a yield is a system call, slow on a VM, and would make
// it late for the next region.)
void relax(int& steps) {
  if (++steps > 1000) return std::this_thread::yield();
  cpu_pause();
}

}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int t = 1; t < threads; ++t) workers_.emplace_back([this, t] { worker_loop(t); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::work(int thread) {
  for (int64_t task = next_task_.fetch_add(1, std::memory_order_relaxed); task < tasks_;
       task = next_task_.fetch_add(1, std::memory_order_relaxed))
    (*fn_)(task, thread);
}

void ThreadPool::parallel_for(int64_t tasks, const TaskFn& fn) {
  if (workers_.empty() || tasks <= 1) {
    for (int64_t t = 0; t < tasks; ++t) fn(t, 0);
    return;
  }
  fn_ = &fn;
  tasks_ = tasks;
  next_task_.store(0, std::memory_order_relaxed);
  const uint64_t generation = generation_of(state_.load(std::memory_order_relaxed)) + 1;
  {
    // Under the mutex, so a worker between its last check and its wait
    // cannot miss the notification.
    std::lock_guard<std::mutex> lock(mutex_);
    state_.store(generation << 32 | kOpen, std::memory_order_release);
  }
  wake_.notify_all();
  work(0);
  // Every task is taken; close the region once the workers in it are done,
  // so that none joins after this returns.
  const uint64_t idle = generation << 32 | kOpen;
  for (int steps = 0;;) {
    uint64_t expected = idle;
    if (state_.compare_exchange_weak(expected, generation << 32, std::memory_order_acq_rel)) return;
    relax(steps);
  }
}

// Joins the open region of `generation`, if it still is.
bool ThreadPool::try_join(uint64_t generation) {
  uint64_t s = state_.load(std::memory_order_acquire);
  while (generation_of(s) == generation && (s & kOpen))
    if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) return true;
  return false;
}

void ThreadPool::worker_loop(int thread) {
  uint64_t seen = 0;
  for (;;) {
    const auto spin_until = std::chrono::steady_clock::now() + kSpin;
    uint64_t g = generation_of(state_.load(std::memory_order_acquire));
    while (g == seen && std::chrono::steady_clock::now() < spin_until) {
      cpu_pause();
      g = generation_of(state_.load(std::memory_order_acquire));
    }
    if (g == seen) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_of(state_.load(std::memory_order_acquire)) != seen; });
      if (stop_) return;
      g = generation_of(state_.load(std::memory_order_acquire));
    }
    seen = g;
    if (!try_join(g)) continue;  // closed already: the caller did the work
    work(thread);
    state_.fetch_sub(1, std::memory_order_release);
  }
}

}  // namespace octet::engine
