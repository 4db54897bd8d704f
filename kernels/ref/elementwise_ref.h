#pragma once
// Scalar elementwise kernels for the integer types (int8, uint8, int32,
// int64), with the semantics of C++ integer arithmetic made total: Add, Sub
// and Mul wrap around modulo 2^bits (numpy's behaviour), Div truncates
// toward zero (ONNX Runtime's), x / 0 is 0 (numpy's) and INT_MIN / -1
// wraps to INT_MIN, so no input can trap.
#include <cstdint>
#include <vector>

#include "kernels/broadcast.h"

namespace octet::kernels {

// out = op(a, b) with a and b broadcast to out_shape, as binary_f32.
template <class T>
void binary_int(BinaryOp op, const T* a, const std::vector<int64_t>& a_shape, const T* b,
                const std::vector<int64_t>& b_shape, T* out, const std::vector<int64_t>& out_shape);

// min(max(x, lo), hi): hi wins when lo > hi.
template <class T>
void clip_int(const T* x, T* y, int64_t n, T lo, T hi);

}  // namespace octet::kernels
