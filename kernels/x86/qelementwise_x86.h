#pragma once
// Per-ISA entry points of the quantized elementwise, pool and lookup-table
// kernels (kernels/qelementwise.h, qpool.h, qlut.h dispatch to them). Each is
// defined in the file named by its suffix and must only be called once that
// level is supported. They reproduce kernels/ref/qelementwise_ref.h and
// qpool_ref.h bit for bit; the float constants come from the dispatcher so
// every level uses the same bits.
#include <cstdint>

#include "kernels/qbinary_consts.h"

namespace octet::kernels::x86 {

using kernels::QBinaryConsts;

// T is uint8_t or int8_t.
template <class T> void qadd_avx2(const QBinaryConsts& k, const T* a, const T* b, T* y, int64_t n);
template <class T> void qmul_avx2(const QBinaryConsts& k, const T* a, const T* b, T* y, int64_t n);
// v = float(a - za) * ma + b_term, b_term = float(b0 - zb) * mb. With
// b_term = 0 this is a plain requantization (x * m + 0 == x * m exactly).
template <class T> void qadd_scalar_avx2(const QBinaryConsts& k, const T* a, float b_term, T* y, int64_t n);
// v = float((a - za) * b_centered) * ma, b_centered = b0 - zb.
template <class T> void qmul_scalar_avx2(const QBinaryConsts& k, const T* a, int32_t b_centered, T* y, int64_t n);

template <class T> void qadd_avx512vnni(const QBinaryConsts& k, const T* a, const T* b, T* y, int64_t n);
template <class T> void qmul_avx512vnni(const QBinaryConsts& k, const T* a, const T* b, T* y, int64_t n);
template <class T> void qadd_scalar_avx512vnni(const QBinaryConsts& k, const T* a, float b_term, T* y, int64_t n);
template <class T>
void qmul_scalar_avx512vnni(const QBinaryConsts& k, const T* a, int32_t b_centered, T* y, int64_t n);

// Pools over an indirection list: rows[j] points at `channels` bytes.
// y[c] = max over j of rows[j][c] (k >= 1).
void qmax_rows_u8_avx2(const uint8_t* const* rows, int64_t k, int64_t channels, uint8_t* y);
void qmax_rows_u8_avx512vnni(const uint8_t* const* rows, int64_t k, int64_t channels, uint8_t* y);
// y[c] = quantize(float(sum over j of rows[j][c] - bias) * m, zy), bias = taps * zx.
void qavg_rows_u8_avx2(const uint8_t* const* rows, int64_t k, int64_t channels, int32_t bias, float m, int32_t zy,
                       uint8_t* y);
void qavg_rows_u8_avx512vnni(const uint8_t* const* rows, int64_t k, int64_t channels, int32_t bias, float m,
                             int32_t zy, uint8_t* y);
// y[p] = quantize(float(sum of x[p * plane_size ...] - bias) * m, zy) for each plane p.
void qavg_planes_u8_avx2(const uint8_t* x, int64_t planes, int64_t plane_size, int32_t bias, float m, int32_t zy,
                         uint8_t* y);
void qavg_planes_u8_avx512vnni(const uint8_t* x, int64_t planes, int64_t plane_size, int32_t bias, float m,
                               int32_t zy, uint8_t* y);

// y[i] = table[x[i]].
void apply_lut_u8_avx2(const uint8_t* table, const uint8_t* x, uint8_t* y, int64_t n);
void apply_lut_u8_avx512vnni(const uint8_t* table, const uint8_t* x, uint8_t* y, int64_t n);
// The same with vpermi2b: only where cpu_has_avx512vbmi() (and Avx512Vnni).
void apply_lut_u8_avx512vbmi(const uint8_t* table, const uint8_t* x, uint8_t* y, int64_t n);
bool cpu_has_avx512vbmi();

}  // namespace octet::kernels::x86
