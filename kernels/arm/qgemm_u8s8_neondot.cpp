// The ARMv8.2 dot-product INT8 GEMM tile (the mac of qgemm_tile_neon.h);
// built with +dotprod, run only where getauxval reports it.
#include "kernels/arm/qgemm_tile_neon.h"

namespace octet::kernels::arm {

void qgemm_u8s8_tile_neondot(int mr, int64_t k, const uint8_t* a, int64_t lda, const int8_t* b, int64_t col0,
                             int64_t cols, const QGemmTileEpilogue& ep, void* c, int64_t ldc) {
  auto mac = [](int32x4_t acc, int8x16_t x, int8x16_t w) { return vdotq_s32(acc, x, w); };
  tile_rows(mr, k, a, lda, b, col0, cols, ep, c, ldc, mac);
}

}  // namespace octet::kernels::arm
