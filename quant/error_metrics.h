#pragma once
// How far a tensor is from its reference, accumulated over many runs so
// that no run's values need to be kept: SQNR, max abs error, cosine
// similarity, and top-1 agreement of class scores. `octet compare` reports
// them per output and per quantized value.
#include <cstdint>

namespace octet::quant {

class ErrorStats {
 public:
  // One more run's values: `ref` and `got` hold n elements each.
  void add(const float* ref, const float* got, int64_t n);

  int64_t count() const { return count_; }
  // 10 log10(sum ref^2 / sum (ref - got)^2) in dB over everything added:
  // +inf when got equals ref exactly, -inf when ref is all zeros but got
  // is not.
  double sqnr_db() const;
  double max_abs_error() const { return max_abs_; }
  // sum(ref got) / sqrt(sum ref^2 sum got^2); 1 when both are all zeros,
  // 0 when only one is.
  double cosine() const;

 private:
  // Sums in double: float would lose the small error terms of a model with
  // millions of outputs against the large signal sum.
  double ref_sq_ = 0, got_sq_ = 0, dot_ = 0, err_sq_ = 0, max_abs_ = 0;
  int64_t count_ = 0;
};

// The index of the largest of n scores (the first on a tie; NaN never wins
// unless every score is NaN, which gives 0).
int64_t argmax(const float* scores, int64_t n);

// Fraction of rows (last axis = classes) whose argmax is the same in both.
class Top1Agreement {
 public:
  // `ref` and `got` hold rows x classes scores.
  void add(const float* ref, const float* got, int64_t rows, int64_t classes);
  int64_t agreeing() const { return agree_; }
  int64_t rows() const { return rows_; }
  double fraction() const;  // NaN before any row

 private:
  int64_t agree_ = 0, rows_ = 0;
};

}  // namespace octet::quant
