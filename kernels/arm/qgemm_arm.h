#pragma once
// ARM pieces of the INT8 GEMM behind kernels/qgemm.h: the packed weight
// layout and the micro-kernels of the Neon and NeonDot levels.
// kernels/qgemm.cpp packs, tiles and dispatches.
//
// u8 x s8 on ARM: baseline NEON multiplies s8 x s8 (smull) and ARMv8.2's
// sdot does too; there is no u8 x s8 form without i8mm (usdot). So the
// kernels read a as the signed byte a - 128 (one eor with 0x80) and the
// driver adds 128 * col_sums[n] to the bias:
//
//   sum_k a * b = sum_k (a - 128) * b + 128 * sum_k b
//
// which holds modulo 2^32 like the ref's wrapping accumulation, so the
// result is the same bits for every depth.
//
// Packed weights (kernels/qgemm_tile.h): panel 4, kgroup 16, k padded to 16:
// one group is four 16-byte rows of consecutive depths, one per column,
// the operand of one sdot (or smull + smull2) against 16 bytes of a row.
#include <cstdint>

#include "kernels/qgemm_tile.h"

namespace octet::kernels::arm {

constexpr QGemmLayout kLayoutNeon{4, 16, 16};
// Rows per tile: 4 rows x 4 columns keep 16 accumulators, 4 weight and 4
// activation vectors in the 32 NEON registers.
constexpr int kMrNeon = 4;

// c[0..mr) x [col0, col0 + cols) for cols <= 4 and mr <= kMrNeon: a at
// a + row * lda (u8, read in place, never past column k - 1), one panel
// of weights at b, c rows ldc elements apart. ep.bias must already hold
// 128 * col_sums (see above).
using NeonTile = void (*)(int mr, int64_t k, const uint8_t* a, int64_t lda, const int8_t* b, int64_t col0,
                          int64_t cols, const QGemmTileEpilogue& ep, void* c, int64_t ldc);
void qgemm_u8s8_tile_neon(int mr, int64_t k, const uint8_t* a, int64_t lda, const int8_t* b, int64_t col0,
                          int64_t cols, const QGemmTileEpilogue& ep, void* c, int64_t ldc);
void qgemm_u8s8_tile_neondot(int mr, int64_t k, const uint8_t* a, int64_t lda, const int8_t* b, int64_t col0,
                             int64_t cols, const QGemmTileEpilogue& ep, void* c, int64_t ldc);

}  // namespace octet::kernels::arm
