#pragma once
// Histogram-based observers: percentile, entropy (KL divergence) and MSE.
//
// Memory stays bounded whatever the number of samples: the histogram has a
// fixed number of bins and is never given the values themselves. Its bin
// edges are the integer multiples of the bin width w, from -a*w to b*w with
// a + b = bins, so 0 is always an edge (the range always includes 0, as the
// qparams range does). When a batch falls outside, w grows by an integer
// factor k and each new bin is the exact sum of k old ones: merging loses no
// count and assumes nothing about where values lay inside a bin.
#include <cstdint>
#include <vector>

#include "quant/observers.h"
#include "quant/qparams.h"

namespace octet::quant {

class Histogram {
 public:
  explicit Histogram(int bins = 2048);
  void add(const float* x, int64_t n);

  int bins() const { return static_cast<int>(counts_.size()); }
  // 0 until a nonzero finite value has been seen.
  double bin_width() const { return width_; }
  // Edge of the first bin (-a * w).
  double lower_edge() const { return -static_cast<double>(below_zero_) * width_; }
  // Bins [0, zero_bin()) lie below 0.
  int zero_bin() const { return below_zero_; }
  const std::vector<int64_t>& counts() const { return counts_; }
  // Finite values seen, and their exact extremes.
  int64_t finite_count() const { return seen_.count; }
  float min() const { return seen_.min; }
  float max() const { return seen_.max; }
  // Values exactly 0 (ReLU's floor): every quantization represents them
  // exactly, so range searches may leave them out.
  int64_t exact_zeros() const { return exact_zeros_; }
  int64_t neg_inf() const { return neg_inf_; }
  int64_t pos_inf() const { return pos_inf_; }

  // The value below which `rank` of the values lie (-inf counted below every
  // finite value, +inf above), linear inside a bin, clamped to [min, max].
  double value_at_rank(double rank) const;
  // |x| histogram: bin i covers [i*w, (i+1)*w), both signs folded.
  std::vector<int64_t> magnitudes() const;

 private:
  void cover();
  void rebin(int64_t k, int new_below_zero);
  int bin_of(double v) const;
  void add_finite(const float* x, int64_t n);
  void count_infinities(const float* x, int64_t n);

  std::vector<int64_t> counts_;
  double width_ = 0.0;
  int below_zero_ = 0;
  int64_t zeros_before_width_ = 0;  // zeros seen while the range was [0, 0]
  int64_t exact_zeros_ = 0;
  FiniteExtremes seen_;
  int64_t neg_inf_ = 0;
  int64_t pos_inf_ = 0;
};

// What the histogram-based observers share: they feed every value to one
// bounded Histogram and differ only in how range() reads it.
class HistogramObserver : public Observer {
 public:
  void observe(const float* x, int64_t n) override { hist_.add(x, n); }
  const Histogram& histogram() const { return hist_; }

 protected:
  explicit HistogramObserver(int bins) : hist_(bins) {}
  Histogram hist_;
};

// Clips the lowest and highest (100 - percentile)% of values.
class PercentileObserver final : public HistogramObserver {
 public:
  explicit PercentileObserver(double percentile = 99.99, int bins = 2048);
  Range range() const override;

 private:
  double percentile_;
};

// TensorRT's entropy calibration: over thresholds T of the |x| histogram,
// from `levels` bins to all of them, the reference P is the histogram below T
// with everything beyond folded into its last bin, Q is the histogram below T
// merged into `levels` groups and spread back over each group's nonempty
// bins; the chosen T minimizes KL(P || Q). The range is [-T, T] cut to the
// observed [min, max]. 128 levels suit signed or symmetric quantization
// (7 bits of magnitude), 256 a one-signed tensor quantized to uint8.
// A threshold whose last bin is empty but for clipped values makes Q zero
// where P is not: its divergence is infinite and it is never chosen (as in
// NVIDIA's pytorch-quantization; MXNet and ONNX Runtime smooth instead). So
// when `levels` bins already reach past the bulk of the data (outliers more
// than bins / levels times beyond it), the search keeps the outliers: the
// histogram is too coarse for that many levels. Exact zeros (half of a ReLU
// output) are left out of P and Q: they are exact at any threshold, and
// kept in, their spike in the first bin, flattened over a group by Q,
// would push T down to a couple of standard deviations.
class EntropyObserver final : public HistogramObserver {
 public:
  // one_signed_levels, when not 0, replaces `levels` for a tensor whose
  // values all have one sign: an asymmetric scheme spends all its codes on
  // [0, T] there (256 for uint8), twice what a signed tensor gets per side.
  explicit EntropyObserver(int levels = 128, int bins = 2048, int one_signed_levels = 0);
  Range range() const override;

 private:
  int levels_;
  int one_signed_levels_;
};

// Over thresholds T at every edge of the |x| histogram, the range [-T, T] cut
// to the observed [min, max] whose qparams (for `scheme`) give the least
// expected squared error, values being taken as uniform inside each bin;
// infinities are left out, as every range clips them alike.
class MseObserver final : public HistogramObserver {
 public:
  explicit MseObserver(const QuantScheme& scheme = {}, int bins = 2048);
  Range range() const override;

  // Expected squared error per value of quantizing the histogram with
  // the qparams of `r` (exposed for tests).
  double expected_error(Range r) const;

 private:
  QuantScheme scheme_;
};

}  // namespace octet::quant
