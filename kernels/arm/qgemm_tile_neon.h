#pragma once
// The NEON GEMM tile, shared by the Neon and NeonDot files, which differ
// only in how 16 byte products are added into 4 uint32 lanes (`Mac`):
//
//   Neon:    umull + umull2 (8 u8 x u8 -> u16 each, exact: 255 * 255 fits
//            uint16) and two uadalp (pairs of u16 into the u32 lanes):
//            4 instructions per 16 products.
//   NeonDot: one udot, 16 products into 4 lanes.
//
// Both multiply a by the weights stored as w + 128 (kernels/arm/qgemm_arm.h
// says why) and add each row's -128 * sum(a), row_offset: the tiles of the
// first panel (SumRows) also multiply a by a vector of ones, one more mac
// per row and step, and write row_offset for the later panels. Each
// accumulator holds 4 partial sums of one (row, column); a pairwise add
// tree (addp) folds the 16 accumulators into one vector per row at the end
// of the depth loop. Internal to each including file (see
// requantize_neon.h for why).
#include <arm_neon.h>

#include <cstdint>
#include <cstring>

#include "kernels/arm/qgemm_arm.h"
#include "kernels/arm/requantize_neon.h"

namespace octet::kernels::arm {
namespace {

constexpr int kDepth = kLayoutNeon.kgroup;  // bytes of a per step
constexpr int kCols = kLayoutNeon.panel;

// The last k % 16 bytes of a row, zero-padded: zeros add nothing to the
// products or to the row's sum.
inline uint8x16_t load_a_tail(const uint8_t* p, int64_t n) {
  uint8_t v[kDepth] = {};
  std::memcpy(v, p, static_cast<size_t>(n));
  return vld1q_u8(v);
}

template <int MR, bool SumRows, class Mac>
inline void step(uint32x4_t (&acc)[MR][kCols], uint32x4_t (&rows)[MR], const uint8x16_t (&av)[MR],
                 const uint8_t* b, Mac mac) {
  uint8x16_t bv[kCols];
  for (int j = 0; j < kCols; ++j) bv[j] = vld1q_u8(b + j * kDepth);
  for (int r = 0; r < MR; ++r)
    for (int j = 0; j < kCols; ++j) acc[r][j] = mac(acc[r][j], av[r], bv[j]);
  if (SumRows)
    for (int r = 0; r < MR; ++r) rows[r] = mac(rows[r], av[r], vdupq_n_u8(1));
}

template <int MR, bool SumRows, class Mac>
void tile(int64_t k, const uint8_t* a, int64_t lda, const uint8_t* b, int32_t* row_offset, int64_t col0,
          int64_t cols, const QGemmTileEpilogue& ep, void* c, int64_t ldc, Mac mac) {
  uint32x4_t acc[MR][kCols], rows[MR];
  for (int r = 0; r < MR; ++r) {
    rows[r] = vdupq_n_u32(0);
    for (int j = 0; j < kCols; ++j) acc[r][j] = vdupq_n_u32(0);
  }
  int64_t q = 0;
  for (; q + kDepth <= k; q += kDepth, b += kDepth * kCols) {
    uint8x16_t av[MR];
    for (int r = 0; r < MR; ++r) av[r] = vld1q_u8(a + r * lda + q);
    step<MR, SumRows>(acc, rows, av, b, mac);
  }
  if (q < k) {
    uint8x16_t av[MR];
    for (int r = 0; r < MR; ++r) av[r] = load_a_tail(a + r * lda + q, k - q);
    step<MR, SumRows>(acc, rows, av, b, mac);
  }
  if (SumRows)
    for (int r = 0; r < MR; ++r) row_offset[r] = static_cast<int32_t>(0u - 128u * vaddvq_u32(rows[r]));
  const size_t row_bytes = static_cast<size_t>(ldc) * qgemm_elem_size(ep.type);
  for (int r = 0; r < MR; ++r) {
    const uint32x4_t sum = vpaddq_u32(vpaddq_u32(acc[r][0], acc[r][1]), vpaddq_u32(acc[r][2], acc[r][3]));
    // Wrapping adds, like the reference's accumulator.
    const int32x4_t s = vaddq_s32(vreinterpretq_s32_u32(sum), vdupq_n_s32(row_offset[r]));
    qgemm_store_neon(s, ep, col0, cols, static_cast<uint8_t*>(c) + r * row_bytes);
  }
}

template <bool SumRows, class Mac>
void tile_rows(int mr, int64_t k, const uint8_t* a, int64_t lda, const uint8_t* b, int32_t* row_offset,
               int64_t col0, int64_t cols, const QGemmTileEpilogue& ep, void* c, int64_t ldc, Mac mac) {
  static_assert(kMrNeon == 4, "one case per row count");
  switch (mr) {
    case 4: return tile<4, SumRows>(k, a, lda, b, row_offset, col0, cols, ep, c, ldc, mac);
    case 3: return tile<3, SumRows>(k, a, lda, b, row_offset, col0, cols, ep, c, ldc, mac);
    case 2: return tile<2, SumRows>(k, a, lda, b, row_offset, col0, cols, ep, c, ldc, mac);
    default: return tile<1, SumRows>(k, a, lda, b, row_offset, col0, cols, ep, c, ldc, mac);
  }
}

template <class Mac>
void tile_any(int mr, int64_t k, const uint8_t* a, int64_t lda, const uint8_t* b, int32_t* row_offset,
              bool sum_rows, int64_t col0, int64_t cols, const QGemmTileEpilogue& ep, void* c, int64_t ldc,
              Mac mac) {
  if (sum_rows) return tile_rows<true>(mr, k, a, lda, b, row_offset, col0, cols, ep, c, ldc, mac);
  tile_rows<false>(mr, k, a, lda, b, row_offset, col0, cols, ep, c, ldc, mac);
}

}  // namespace
}  // namespace octet::kernels::arm
