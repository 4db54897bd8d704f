#include "kernels/fp32/softmax_f32.h"

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace octet::kernels {

namespace {

using Batch = xsimd::batch<float>;
constexpr int64_t kWidth = Batch::size;

Batch load(const float* p) { return Batch::load_unaligned(p); }

float row_max(const float* x, int64_t n) {
  float m = x[0];
  int64_t i = 0;
  if (n >= kWidth) {
    Batch acc = load(x);
    for (i = kWidth; i + kWidth <= n; i += kWidth) acc = xsimd::max(acc, load(x + i));
    alignas(64) float lanes[kWidth];
    acc.store_aligned(lanes);
    m = *std::max_element(lanes, lanes + kWidth);
  }
  for (; i < n; ++i) m = std::max(m, x[i]);
  return m;
}

// y = e^(x - m), returning the sum of y.
float exp_shifted(const float* x, float* y, int64_t n, float m) {
  Batch acc(0.f);
  int64_t i = 0;
  for (; i + kWidth <= n; i += kWidth) {
    const Batch e = xsimd::exp(load(x + i) - Batch(m));
    e.store_unaligned(y + i);
    acc += e;
  }
  float sum = xsimd::hadd(acc);
  for (; i < n; ++i) {
    y[i] = std::exp(x[i] - m);
    sum += y[i];
  }
  return sum;
}

void divide(float* y, int64_t n, float divisor) {
  int64_t i = 0;
  for (; i + kWidth <= n; i += kWidth) (load(y + i) / Batch(divisor)).store_unaligned(y + i);
  for (; i < n; ++i) y[i] /= divisor;
}

void softmax_rows(const float* x, float* y, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r, x += n, y += n) divide(y, n, exp_shifted(x, y, n, row_max(x, n)));
}

// The strided case walks the axis one contiguous row of `inner` at a time,
// keeping a running max and sum per position.
void max_into(float* m, const float* row, int64_t n) {
  int64_t i = 0;
  for (; i + kWidth <= n; i += kWidth) xsimd::max(load(m + i), load(row + i)).store_unaligned(m + i);
  for (; i < n; ++i) m[i] = std::max(m[i], row[i]);
}

void exp_shifted_into(const float* row, const float* m, float* y, float* sum, int64_t n) {
  int64_t i = 0;
  for (; i + kWidth <= n; i += kWidth) {
    const Batch e = xsimd::exp(load(row + i) - load(m + i));
    e.store_unaligned(y + i);
    (load(sum + i) + e).store_unaligned(sum + i);
  }
  for (; i < n; ++i) {
    y[i] = std::exp(row[i] - m[i]);
    sum[i] += y[i];
  }
}

void divide_by(float* y, const float* divisor, int64_t n) {
  int64_t i = 0;
  for (; i + kWidth <= n; i += kWidth) (load(y + i) / load(divisor + i)).store_unaligned(y + i);
  for (; i < n; ++i) y[i] /= divisor[i];
}

void softmax_strided(const float* x, float* y, int64_t outer, int64_t axis, int64_t inner) {
  std::vector<float> max(inner), sum(inner);
  const int64_t block = axis * inner;
  for (int64_t o = 0; o < outer; ++o, x += block, y += block) {
    std::copy(x, x + inner, max.begin());
    for (int64_t a = 1; a < axis; ++a) max_into(max.data(), x + a * inner, inner);
    std::fill(sum.begin(), sum.end(), 0.f);
    for (int64_t a = 0; a < axis; ++a) exp_shifted_into(x + a * inner, max.data(), y + a * inner, sum.data(), inner);
    for (int64_t a = 0; a < axis; ++a) divide_by(y + a * inner, sum.data(), inner);
  }
}

}  // namespace

void softmax_f32(const float* x, float* y, int64_t outer, int64_t axis, int64_t inner) {
  if (outer == 0 || axis == 0 || inner == 0) return;
  if (inner == 1) return softmax_rows(x, y, outer, axis);
  softmax_strided(x, y, outer, axis, inner);
}

}  // namespace octet::kernels
