// AMX-INT8 peak: tdpbusd (a 16 x 64 u8 tile times a 64 x 16 s8 tile into
// 16 x 16 s32 sums, 16384 MACs) on 4 independent sum tiles from two
// source tiles, the block the AMX GEMM runs (kernels/x86/qgemm_u8s8_amx.cpp)
// without its tile loads. The tiles are configured and zeroed here and
// released at the end.
#include <immintrin.h>

#include <cstring>

#include "benchmarks/peak_probe.h"
#include "kernels/x86/qgemm_x86.h"

namespace octet::bench {

const double kTdpbusdOps = 4 * 16384 * 2.0;  // 4 tdpbusd per iteration

int64_t probe_tdpbusd(int64_t iters) {
  if (iters <= 0) return 0;
  kernels::x86::amx_tiles_begin();
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  _tile_zero(4);
  _tile_zero(5);
  for (int64_t i = 0; i < iters; ++i) {
    _tile_dpbusd(0, 4, 5);
    _tile_dpbusd(1, 4, 5);
    _tile_dpbusd(2, 4, 5);
    _tile_dpbusd(3, 4, 5);
  }
  alignas(64) int32_t sums[16 * 16];
  _tile_stored(0, sums, 64);
  kernels::x86::amx_tiles_end();
  int64_t out;
  std::memcpy(&out, sums, sizeof out);
  return out + iters;
}

}  // namespace octet::bench
