#pragma once
// How `octet onnx-test` decides that an output matches the expected one.
#include <string>

#include "graph/tensor.h"

namespace octet::cli {

struct Tolerance {
  double rtol = 1e-3;
  double atol = 1e-7;
};

// "" when `got` matches `expected`, else what differs: dtype or shape
// (which must match exactly), or the worst element with both values.
// Floats match when |got - expected| <= atol + rtol * |expected|, NaN
// matching NaN and an infinity only itself; integers and bools exactly.
std::string compare_tensors(const graph::Tensor& expected, const graph::Tensor& got, Tolerance tol);

}  // namespace octet::cli
