#pragma once
// Progress of a long library call (calibration) reported to the caller,
// who decides whether and where to show it: the library never prints.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace octet::quant {

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  // `done` of `total` items finished; called after each one, done = total last.
  virtual void update(int64_t done, int64_t total) = 0;
};

// "12/100 samples  8.0/s  11s left": the bar's text for `done` of `total`
// after `elapsed_seconds` (time left from the mean rate so far; omitted
// until the rate is known or when done).
std::string format_progress(int64_t done, int64_t total, double elapsed_seconds);

// Draws progress on a C stream (stdio, not iostream: the CLI links
// statically and iostream's locale machinery is a third of a megabyte). On a terminal (`redraw`, as the caller knows
// from isatty) the line is redrawn in place with '\r', at most every 0.1 s
// and always at the end; elsewhere (a log file, a pipe) only the final line
// is written, so logs get no carriage-return noise.
class ProgressBar final : public ProgressSink {
 public:
  ProgressBar(std::FILE* out, bool redraw);
  void update(int64_t done, int64_t total) override;

 private:
  using Clock = std::chrono::steady_clock;
  std::FILE* out_;
  bool redraw_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_{};
  size_t last_width_ = 0;
};

}  // namespace octet::quant
