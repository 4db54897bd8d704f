#pragma once
// Scalar u8 x s8 GEMM behind kernels/qgemm.h: the Isa::Ref path and the
// truth every SIMD level is tested against, bit for bit.
#include <cstdint>

#include "kernels/qgemm.h"

namespace octet::kernels {

// The Isa::Ref packing: b[n, k] dense, k contiguous ([n][k] int8).
void pack_weights_s8_ref(int64_t n, int64_t k, const int8_t* b, int64_t stride_n, int64_t stride_k,
                         int8_t* packed);

// The clamp bounds of a U8 / S8 output: the output type's range, then
// [qmin, qmax]. Both clamps applied one after the other are one clamp to
// [lo, hi] (lo <= hi; lo == hi == qmax when qmin > qmax), which is what
// lets a SIMD kernel clamp once, in float, before rounding.
struct QClampBounds {
  int32_t lo, hi;
};
QClampBounds qgemm_clamp_bounds(const QGemmEpilogue& ep);

// c[row, col] from the accumulator acc = bias[col] + sum_k a * b (wrapped
// modulo 2^32): the one epilogue definition (requantize.h for U8 / S8).
void qgemm_store_ref(const QGemmEpilogue& ep, int64_t col, int32_t acc, void* c_row);

// Runs args at Isa::Ref (args.b packed by pack_weights_s8_ref).
void qgemm_u8s8_ref(const QGemmArgs& args);

}  // namespace octet::kernels
