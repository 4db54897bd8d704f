// The FP32 library path is built with no ISA flags, i.e. SSE2 on x86-64:
// separate mulps and addps, 4 lanes each. The loops are written in asm so
// the compiler neither hoists the loop-invariant product nor adds copies.
#if defined(__x86_64__) || defined(_M_X64)
#include "benchmarks/peak_probe.h"

namespace octet::bench {

// 12 chains: addps latency x throughput, with room to spare.
const double kMulpsAddpsXmmOps = 12 * 8.0;

#define OCTET_MULADD(i) "movaps %%xmm12, %%xmm14\n\tmulps %%xmm13, %%xmm14\n\taddps %%xmm14, %%xmm" #i "\n\t"

int64_t probe_mulps_addps_xmm(int64_t iters) {
  if (iters <= 0) return 0;
  __asm__ volatile(
      "xorps %%xmm12, %%xmm12\n\txorps %%xmm13, %%xmm13\n\t"
      "1:\n\t" OCTET_MULADD(0) OCTET_MULADD(1) OCTET_MULADD(2) OCTET_MULADD(3) OCTET_MULADD(4)
          OCTET_MULADD(5) OCTET_MULADD(6) OCTET_MULADD(7) OCTET_MULADD(8) OCTET_MULADD(9) OCTET_MULADD(10)
              OCTET_MULADD(11) "dec %[n]\n\tjnz 1b\n\t"
      : [n] "+r"(iters)
      :
      : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
        "xmm13", "xmm14", "cc");
  return iters;
}

#undef OCTET_MULADD

}  // namespace octet::bench
#endif
