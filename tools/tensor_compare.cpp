#include "tools/tensor_compare.h"

#include <cmath>
#include <cstdio>
#include <type_traits>

namespace octet::cli {

namespace {

using graph::DType;
using graph::Tensor;

struct Worst {
  int64_t index = -1;
  double excess = -1;  // how far past the tolerance; +inf for NaN or infinity mismatches
  int64_t count = 0;   // elements out of tolerance
};

// Out-of-tolerance amount for one float pair, or a negative number when it is
// within tolerance.
double float_excess(double want, double got, Tolerance tol) {
  if (std::isnan(want) || std::isnan(got)) return std::isnan(want) && std::isnan(got) ? -1 : INFINITY;
  if (want == got) return -1;  // covers equal infinities
  if (std::isinf(want) || std::isinf(got)) return INFINITY;
  double diff = std::fabs(got - want), allowed = tol.atol + tol.rtol * std::fabs(want);
  return diff <= allowed ? -1 : diff - allowed;
}

template <class T>
Worst find_worst(const Tensor& expected, const Tensor& got, Tolerance tol) {
  const T* e = static_cast<const T*>(expected.raw());
  const T* g = static_cast<const T*>(got.raw());
  Worst w;
  for (int64_t i = 0; i < expected.numel(); ++i) {
    double excess;
    if constexpr (std::is_floating_point_v<T>)
      excess = float_excess(e[i], g[i], tol);
    else
      excess = e[i] == g[i] ? -1 : std::fabs(static_cast<double>(g[i]) - static_cast<double>(e[i]));
    if (excess < 0) continue;
    ++w.count;
    if (excess > w.excess) {
      w.excess = excess;
      w.index = i;
    }
  }
  return w;
}

template <class T>
std::string value_text(const Tensor& t, int64_t i) {
  char buf[48];
  T v = static_cast<const T*>(t.raw())[i];
  if constexpr (std::is_floating_point_v<T>)
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
  else
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
  return buf;
}

// Flat index -> "[i, j, k]".
std::string position(const graph::Shape& shape, int64_t flat) {
  graph::Shape idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = flat % shape[d];
    flat /= shape[d];
  }
  return graph::shape_str(idx);
}

template <class T>
std::string compare_typed(const Tensor& expected, const Tensor& got, Tolerance tol) {
  Worst w = find_worst<T>(expected, got, tol);
  if (w.count == 0) return "";
  return std::to_string(w.count) + " of " + std::to_string(expected.numel()) + " elements differ; worst at " +
         position(expected.shape(), w.index) + ": expected " + value_text<T>(expected, w.index) + ", got " +
         value_text<T>(got, w.index);
}

}  // namespace

std::string compare_tensors(const Tensor& expected, const Tensor& got, Tolerance tol) {
  if (got.empty()) return "no output produced";
  if (expected.dtype() != got.dtype())
    return std::string("dtype ") + graph::dtype_name(got.dtype()) + ", expected " + graph::dtype_name(expected.dtype());
  if (expected.shape() != got.shape())
    return "shape " + graph::shape_str(got.shape()) + ", expected " + graph::shape_str(expected.shape());
  switch (expected.dtype()) {
    case DType::Float32: return compare_typed<float>(expected, got, tol);
    case DType::Float64: return compare_typed<double>(expected, got, tol);
    case DType::Int8: return compare_typed<int8_t>(expected, got, tol);
    case DType::UInt8: return compare_typed<uint8_t>(expected, got, tol);
    case DType::Int32: return compare_typed<int32_t>(expected, got, tol);
    case DType::Int64: return compare_typed<int64_t>(expected, got, tol);
    case DType::Bool: return compare_typed<uint8_t>(expected, got, tol);  // bytes 0 and 1
    case DType::Undefined: break;
  }
  return "cannot compare tensors of undefined dtype";
}

}  // namespace octet::cli
