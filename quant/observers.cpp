#include "quant/observers.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "graph/error.h"

namespace octet::quant {

namespace {

void merge(FiniteExtremes& into, const FiniteExtremes& batch) {
  if (batch.count == 0) return;
  if (into.count == 0) {
    into = batch;
    return;
  }
  into.min = std::min(into.min, batch.min);
  into.max = std::max(into.max, batch.max);
  into.count += batch.count;
}

Range checked_range(const FiniteExtremes& e, const char* who) {
  if (e.count == 0) throw Error(std::string(who) + ": no finite value observed");
  return {e.min, e.max};
}

}  // namespace

FiniteExtremes finite_extremes(const float* x, int64_t n) {
  FiniteExtremes e;
  e.min = std::numeric_limits<float>::infinity();
  e.max = -std::numeric_limits<float>::infinity();
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) continue;
    e.min = std::min(e.min, x[i]);
    e.max = std::max(e.max, x[i]);
    ++e.count;
  }
  if (e.count == 0) e = FiniteExtremes{};
  return e;
}

void MinMaxObserver::observe(const float* x, int64_t n) { merge(seen_, finite_extremes(x, n)); }

Range MinMaxObserver::range() const { return checked_range(seen_, "MinMaxObserver"); }

MovingAverageMinMaxObserver::MovingAverageMinMaxObserver(float averaging_constant)
    : c_(averaging_constant) {
  if (!(c_ > 0.0f && c_ <= 1.0f))
    throw Error("MovingAverageMinMaxObserver: averaging constant " + std::to_string(c_) +
                " is not in (0, 1]");
}

void MovingAverageMinMaxObserver::observe(const float* x, int64_t n) {
  const FiniteExtremes batch = finite_extremes(x, n);
  if (batch.count == 0) return;
  if (avg_.count == 0) {
    avg_ = batch;
    return;
  }
  avg_.min += c_ * (batch.min - avg_.min);
  avg_.max += c_ * (batch.max - avg_.max);
  avg_.count += batch.count;
}

Range MovingAverageMinMaxObserver::range() const {
  return checked_range(avg_, "MovingAverageMinMaxObserver");
}

void ChannelMinMaxObserver::observe(const float* x, const kernels::AxisSplit& split) {
  if (split.outer < 0 || split.channels <= 0 || split.inner < 0)
    throw Error("ChannelMinMaxObserver: invalid axis split");
  if (seen_.empty()) seen_.resize(static_cast<size_t>(split.channels));
  if (static_cast<int64_t>(seen_.size()) != split.channels)
    throw Error("ChannelMinMaxObserver: " + std::to_string(split.channels) +
                " channels, expected " + std::to_string(seen_.size()));
  for (int64_t o = 0; o < split.outer; ++o)
    for (int64_t c = 0; c < split.channels; ++c)
      merge(seen_[c], finite_extremes(x + (o * split.channels + c) * split.inner, split.inner));
}

std::vector<Range> ChannelMinMaxObserver::ranges() const {
  if (seen_.empty()) throw Error("ChannelMinMaxObserver: nothing observed");
  std::vector<Range> out;
  out.reserve(seen_.size());
  for (size_t c = 0; c < seen_.size(); ++c)
    out.push_back(checked_range(seen_[c], ("ChannelMinMaxObserver channel " + std::to_string(c)).c_str()));
  return out;
}

}  // namespace octet::quant
