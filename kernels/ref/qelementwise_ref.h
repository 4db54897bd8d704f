#pragma once
// Scalar reference for the quantized elementwise ops (QLinearAdd, QLinearMul,
// QLinearConcat and plain requantization) on uint8 and int8. These functions
// define the exact answer every SIMD level reproduces bit for bit.
//
// The arithmetic, float32 throughout, each product rounded before the sum,
// never fused (a SIMD kernel does mulps, mulps, addps, not an FMA):
//
//   Add:        v = float(a - za) * ma + float(b - zb) * mb,
//               ma = sa / sy, mb = sb / sy
//   Mul:        v = float((a - za) * (b - zb)) * m,   m = (sa * sb) / sy
//               (the int32 product is at most 65536 in magnitude, exact in float)
//   Requantize: v = float(x - zx) * m,   m = sx / sy
//
// then the one quantization of kernels/ref/requantize.h (quantize_scaled:
// round half to even, + zy, saturate) and a fused clamp to [qmin, qmax] of
// the quantized output (a ReLU after Add is qmin = zy). Zero points must lie
// within T's range, scales be positive and finite and the multipliers finite:
// then no NaN can arise, which the SIMD clamps (maxps / minps) rely on.
//
// Add and Mul are commutative bit for bit (float addition and integer
// multiplication are), so a caller with a scalar first operand swaps the
// operands and their qparams and uses the scalar-b path.
#include <cstdint>
#include <limits>

#include "kernels/ref/requantize.h"

namespace octet::kernels {

enum class QBinaryOp { Add, Mul };

struct QBinaryParams {
  QBinaryOp op = QBinaryOp::Add;
  float a_scale = 1.0f, b_scale = 1.0f, y_scale = 1.0f;
  int32_t a_zero_point = 0, b_zero_point = 0, y_zero_point = 0;
  // Clamp of the quantized output (a fused ReLU is qmin = y_zero_point);
  // the output type's range always applies, so the defaults clamp nothing more.
  int32_t qmin = std::numeric_limits<int32_t>::min(), qmax = std::numeric_limits<int32_t>::max();

  // The same parameters with a and b exchanged (bit-identical results).
  QBinaryParams swapped() const;
};

// The float32 constants of the arithmetic above, computed once so every
// level uses the same bits: Add uses a and b, Mul only a.
struct QBinaryMultipliers {
  float a = 0.0f, b = 0.0f;
};
QBinaryMultipliers qbinary_multipliers(const QBinaryParams& p);

// y[i] = op(a[i], b[i]), or op(a[i], b[0]) when b_scalar. T is uint8_t or int8_t.
template <class T>
void qbinary_ref(const QBinaryParams& p, const T* a, const T* b, T* y, int64_t n, bool b_scalar);

// y[i] = quantize_scaled(float(x[i] - x_zp) * (x_scale / y_scale), y_zp).
template <class T>
void requantize_ref(const T* x, int64_t n, float x_scale, int32_t x_zero_point, float y_scale,
                    int32_t y_zero_point, T* y);

// One QLinearConcat input: a tensor seen as [outer, axis_size, inner].
template <class T>
struct QConcatInput {
  const T* data = nullptr;
  int64_t axis_size = 0;
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// y is [outer, sum of axis_size, inner]; each input is requantized to
// (y_scale, y_zero_point), which is a plain copy when its qparams are equal.
template <class T>
void qconcat_ref(const QConcatInput<T>* inputs, int64_t count, int64_t outer, int64_t inner, float y_scale,
                 int32_t y_zero_point, T* y);

}  // namespace octet::kernels
