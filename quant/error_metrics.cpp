#include "quant/error_metrics.h"

#include <cmath>
#include <limits>

namespace octet::quant {

void ErrorStats::add(const float* ref, const float* got, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const double r = ref[i], g = got[i], e = r - g;
    ref_sq_ += r * r;
    got_sq_ += g * g;
    dot_ += r * g;
    err_sq_ += e * e;
    // fmax drops a NaN operand, so a NaN error is kept with a test of its own.
    const double a = std::fabs(e);
    max_abs_ = std::isnan(a) || std::isnan(max_abs_) ? std::numeric_limits<double>::quiet_NaN() : std::fmax(max_abs_, a);
  }
  count_ += n;
}

double ErrorStats::sqnr_db() const {
  if (err_sq_ == 0) return std::numeric_limits<double>::infinity();
  if (ref_sq_ == 0) return -std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(ref_sq_ / err_sq_);
}

double ErrorStats::cosine() const {
  if (ref_sq_ == 0 && got_sq_ == 0) return 1.0;
  if (ref_sq_ == 0 || got_sq_ == 0) return 0.0;
  return dot_ / std::sqrt(ref_sq_ * got_sq_);
}

int64_t argmax(const float* scores, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i)
    if (scores[i] > scores[best] || (std::isnan(scores[best]) && !std::isnan(scores[i]))) best = i;
  return best;
}

void Top1Agreement::add(const float* ref, const float* got, int64_t rows, int64_t classes) {
  for (int64_t r = 0; r < rows; ++r)
    if (argmax(ref + r * classes, classes) == argmax(got + r * classes, classes)) ++agree_;
  rows_ += rows;
}

double Top1Agreement::fraction() const {
  return rows_ == 0 ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(agree_) / rows_;
}

}  // namespace octet::quant
