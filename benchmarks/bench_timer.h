#pragma once
// Timing for the kernel benchmarks: the median of many timed runs after a
// warm-up, so one preemption or page fault on a shared machine does not
// move the number, and a minimum total time per case so short kernels are
// sampled often enough for the median to settle.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace octet::bench {

struct TimerOptions {
  double min_time = 0.2;  // seconds of timed runs per case, at least
  int min_samples = 5;
  int max_samples = 10000;
  double warmup_time = 0.02;  // seconds, at least one run
};

inline double now_seconds() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

// Seconds per call of fn(), one sample per batch of calls, after a warm-up.
// A case that takes longer than min_time once still gets min_samples runs
// unless max_samples says otherwise.
template <class Fn> std::vector<double> sample_seconds(Fn&& fn, const TimerOptions& opt) {
  // Warm-up: caches, page faults of freshly allocated buffers, frequency.
  double start = now_seconds();
  do fn();
  while (now_seconds() - start < opt.warmup_time);

  // Calls this short are timed in batches, so clock reads stay negligible.
  double t0 = now_seconds();
  fn();
  double once = now_seconds() - t0;
  const int batch = once > 0 && once < 20e-6 ? static_cast<int>(20e-6 / once) + 1 : 1;

  std::vector<double> samples;
  double total = 0;
  while (static_cast<int>(samples.size()) < opt.max_samples &&
         (total < opt.min_time || static_cast<int>(samples.size()) < opt.min_samples)) {
    double s = now_seconds();
    for (int i = 0; i < batch; ++i) fn();
    double dt = now_seconds() - s;
    total += dt;
    samples.push_back(dt / batch);
  }
  return samples;
}

// The typical time of a kernel: the median sample.
template <class Fn> double median_seconds(Fn&& fn, const TimerOptions& opt) {
  std::vector<double> samples = sample_seconds(fn, opt);
  auto mid = samples.begin() + samples.size() / 2;
  std::nth_element(samples.begin(), mid, samples.end());
  return *mid;
}

// The best time, for peak probes: another process sharing the core can
// only slow a sample down, so the fastest one is closest to the machine's peak.
template <class Fn> double fastest_seconds(Fn&& fn, const TimerOptions& opt) {
  std::vector<double> samples = sample_seconds(fn, opt);
  return *std::min_element(samples.begin(), samples.end());
}

}  // namespace octet::bench
