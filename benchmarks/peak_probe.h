#pragma once
// Measured peak throughput of the instruction each kernel's inner loop is
// built on: independent chains of that instruction on registers, with no
// loads, so nothing but the execution ports limits them. A kernel's
// "% of peak" is its GOPS over the probe's (one MAC counts as 2 ops).
//
// Each probe runs `iters` iterations and returns a value derived from the
// accumulators so the loop is not dead code. The *_avx2 / *_avx512vnni /
// *_amx probes may run only where kernels::isa_supported() says so.
#include <cstdint>

namespace octet::bench {

struct PeakProbe {
  const char* name;        // the instruction and register width
  const char* level;       // the ISA level the probe stands for
  double ops_per_iter;     // arithmetic ops per iteration (MAC = 2 ops)
  int64_t (*run)(int64_t iters);
};

#if defined(__x86_64__) || defined(_M_X64)
// peak_probe_sse2.cpp: mulps + addps on xmm, the FP32 library path (no ISA flags).
int64_t probe_mulps_addps_xmm(int64_t iters);
extern const double kMulpsAddpsXmmOps;
// peak_probe_avx2.cpp
int64_t probe_fma_ymm(int64_t iters);
int64_t probe_vpmaddwd_ymm(int64_t iters);
int64_t probe_vpmaddubsw_ymm(int64_t iters);
extern const double kFmaYmmOps, kVpmaddwdYmmOps, kVpmaddubswYmmOps;
// peak_probe_avx512vnni.cpp
int64_t probe_fma_zmm(int64_t iters);
int64_t probe_vpdpbusd_zmm(int64_t iters);
int64_t probe_vpdpbusd_ymm(int64_t iters);
extern const double kFmaZmmOps, kVpdpbusdZmmOps, kVpdpbusdYmmOps;
// peak_probe_amx.cpp
int64_t probe_tdpbusd(int64_t iters);
extern const double kTdpbusdOps;
#endif

}  // namespace octet::bench
