#pragma once
// Quantized elementwise ops at a chosen ISA level: QLinearAdd / QLinearMul
// (same-shape and scalar-broadcast rows; the engine walks general
// broadcasts with kernels/broadcast.h and calls these per run, swapping the
// operands and their qparams when a is the repeated one: QBinaryParams::swapped
// gives bit-identical results), requantization, and QLinearConcat.
// Every level gives the bits of kernels/ref/qelementwise_ref.h, whose
// header states the float32 arithmetic. Zero points must lie within T's
// range, scales be positive and finite.
#include <cstdint>

#include "kernels/isa.h"
#include "kernels/ref/qelementwise_ref.h"

namespace octet::kernels {

// y[i] = op(a[i], b[i]) or, when b_scalar, op(a[i], b[0]). T is uint8_t or
// int8_t. y may be a (in place), or b when b is not the scalar.
template <class T>
void qbinary(Isa isa, const QBinaryParams& p, const T* a, const T* b, T* y, int64_t n, bool b_scalar = false);

// y = x requantized from (x_scale, x_zero_point) to (y_scale, y_zero_point).
template <class T>
void qrequantize(Isa isa, const T* x, int64_t n, float x_scale, int32_t x_zero_point, float y_scale,
                 int32_t y_zero_point, T* y);

// QLinearConcat over [outer, axis, inner] views (see qconcat_ref).
template <class T>
void qconcat(Isa isa, const QConcatInput<T>* inputs, int64_t count, int64_t outer, int64_t inner, float y_scale,
             int32_t y_zero_point, T* y);

}  // namespace octet::kernels
