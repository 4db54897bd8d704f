#pragma once
// Observers watch the FP32 values a tensor takes during calibration and
// propose the range its quantization should cover (then choose_qparams turns
// the range into scale and zero point).
//
// Non-finite values: NaN carries no magnitude and is ignored. +-inf cannot lie
// inside any finite range; they never widen a range, and at run time quantize
// saturates them to qmin / qmax, which is the clipping they get. Histogram
// observers still count them as the most extreme values (see histogram.h).
#include <cstdint>
#include <vector>

#include "kernels/ref/quantize.h"
#include "quant/qparams.h"

namespace octet::quant {

class Observer {
 public:
  virtual ~Observer() = default;
  // One batch of values, in any layout.
  virtual void observe(const float* x, int64_t n) = 0;
  // Throws octet::Error when no finite value has been observed yet.
  virtual Range range() const = 0;
};

// The extremes of the finite values of x; count is how many there were.
struct FiniteExtremes {
  float min = 0.0f;
  float max = 0.0f;
  int64_t count = 0;
};
FiniteExtremes finite_extremes(const float* x, int64_t n);

// The smallest and largest value ever seen.
class MinMaxObserver final : public Observer {
 public:
  void observe(const float* x, int64_t n) override;
  Range range() const override;

 private:
  FiniteExtremes seen_;
};

// Each batch's min and max, averaged with weight c: m <- m + c * (batch_m - m);
// the first batch sets them. Gives less weight to one batch's rare extremes
// than MinMax does.
class MovingAverageMinMaxObserver final : public Observer {
 public:
  explicit MovingAverageMinMaxObserver(float averaging_constant = 0.01f);
  void observe(const float* x, int64_t n) override;
  Range range() const override;

 private:
  float c_;
  FiniteExtremes avg_;
};

// MinMax per channel, for weights: x is seen as [outer, channels, inner]
// around the quantization axis (the output channel).
class ChannelMinMaxObserver {
 public:
  void observe(const float* x, const kernels::AxisSplit& split);
  // One range per channel; throws octet::Error if a channel never had a
  // finite value.
  std::vector<Range> ranges() const;

 private:
  std::vector<FiniteExtremes> seen_;
};

}  // namespace octet::quant
