#pragma once
// The NEON GEMM tile, shared by the Neon and NeonDot files, which differ
// only in how 16 byte products are added into 4 int32 lanes (`Mac`):
//
//   Neon:    smull + smull2 (8 s8 x s8 -> s16 each, exact: |-128 * -128|
//            fits int16) and two sadalp (pairs of s16 into the s32 lanes):
//            4 instructions per 16 products.
//   NeonDot: one sdot, 16 products into 4 lanes.
//
// Each accumulator holds 4 partial sums of one (row, column); a pairwise
// add tree (addp) folds the 16 accumulators into one vector per row at
// the end of the depth loop. Internal to each including file (see
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

// a - 128 as s8.
inline int8x16_t load_a_signed(const uint8_t* p) { return vreinterpretq_s8_u8(veorq_u8(vld1q_u8(p), vdupq_n_u8(0x80))); }

// The last k % 16 bytes of a row, padded (the padding meets zero weights).
inline int8x16_t load_a_tail(const uint8_t* p, int64_t n) {
  uint8_t v[kDepth] = {};
  std::memcpy(v, p, static_cast<size_t>(n));
  return load_a_signed(v);
}

template <int MR, class Mac>
inline void step(int32x4_t (&acc)[MR][kCols], const int8x16_t (&av)[MR], const int8_t* b, Mac mac) {
  int8x16_t bv[kCols];
  for (int j = 0; j < kCols; ++j) bv[j] = vld1q_s8(b + j * kDepth);
  for (int r = 0; r < MR; ++r)
    for (int j = 0; j < kCols; ++j) acc[r][j] = mac(acc[r][j], av[r], bv[j]);
}

template <int MR, class Mac>
void tile(int64_t k, const uint8_t* a, int64_t lda, const int8_t* b, int64_t col0, int64_t cols,
          const QGemmTileEpilogue& ep, void* c, int64_t ldc, Mac mac) {
  int32x4_t acc[MR][kCols];
  for (int r = 0; r < MR; ++r)
    for (int j = 0; j < kCols; ++j) acc[r][j] = vdupq_n_s32(0);
  int64_t q = 0;
  for (; q + kDepth <= k; q += kDepth, b += kDepth * kCols) {
    int8x16_t av[MR];
    for (int r = 0; r < MR; ++r) av[r] = load_a_signed(a + r * lda + q);
    step<MR>(acc, av, b, mac);
  }
  if (q < k) {
    int8x16_t av[MR];
    for (int r = 0; r < MR; ++r) av[r] = load_a_tail(a + r * lda + q, k - q);
    step<MR>(acc, av, b, mac);
  }
  const size_t row_bytes = static_cast<size_t>(ldc) * qgemm_elem_size(ep.type);
  for (int r = 0; r < MR; ++r) {
    const int32x4_t sum = vpaddq_s32(vpaddq_s32(acc[r][0], acc[r][1]), vpaddq_s32(acc[r][2], acc[r][3]));
    qgemm_store_neon(sum, ep, col0, cols, static_cast<uint8_t*>(c) + r * row_bytes);
  }
}

template <class Mac>
void tile_rows(int mr, int64_t k, const uint8_t* a, int64_t lda, const int8_t* b, int64_t col0, int64_t cols,
               const QGemmTileEpilogue& ep, void* c, int64_t ldc, Mac mac) {
  static_assert(kMrNeon == 4, "one case per row count");
  switch (mr) {
    case 4: return tile<4>(k, a, lda, b, col0, cols, ep, c, ldc, mac);
    case 3: return tile<3>(k, a, lda, b, col0, cols, ep, c, ldc, mac);
    case 2: return tile<2>(k, a, lda, b, col0, cols, ep, c, ldc, mac);
    default: return tile<1>(k, a, lda, b, col0, cols, ep, c, ldc, mac);
  }
}

}  // namespace
}  // namespace octet::kernels::arm
