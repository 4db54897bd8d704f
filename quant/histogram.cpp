#include "quant/histogram.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "graph/error.h"

namespace octet::quant {

namespace {

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// [-t, t] cut to what was observed, so a one-signed tensor keeps its zero
// bound and a short tail on one side is not stretched to the other's length.
// [-t, t] cut to the observed values widened to include 0 (as qparams
// ranges are), so a one-signed tensor whose values all lie beyond t still
// gets an ordered range.
Range clipped(const Histogram& h, double t) {
  const double lo = std::min<double>(h.min(), 0.0), hi = std::max<double>(h.max(), 0.0);
  return {static_cast<float>(std::max(lo, -t)), static_cast<float>(std::min(hi, t))};
}

void require_values(const Histogram& h, const char* who) {
  if (h.finite_count() == 0) throw Error(std::string(who) + ": no finite value observed");
}

}  // namespace

Histogram::Histogram(int bins) : counts_(static_cast<size_t>(bins), 0) {
  if (bins < 2) throw Error("Histogram: needs at least 2 bins, got " + std::to_string(bins));
}

void Histogram::add(const float* x, int64_t n) {
  const FiniteExtremes batch = finite_extremes(x, n);
  if (batch.count < n) count_infinities(x, n);
  if (batch.count == 0) return;
  const int64_t before = seen_.count;
  seen_.min = before ? std::min(seen_.min, batch.min) : batch.min;
  seen_.max = before ? std::max(seen_.max, batch.max) : batch.max;
  seen_.count += batch.count;
  exact_zeros_ += std::count(x, x + n, 0.0f);
  cover();
  if (width_ == 0.0) {  // only zeros so far: no width to bin them with yet
    zeros_before_width_ += batch.count;
    return;
  }
  if (batch.count == n) {
    add_finite(x, n);
    return;
  }
  for (int64_t i = 0; i < n; ++i)
    if (std::isfinite(x[i])) add_finite(x + i, 1);
}

// The hot loop of calibration: one multiply and a truncation per value
// (t >= 0 after the clamp, so truncating is flooring).
void Histogram::add_finite(const float* x, int64_t n) {
  const double inv_width = 1.0 / width_, zero = below_zero_, last = bins() - 1;
  int64_t* counts = counts_.data();
  for (int64_t i = 0; i < n; ++i) {
    const double t = std::min(std::max(x[i] * inv_width + zero, 0.0), last);
    ++counts[static_cast<int>(t)];
  }
}

void Histogram::count_infinities(const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    if (x[i] == std::numeric_limits<float>::infinity()) ++pos_inf_;
    if (x[i] == -std::numeric_limits<float>::infinity()) ++neg_inf_;
  }
}

int Histogram::bin_of(double v) const {
  const double j = std::floor(v / width_) + below_zero_;
  return static_cast<int>(std::min(std::max(j, 0.0), static_cast<double>(bins() - 1)));
}

void Histogram::cover() {
  // What must be covered: every finite value seen, and 0.
  const double lo = std::min(0.0f, seen_.min), hi = std::max(0.0f, seen_.max);
  if (hi == lo) return;
  const int n = bins();
  if (width_ == 0.0) {
    // bins - 1 widths so that rounding both ends outward to edges still fits.
    width_ = (hi - lo) / (n - 1);
    below_zero_ = static_cast<int>(std::min<double>(std::ceil(-lo / width_), n - 1));
    counts_[bin_of(0.0)] += zeros_before_width_;
    zeros_before_width_ = 0;
    return;
  }
  if (lo >= lower_edge() && hi <= (n - below_zero_) * width_) return;
  // The smallest integer growth that fits what was seen (not the old edges,
  // whose outer bins may be empty), so the new width is within about a factor
  // 2 of a fresh histogram's over the same values.
  int64_t k = std::max<int64_t>(2, static_cast<int64_t>(std::ceil((hi - lo) / (width_ * n))));
  for (;; ++k) {
    const double w = width_ * k;
    const int64_t a = static_cast<int64_t>(std::ceil(-lo / w)), b = static_cast<int64_t>(std::ceil(hi / w));
    if (a + b <= n) {
      // Spare bins go to each side in proportion to its length, to absorb
      // later growth where it is likely (none below 0 for a ReLU output).
      const int64_t spare = n - a - b;
      rebin(k, static_cast<int>(a + spare * a / (a + b)));
      return;
    }
  }
}

void Histogram::rebin(int64_t k, int new_below_zero) {
  std::vector<int64_t> merged(counts_.size(), 0);
  const int64_t last = bins() - 1;
  for (int j = 0; j < bins(); ++j) {
    if (counts_[j] == 0) continue;            // empty outer bins may fall outside the new range
    const int64_t edge = j - below_zero_;     // in units of the old width
    const int64_t to = floor_div(edge, k) + new_below_zero;
    merged[static_cast<size_t>(std::min(std::max<int64_t>(to, 0), last))] += counts_[j];
  }
  counts_.swap(merged);
  width_ *= static_cast<double>(k);
  below_zero_ = new_below_zero;
}

double Histogram::value_at_rank(double rank) const {
  if (rank <= static_cast<double>(neg_inf_)) return seen_.min;
  if (width_ == 0.0) return 0.0;  // every finite value was 0
  const double r = rank - static_cast<double>(neg_inf_);
  double cum = 0.0;
  for (int j = 0; j < bins(); ++j) {
    const double c = static_cast<double>(counts_[j]);
    if (c > 0.0 && cum + c >= r) {
      const double v = lower_edge() + (j + (r - cum) / c) * width_;
      return std::min(std::max(v, double(seen_.min)), double(seen_.max));
    }
    cum += c;
  }
  return seen_.max;
}

std::vector<int64_t> Histogram::magnitudes() const {
  const int above = bins() - below_zero_;
  std::vector<int64_t> mag(static_cast<size_t>(std::max(above, below_zero_)), 0);
  for (int i = 0; i < above; ++i) mag[i] += counts_[below_zero_ + i];
  for (int i = 0; i < below_zero_; ++i) mag[i] += counts_[below_zero_ - 1 - i];
  return mag;
}

PercentileObserver::PercentileObserver(double percentile, int bins)
    : HistogramObserver(bins), percentile_(percentile) {
  if (!(percentile > 50.0 && percentile <= 100.0))
    throw Error("PercentileObserver: percentile " + std::to_string(percentile) + " is not in (50, 100]");
}

Range PercentileObserver::range() const {
  require_values(hist_, "PercentileObserver");
  const double total = static_cast<double>(hist_.finite_count() + hist_.neg_inf() + hist_.pos_inf());
  const double tail = (100.0 - percentile_) / 100.0 * total;
  return {static_cast<float>(hist_.value_at_rank(tail)), static_cast<float>(hist_.value_at_rank(total - tail))};
}

EntropyObserver::EntropyObserver(int levels, int bins, int one_signed_levels)
    : HistogramObserver(bins), levels_(levels), one_signed_levels_(one_signed_levels) {
  if (levels < 2 || (one_signed_levels != 0 && one_signed_levels < 2))
    throw Error("EntropyObserver: needs at least 2 levels, got " +
                std::to_string(levels < 2 ? levels : one_signed_levels));
}

namespace {

// KL(P || Q) for the threshold at `stop` bins (see EntropyObserver); infinite
// when Q has no mass where P has some, which only happens when every value
// of the last group lies beyond the threshold.
double clipped_divergence(const std::vector<int64_t>& mag, int stop, int levels, double beyond) {
  std::vector<double> p(mag.begin(), mag.begin() + stop);
  p.back() += beyond;
  std::vector<double> q(static_cast<size_t>(stop), 0.0);
  const int per_group = stop / levels;
  for (int g = 0; g < levels; ++g) {
    const int begin = g * per_group, end = g == levels - 1 ? stop : begin + per_group;
    double mass = 0.0;
    int nonempty = 0;
    for (int i = begin; i < end; ++i) {
      mass += static_cast<double>(mag[i]);
      nonempty += p[i] > 0.0;
    }
    for (int i = begin; i < end; ++i)
      if (p[i] > 0.0) q[i] = mass / nonempty;
  }
  double p_sum = 0.0, q_sum = 0.0;
  for (int i = 0; i < stop; ++i) {
    p_sum += p[i];
    q_sum += q[i];
  }
  double kl = 0.0;
  for (int i = 0; i < stop; ++i) {
    if (p[i] == 0.0) continue;
    if (q[i] == 0.0) return std::numeric_limits<double>::infinity();
    const double pi = p[i] / p_sum;
    kl += pi * std::log(pi / (q[i] / q_sum));
  }
  return kl;
}

}  // namespace

Range EntropyObserver::range() const {
  require_values(hist_, "EntropyObserver");
  if (hist_.bin_width() == 0.0) return {hist_.min(), hist_.max()};
  std::vector<int64_t> mag = hist_.magnitudes();
  mag[0] -= hist_.exact_zeros();
  const int m = static_cast<int>(mag.size());
  const bool one_signed = hist_.min() >= 0.0f || hist_.max() <= 0.0f;
  const int levels = one_signed && one_signed_levels_ ? one_signed_levels_ : levels_;
  // Fewer bins than levels: every threshold keeps the whole range.
  if (m <= levels) return {hist_.min(), hist_.max()};
  double beyond = static_cast<double>(hist_.neg_inf() + hist_.pos_inf());
  for (int i = levels; i < m; ++i) beyond += static_cast<double>(mag[i]);
  int best = m;
  double best_kl = std::numeric_limits<double>::infinity();
  // The threshold is the upper edge of the bin that holds the clipped mass.
  for (int stop = levels; stop <= m; ++stop) {
    const double kl = clipped_divergence(mag, stop, levels, beyond);
    if (kl < best_kl) {
      best_kl = kl;
      best = stop;
    }
    if (stop < m) beyond -= static_cast<double>(mag[stop]);
  }
  return clipped(hist_, best * hist_.bin_width());
}

MseObserver::MseObserver(const QuantScheme& scheme, int bins) : HistogramObserver(bins), scheme_(scheme) {
  quant_bounds(scheme);  // rejects an unsupported dtype now rather than at range()
}

namespace {

// Integral over [u, v] of (x - fake_quantize(x))^2, walking the cells of
// the quantization grid: each code covers up to halfway to the next one, the
// highest code everything above.
double squared_error_integral(double u, double v, const QParams& qp, const QuantScheme& s, int32_t qmax) {
  double sum = 0.0;
  while (u < v) {
    int32_t q = quantize(static_cast<float>(u), qp, s);
    double y = static_cast<double>(qp.scale) * (q - qp.zero_point);
    double end = q >= qmax ? v : y + 0.5 * qp.scale;
    while (end <= u && q < qmax) {  // u sat on a cell boundary (or float rounding put it below)
      ++q;
      y = static_cast<double>(qp.scale) * (q - qp.zero_point);
      end = q >= qmax ? v : y + 0.5 * qp.scale;
    }
    end = std::min(end, v);
    const double a = u - y, b = end - y;
    sum += (b * b * b - a * a * a) / 3.0;
    u = end;
  }
  return sum;
}

}  // namespace

double MseObserver::expected_error(Range r) const {
  require_values(hist_, "MseObserver");
  const QParams qp = choose_qparams(r, scheme_);
  const int32_t qmax = quant_bounds(scheme_).qmax;
  const double w = hist_.bin_width();
  if (w == 0.0) {  // all zeros, which every range holds exactly
    return 0.0;
  }
  double err = 0.0;
  for (int j = 0; j < hist_.bins(); ++j) {
    const int64_t c = hist_.counts()[j];
    if (c == 0) continue;
    // Values lie in the bin and within the observed extremes.
    const double edge = hist_.lower_edge() + j * w;
    const double u = std::max(edge, double(hist_.min())), v = std::min(edge + w, double(hist_.max()));
    if (v <= u) {
      const double d = u - fake_quantize(static_cast<float>(u), qp, scheme_);
      err += c * d * d;
    } else {
      err += c * squared_error_integral(u, v, qp, scheme_, qmax) / (v - u);
    }
  }
  return err / static_cast<double>(hist_.finite_count());
}

Range MseObserver::range() const {
  require_values(hist_, "MseObserver");
  if (hist_.bin_width() == 0.0) return {hist_.min(), hist_.max()};
  const int m = static_cast<int>(hist_.magnitudes().size());
  Range best = {hist_.min(), hist_.max()};
  double best_err = expected_error(best);
  // From the widest range down, so a tie keeps the range that clips less.
  for (int stop = m - 1; stop >= 1; --stop) {
    const Range r = clipped(hist_, stop * hist_.bin_width());
    const double e = expected_error(r);
    if (e < best_err) {
      best_err = e;
      best = r;
    }
  }
  return best;
}

}  // namespace octet::quant
