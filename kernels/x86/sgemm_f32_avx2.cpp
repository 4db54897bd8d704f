// FP32 GEMM micro-kernel on AVX2/FMA. Tile: 6 rows x 2 ymm (16 columns),
// 12 accumulators + 2 B vectors + 1 broadcast of the 16 ymm registers. Per
// depth: 2 loads of B and 6 broadcasts of A feed 12 vfmadd231ps, enough
// independent chains to cover the FMA latency on two pipes.
// As on AVX-512 (sgemm_f32_avx512vnni.cpp) the B panel comes packed and
// zero-padded by the driver; the C loads and stores of the panel's last
// vector use vmaskmovps (masked-off lanes are neither read nor written).
// The M tail uses a tile with fewer rows.
#include <immintrin.h>

#include <algorithm>

#include "kernels/x86/sgemm_f32_x86.h"

namespace octet::kernels::x86 {

namespace {

constexpr int kMr = kSgemmMrAvx2;
constexpr int kNr = kSgemmNrAvx2;
constexpr int kNv = kNr / 8;
constexpr int kPanel = kSgemmPanel;  // floats per packed B row

// Lanes [0, n) set, for vmaskmovps.
__m256i lane_mask(int n) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lanes);
}

using PackedA = SgemmPackedA<kMr>;
using RowsA = SgemmRowsA;

// B: kc rows of kPanel floats at b (32-byte aligned), this tile's columns
// first.
template <int MR, int NV, class A>
void tile(int64_t kc, A a, const float* b, __m256i tail, const float* bias, bool load_c, float* c, int64_t ldc) {
  __m256 acc[MR][NV];
  _Pragma("GCC unroll 16") for (int r = 0; r < MR; ++r) {
    _Pragma("GCC unroll 4") for (int j = 0; j < NV; ++j) {
      if (load_c)
        acc[r][j] = j == NV - 1 ? _mm256_maskload_ps(c + r * ldc + j * 8, tail) : _mm256_loadu_ps(c + r * ldc + j * 8);
      else
        acc[r][j] = bias ? _mm256_set1_ps(bias[r]) : _mm256_setzero_ps();
    }
  }
  for (int64_t k = 0; k < kc; ++k) {
    const float* bk = b + k * kPanel;
    __m256 bv[NV];
    _Pragma("GCC unroll 4") for (int j = 0; j < NV; ++j) bv[j] = _mm256_load_ps(bk + j * 8);
    _Pragma("GCC unroll 16") for (int r = 0; r < MR; ++r) {
      const __m256 av = _mm256_broadcast_ss(a.at(r, k));
      _Pragma("GCC unroll 4") for (int j = 0; j < NV; ++j) acc[r][j] = _mm256_fmadd_ps(av, bv[j], acc[r][j]);
    }
  }
  _Pragma("GCC unroll 16") for (int r = 0; r < MR; ++r) {
    _Pragma("GCC unroll 4") for (int j = 0; j < NV; ++j) {
      if (j == NV - 1)
        _mm256_maskstore_ps(c + r * ldc + j * 8, tail, acc[r][j]);
      else
        _mm256_storeu_ps(c + r * ldc + j * 8, acc[r][j]);
    }
  }
}

template <class A>
using TileFn = void (*)(int64_t, A, const float*, __m256i, const float*, bool, float*, int64_t);

template <class A, int MR>
constexpr TileFn<A> kRow[kNv] = {tile<MR, 1, A>, tile<MR, 2, A>};

// kTiles<A>[rows - 1][vectors - 1].
template <class A>
constexpr const TileFn<A>* kTiles[kMr] = {kRow<A, 1>, kRow<A, 2>, kRow<A, 3>,
                                          kRow<A, 4>, kRow<A, 5>, kRow<A, 6>};
static_assert(kNv == 2 && kMr == 6, "kTiles lists 6 x 2 tiles");

template <class A>
void run_slivers(const SgemmPanel& p, A a, const float* b, int nv, __m256i tail) {
  for (int64_t i = 0; i < p.m; i += kMr) {
    const int mr = static_cast<int>(std::min<int64_t>(kMr, p.m - i));
    a.p = p.a + (i / kMr) * p.sliver_stride;
    kTiles<A>[mr - 1][nv - 1](p.kc, a, b, tail, p.bias ? p.bias + i : nullptr, p.load_c, p.c + i * p.ldc, p.ldc);
  }
}

}  // namespace

void sgemm_panel_avx2(const SgemmPanel& p) {
  // Tiles of 16 columns outer: each one's B (kc x 16) stays in L1 while
  // every sliver passes it.
  for (int64_t j0 = 0; j0 < p.cols; j0 += kNr) {
    const int64_t cols = std::min<int64_t>(kNr, p.cols - j0);
    const int nv = static_cast<int>((cols + 7) / 8);
    const __m256i tail = lane_mask(static_cast<int>(cols - (nv - 1) * 8));
    SgemmPanel q = p;
    q.c = p.c + j0;
    if (p.depth_stride == 1)
      run_slivers(q, RowsA{p.a, p.row_stride}, p.b + j0, nv, tail);
    else
      run_slivers(q, PackedA{p.a}, p.b + j0, nv, tail);
  }
}

}  // namespace octet::kernels::x86
