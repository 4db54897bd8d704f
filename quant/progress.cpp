#include "quant/progress.h"

#include <cmath>
#include <cstdio>

namespace octet::quant {

namespace {

std::string format_duration(double seconds) {
  long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s / 60 % 60);
  else if (s >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

}  // namespace

std::string format_progress(int64_t done, int64_t total, double elapsed_seconds) {
  std::string text = std::to_string(done) + "/" + std::to_string(total) + " samples";
  if (done <= 0 || elapsed_seconds <= 0) return text;
  double rate = static_cast<double>(done) / elapsed_seconds;
  char buf[32];
  std::snprintf(buf, sizeof buf, "  %.1f/s", rate);
  text += buf;
  if (done < total)
    text += "  " + format_duration(static_cast<double>(total - done) / rate) + " left";
  else
    text += "  in " + format_duration(elapsed_seconds);
  return text;
}

ProgressBar::ProgressBar(std::FILE* out, bool redraw) : out_(out), redraw_(redraw) {}

void ProgressBar::update(int64_t done, int64_t total) {
  bool last = done >= total;
  Clock::time_point now = Clock::now();
  if (!last && (!redraw_ || now - last_draw_ < std::chrono::milliseconds(100))) return;
  last_draw_ = now;
  std::string text = format_progress(done, total, std::chrono::duration<double>(now - start_).count());
  if (redraw_) {
    // Pad over the previous, possibly longer, line.
    size_t width = text.size();
    if (width < last_width_) text.append(last_width_ - width, ' ');
    last_width_ = width;
    std::fputc('\r', out_);
  }
  std::fputs(text.c_str(), out_);
  if (last) std::fputc('\n', out_);
  std::fflush(out_);
}

}  // namespace octet::quant
