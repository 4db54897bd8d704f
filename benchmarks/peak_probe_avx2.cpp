// AVX2 peaks: FP32 FMA on ymm (the Eigen AVX2/FMA baseline) and the exact
// AVX2 INT8 inner step, vpmaddwd (u8 widened to s16 times s16 weights,
// adjacent pairs summed to s32) followed by vpaddd into the accumulator;
// and, for comparison, the inexact-in-general vpmaddubsw sequence (u8 x s8
// pairs saturated to s16, vpmaddwd by ones, vpaddd) that 7-bit schemes use.
// The loops are asm so the compiler neither hoists the loop-invariant
// product nor adds register copies: only the measured instructions run.
#include "benchmarks/peak_probe.h"

namespace octet::bench {

// 16 ymm registers without AVX-512: 12 independent chains (latency x
// throughput is 8 for FMA on current cores), two sources, two temporaries.
const double kFmaYmmOps = 12 * 16.0;       // 8 lanes x (mul + add)
const double kVpmaddwdYmmOps = 12 * 32.0;  // 16 MACs per vpmaddwd
const double kVpmaddubswYmmOps = 12 * 64.0;  // 32 MACs per vpmaddubsw

#define OCTET_TWELVE(OP) OP(0) OP(1) OP(2) OP(3) OP(4) OP(5) OP(6) OP(7) OP(8) OP(9) OP(10) OP(11)
#define OCTET_CLOBBER_YMM                                                                                     \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", \
      "xmm13", "xmm14", "xmm15", "cc"
#define OCTET_ZERO(i) "vpxor %%xmm" #i ", %%xmm" #i ", %%xmm" #i "\n\t"
#define OCTET_FMA(i) "vfmadd231ps %%ymm13, %%ymm12, %%ymm" #i "\n\t"
#define OCTET_MADDWD(i) "vpmaddwd %%ymm13, %%ymm12, %%ymm14\n\tvpaddd %%ymm14, %%ymm" #i ", %%ymm" #i "\n\t"
// u8 x s8 pairs to s16 (saturating), pairs of s16 to s32 against ones, add.
#define OCTET_MADDUBSW(i)                                                                     \
  "vpmaddubsw %%ymm13, %%ymm12, %%ymm15\n\tvpmaddwd %%ymm14, %%ymm15, %%ymm15\n\tvpaddd %%ymm15, %%ymm" #i \
  ", %%ymm" #i "\n\t"

int64_t probe_fma_ymm(int64_t iters) {
  if (iters <= 0) return 0;
  __asm__ volatile(OCTET_TWELVE(OCTET_ZERO) OCTET_ZERO(12) OCTET_ZERO(13)
                   "1:\n\t" OCTET_TWELVE(OCTET_FMA) "dec %[n]\n\tjnz 1b\n\tvzeroupper\n\t"
                   : [n] "+r"(iters)
                   :
                   : OCTET_CLOBBER_YMM);
  return iters;
}

int64_t probe_vpmaddwd_ymm(int64_t iters) {
  if (iters <= 0) return 0;
  __asm__ volatile(OCTET_TWELVE(OCTET_ZERO) OCTET_ZERO(12) OCTET_ZERO(13)
                   "1:\n\t" OCTET_TWELVE(OCTET_MADDWD) "dec %[n]\n\tjnz 1b\n\tvzeroupper\n\t"
                   : [n] "+r"(iters)
                   :
                   : OCTET_CLOBBER_YMM);
  return iters;
}

int64_t probe_vpmaddubsw_ymm(int64_t iters) {
  if (iters <= 0) return 0;
  __asm__ volatile(OCTET_TWELVE(OCTET_ZERO) OCTET_ZERO(12) OCTET_ZERO(13) OCTET_ZERO(14)
                   "1:\n\t" OCTET_TWELVE(OCTET_MADDUBSW) "dec %[n]\n\tjnz 1b\n\tvzeroupper\n\t"
                   : [n] "+r"(iters)
                   :
                   : OCTET_CLOBBER_YMM);
  return iters;
}

#undef OCTET_TWELVE
#undef OCTET_CLOBBER_YMM
#undef OCTET_ZERO
#undef OCTET_FMA
#undef OCTET_MADDWD
#undef OCTET_MADDUBSW

}  // namespace octet::bench
