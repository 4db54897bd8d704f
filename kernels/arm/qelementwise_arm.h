#pragma once
// NEON entry points of the quantized Add / Mul / requantize, pool and
// lookup-table kernels (kernels/qelementwise.h, qpool.h and qlut.h dispatch
// to them), bit for bit the ref's (kernels/ref/qelementwise_ref.h,
// qpool_ref.h, apply_lut_ref), with
// the float constants from the dispatcher, as the x86 twins
// (kernels/x86/qelementwise_x86.h) take them.
#include <cstdint>

#include "kernels/qbinary_consts.h"

namespace octet::kernels::arm {

// T is uint8_t or int8_t; the arithmetic is QBinaryConsts'.
template <class T> void qadd_neon(const QBinaryConsts& k, const T* a, const T* b, T* y, int64_t n);
template <class T> void qmul_neon(const QBinaryConsts& k, const T* a, const T* b, T* y, int64_t n);
// v = float(a - za) * ma + b_term, b_term = float(b0 - zb) * mb. With
// b_term = 0 this is a plain requantization (x * m + 0 == x * m exactly).
template <class T> void qadd_scalar_neon(const QBinaryConsts& k, const T* a, float b_term, T* y, int64_t n);
// v = float((a - za) * b_centered) * ma, b_centered = b0 - zb.
template <class T> void qmul_scalar_neon(const QBinaryConsts& k, const T* a, int32_t b_centered, T* y, int64_t n);

// y[c] = max over j of rows[j][c] (k >= 1); rows[j] points at `channels` bytes.
void qmax_rows_u8_neon(const uint8_t* const* rows, int64_t k, int64_t channels, uint8_t* y);
// y[c] = requantize(float(sum_j rows[j][c] - bias) * m) around zero point zy.
void qavg_rows_u8_neon(const uint8_t* const* rows, int64_t k, int64_t channels, int32_t bias, float m, int32_t zy,
                       uint8_t* y);
// The same over `planes` contiguous planes of plane_size bytes (NCHW global pool).
void qavg_planes_u8_neon(const uint8_t* x, int64_t planes, int64_t plane_size, int32_t bias, float m, int32_t zy,
                         uint8_t* y);

// y[i] = table[x[i]].
void apply_lut_u8_neon(const uint8_t* table, const uint8_t* x, uint8_t* y, int64_t n);

}  // namespace octet::kernels::arm
