#include "kernels/fp32/reduce_f32.h"

#include "kernels/fp32/float_batch.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "kernels/broadcast.h"

namespace octet::kernels {

namespace {

using fp32::Batch;
using fp32::kWidth;
using fp32::where;

// Keeps m unless v beats it or is NaN; a NaN m stays (m != m is NaN's test).
struct Larger {
  template <class V> V operator()(V m, V v) const { return where((v <= m) | (m != m), m, v); }
};
struct Smaller {
  template <class V> V operator()(V m, V v) const { return where((v >= m) | (m != m), m, v); }
};

// Lane-wise partial sums in float are exact enough for one run and keep the
// run vectorized; runs are combined in double.
double sum_run(const float* x, int64_t n) {
  Batch acc(0.f);
  int64_t i = 0;
  for (; i + kWidth <= n; i += kWidth) acc += Batch::load_unaligned(x + i);
  double sum = xsimd::hadd(acc);
  for (; i < n; ++i) sum += x[i];
  return sum;
}

template <class Pick>
float pick_run(const float* x, int64_t n, float start, Pick pick) {
  float m = start;
  int64_t i = 0;
  if (n >= kWidth) {
    Batch acc(start);
    for (; i + kWidth <= n; i += kWidth) acc = pick(acc, Batch::load_unaligned(x + i));
    alignas(64) float lanes[kWidth];
    acc.store_aligned(lanes);
    for (float v : lanes) m = pick(m, v);
  }
  for (; i < n; ++i) m = pick(m, x[i]);
  return m;
}

// The input is walked as a broadcast of itself against the kept-dims
// accumulator: each run either folds into one accumulator or updates a row.
BroadcastLoop reduction_loop(const std::vector<int64_t>& shape, const std::vector<bool>& reduced, int64_t* count,
                             int64_t* kept) {
  if (reduced.size() != shape.size()) throw std::invalid_argument("reduce_f32: one flag per dim expected");
  std::vector<int64_t> kept_shape = shape;
  *count = 1;
  *kept = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (reduced[i]) {
      *count *= shape[i];
      kept_shape[i] = 1;
    }
    *kept *= kept_shape[i];
  }
  return plan_broadcast(shape, shape, kept_shape);
}

void sum_or_mean(bool mean, const float* x, const std::vector<int64_t>& shape, const std::vector<bool>& reduced,
                 float* y) {
  int64_t count = 0, kept = 0;
  const BroadcastLoop loop = reduction_loop(shape, reduced, &count, &kept);
  std::vector<double> acc(static_cast<size_t>(kept), 0.0);
  for_each_run(loop, [&](int64_t xo, int64_t ao, int64_t, int64_t n) {
    if (loop.b_inner() == 0) {
      acc[ao] += sum_run(x + xo, n);
      return;
    }
    for (int64_t i = 0; i < n; ++i) acc[ao + i] += x[xo + i];
  });
  const double divisor = mean ? static_cast<double>(count) : 1.0;
  for (int64_t i = 0; i < kept; ++i) y[i] = static_cast<float>(acc[i] / divisor);
}

template <class Pick>
void extremum(float start, Pick pick, const float* x, const std::vector<int64_t>& shape,
              const std::vector<bool>& reduced, float* y) {
  int64_t count = 0, kept = 0;
  const BroadcastLoop loop = reduction_loop(shape, reduced, &count, &kept);
  std::fill(y, y + kept, start);
  for_each_run(loop, [&](int64_t xo, int64_t yo, int64_t, int64_t n) {
    if (loop.b_inner() == 0) {
      y[yo] = pick(y[yo], pick_run(x + xo, n, start, pick));
      return;
    }
    for (int64_t i = 0; i < n; ++i) y[yo + i] = pick(y[yo + i], x[xo + i]);
  });
}

}  // namespace

void reduce_f32(Reduction kind, const float* x, const std::vector<int64_t>& shape, const std::vector<bool>& reduced,
                float* y) {
  const float inf = std::numeric_limits<float>::infinity();
  switch (kind) {
    case Reduction::Sum: return sum_or_mean(false, x, shape, reduced, y);
    case Reduction::Mean: return sum_or_mean(true, x, shape, reduced, y);
    case Reduction::Max: return extremum(-inf, Larger{}, x, shape, reduced, y);
    case Reduction::Min: return extremum(inf, Smaller{}, x, shape, reduced, y);
  }
}

}  // namespace octet::kernels
