#include "engine/thread_pool.h"

#include <chrono>

namespace octet::engine {

namespace {

// How long an idle worker polls for the next region before it sleeps:
// longer than the gaps between a run's regions (single-threaded ops), short
// enough not to burn a core between runs.
constexpr auto kSpin = std::chrono::microseconds(300);

// One step of a busy wait: a pause at first, then yielding the core, so
// that with more threads than cores (the caller asked for them, or other
// processes run) a waiting thread does not hold the core the thread it
// waits for needs.
void relax(int& steps) {
  if (++steps > 1000) return std::this_thread::yield();
#if defined(__x86_64__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int t = 1; t < threads; ++t) workers_.emplace_back([this, t] { worker_loop(t); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    generation_.fetch_add(1, std::memory_order_release);
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
  busy_workers_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  {
    // Under the mutex, so a worker between its last check and its wait
    // cannot miss the notification.
    std::lock_guard<std::mutex> lock(mutex_);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  work(0);
  for (int steps = 0; busy_workers_.load(std::memory_order_acquire) != 0;) relax(steps);
}

void ThreadPool::worker_loop(int thread) {
  uint64_t seen = 0;
  for (;;) {
    const auto spin_until = std::chrono::steady_clock::now() + kSpin;
    uint64_t g = generation_.load(std::memory_order_acquire);
    for (int steps = 0; g == seen && std::chrono::steady_clock::now() < spin_until;) {
      relax(steps);
      g = generation_.load(std::memory_order_acquire);
    }
    if (g == seen) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
      g = generation_.load(std::memory_order_acquire);
    }
    seen = g;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stop_) return;
    }
    work(thread);
    busy_workers_.fetch_sub(1, std::memory_order_release);
  }
}

}  // namespace octet::engine
