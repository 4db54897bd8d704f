// AVX-512 peaks: vpdpbusd (u8 x s8, four products summed into s32) on zmm
// and ymm, the VNNI INT8 kernel's one instruction, and FP32 FMA on zmm.
// The loops are asm so the compiler neither hoists nor copies: only the
// measured instructions run, on 16 independent accumulators (zmm0-15) from
// two sources (zmm16, zmm17).
#include "benchmarks/peak_probe.h"

namespace octet::bench {

const double kFmaZmmOps = 16 * 32.0;        // 16 lanes x (mul + add)
const double kVpdpbusdZmmOps = 16 * 128.0;  // 64 MACs per vpdpbusd zmm
const double kVpdpbusdYmmOps = 16 * 64.0;   // 32 MACs per vpdpbusd ymm

#define OCTET_SIXTEEN(OP) \
  OP(0) OP(1) OP(2) OP(3) OP(4) OP(5) OP(6) OP(7) OP(8) OP(9) OP(10) OP(11) OP(12) OP(13) OP(14) OP(15)
#define OCTET_CLOBBER_ZMM                                                                                     \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", \
      "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "cc"
#define OCTET_ZERO(i) "vpxord %%zmm" #i ", %%zmm" #i ", %%zmm" #i "\n\t"
#define OCTET_FMA_Z(i) "vfmadd231ps %%zmm17, %%zmm16, %%zmm" #i "\n\t"
#define OCTET_DP_Z(i) "vpdpbusd %%zmm17, %%zmm16, %%zmm" #i "\n\t"
#define OCTET_DP_Y(i) "vpdpbusd %%ymm17, %%ymm16, %%ymm" #i "\n\t"

int64_t probe_fma_zmm(int64_t iters) {
  if (iters <= 0) return 0;
  __asm__ volatile(OCTET_SIXTEEN(OCTET_ZERO) OCTET_ZERO(16) OCTET_ZERO(17)
                   "1:\n\t" OCTET_SIXTEEN(OCTET_FMA_Z) "dec %[n]\n\tjnz 1b\n\tvzeroupper\n\t"
                   : [n] "+r"(iters)
                   :
                   : OCTET_CLOBBER_ZMM);
  return iters;
}

int64_t probe_vpdpbusd_zmm(int64_t iters) {
  if (iters <= 0) return 0;
  __asm__ volatile(OCTET_SIXTEEN(OCTET_ZERO) OCTET_ZERO(16) OCTET_ZERO(17)
                   "1:\n\t" OCTET_SIXTEEN(OCTET_DP_Z) "dec %[n]\n\tjnz 1b\n\tvzeroupper\n\t"
                   : [n] "+r"(iters)
                   :
                   : OCTET_CLOBBER_ZMM);
  return iters;
}

int64_t probe_vpdpbusd_ymm(int64_t iters) {
  if (iters <= 0) return 0;
  __asm__ volatile(OCTET_SIXTEEN(OCTET_ZERO) OCTET_ZERO(16) OCTET_ZERO(17)
                   "1:\n\t" OCTET_SIXTEEN(OCTET_DP_Y) "dec %[n]\n\tjnz 1b\n\tvzeroupper\n\t"
                   : [n] "+r"(iters)
                   :
                   : OCTET_CLOBBER_ZMM);
  return iters;
}

#undef OCTET_SIXTEEN
#undef OCTET_CLOBBER_ZMM
#undef OCTET_ZERO
#undef OCTET_FMA_Z
#undef OCTET_DP_Z
#undef OCTET_DP_Y

}  // namespace octet::bench
