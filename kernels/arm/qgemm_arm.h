#pragma once
// ARM pieces of the INT8 GEMM behind kernels/qgemm.h: the packed weight
// layout and the micro-kernels of the Neon and NeonDot levels.
// kernels/qgemm.cpp packs, tiles and dispatches.
//
// u8 x s8 on ARM: NEON multiplies u8 x u8 or s8 x s8 (umull, udot, smull,
// sdot); the mixed u8 x s8 form needs i8mm (usdot). So the weights are
// prepacked as w + 128 (w ^ 0x80, a u8 in 0..255), a is read as it is, and
// each row gets -128 * sum_k a:
//
//   sum_k a * w = sum_k a * (w + 128) - 128 * sum_k a
//
// which holds modulo 2^32 like the ref's wrapping accumulation, so the
// result is the same bits for every depth. Flipping a instead (a - 128
// against s8 weights, 128 * col_sums into the bias) costs one eor per 16
// bytes of a on every panel's pass, a fifth of the vector instructions of
// the dot-product loop; the row sums cost one extra mac per 16 bytes of a,
// on the first panel only.
//
// Packed weights (kernels/qgemm_tile.h): panel 4, kgroup 16, k padded to 16:
// one group is four 16-byte rows of consecutive depths, one per column,
// the operand of one udot (or umull + umull2) against 16 bytes of a row.
#include <cstdint>

#include "kernels/qgemm_tile.h"

namespace octet::kernels::arm {

constexpr QGemmLayout kLayoutNeon{4, 16, 16};
// Rows per tile: 4 rows x 4 columns keep 16 accumulators, 4 weight and 4
// activation vectors in the 32 NEON registers.
constexpr int kMrNeon = 4;

// c[0..mr) x [col0, col0 + cols) for cols <= 4 and mr <= kMrNeon: a at
// a + row * lda (u8, read in place, never past column k - 1), one panel
// of w + 128 at b, c rows ldc elements apart. row_offset[r] is row r's
// -128 * sum_k a: written by the call when sum_rows (the first panel's
// tiles), read otherwise.
using NeonTile = void (*)(int mr, int64_t k, const uint8_t* a, int64_t lda, const uint8_t* b, int32_t* row_offset,
                          bool sum_rows, int64_t col0, int64_t cols, const QGemmTileEpilogue& ep, void* c,
                          int64_t ldc);
void qgemm_u8s8_tile_neon(int mr, int64_t k, const uint8_t* a, int64_t lda, const uint8_t* b, int32_t* row_offset,
                          bool sum_rows, int64_t col0, int64_t cols, const QGemmTileEpilogue& ep, void* c,
                          int64_t ldc);
void qgemm_u8s8_tile_neondot(int mr, int64_t k, const uint8_t* a, int64_t lda, const uint8_t* b,
                             int32_t* row_offset, bool sum_rows, int64_t col0, int64_t cols,
                             const QGemmTileEpilogue& ep, void* c, int64_t ldc);

}  // namespace octet::kernels::arm
