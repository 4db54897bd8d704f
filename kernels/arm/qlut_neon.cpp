// A 256-byte lookup table on NEON: tbl reads 64 table bytes per
// instruction and gives 0 for an index past them, so four tbl over the
// index minus 0, 64, 128 and 192 (wrapping) OR together into the lookup.
#include <arm_neon.h>

#include "kernels/arm/qelementwise_arm.h"

namespace octet::kernels::arm {

void apply_lut_u8_neon(const uint8_t* table, const uint8_t* x, uint8_t* y, int64_t n) {
  uint8x16x4_t t[4];
  for (int q = 0; q < 4; ++q) t[q] = vld1q_u8_x4(table + 64 * q);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const uint8x16_t v = vld1q_u8(x + i);
    uint8x16_t r = vqtbl4q_u8(t[0], v);
    for (int q = 1; q < 4; ++q) r = vorrq_u8(r, vqtbl4q_u8(t[q], vsubq_u8(v, vdupq_n_u8(uint8_t(64 * q)))));
    vst1q_u8(y + i, r);
  }
  for (; i < n; ++i) y[i] = table[x[i]];
}

}  // namespace octet::kernels::arm
