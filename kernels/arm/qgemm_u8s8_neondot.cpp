// The ARMv8.2 dot-product INT8 GEMM tile (the mac of qgemm_tile_neon.h);
// built with +dotprod, run only where getauxval reports it.
#include "kernels/arm/qgemm_tile_neon.h"

namespace octet::kernels::arm {

void qgemm_u8s8_tile_neondot(int mr, int64_t k, const uint8_t* a, int64_t lda, const uint8_t* b,
                             int32_t* row_offset, bool sum_rows, int64_t col0, int64_t cols, const QGemmTileEpilogue& ep,
                             void* c, int64_t ldc) {
  auto mac = [](uint32x4_t acc, uint8x16_t x, uint8x16_t w) { return vdotq_u32(acc, x, w); };
  tile_any(mr, k, a, lda, b, row_offset, sum_rows, col0, cols, ep, c, ldc, mac);
}

}  // namespace octet::kernels::arm
