// FP32 GEMM micro-kernel on AVX-512 (F only; the file name sets the flags
// of the AVX-512 level). Tile: 8 rows x 3 zmm (48 columns), 24
// accumulators. Per depth: 3 loads of B and 8 broadcasts of A feed 24
// vfmadd231ps, so the loads stay well under the FMA rate and 24
// independent chains cover the FMA latency (4 cycles x 2 pipes).
// The B panel comes packed by the driver (contiguous, zero-padded to 48
// columns), so the tiles load whole aligned vectors; only the C loads and
// stores of the panel's last vector are masked. The M tail uses a tile
// with fewer rows.
#include <immintrin.h>

#include <algorithm>

#include "kernels/x86/sgemm_f32_x86.h"

namespace octet::kernels::x86 {

namespace {

constexpr int kMr = kSgemmMrAvx512;
constexpr int kNr = kSgemmNrAvx512;
constexpr int kNv = kNr / 16;
static_assert(kNr == kSgemmPanel, "one tile spans the packed B panel");

// A read from packed slivers ([k][Mr]) or in place (rows lda apart).
struct PackedA {
  const float* p;
  const float* at(int r, int64_t k) const { return p + k * kMr + r; }
};
struct RowsA {
  const float* p;
  int64_t lda;
  const float* at(int r, int64_t k) const { return p + r * lda + k; }
};

// B panel: kc rows of kNr floats at b (64-byte aligned).
template <int MR, int NV, class A>
void tile(int64_t kc, A a, const float* b, __mmask16 tail, const float* bias, bool load_c, float* c, int64_t ldc) {
  __m512 acc[MR][NV];
  _Pragma("GCC unroll 16") for (int r = 0; r < MR; ++r) {
    _Pragma("GCC unroll 4") for (int j = 0; j < NV; ++j) {
      const __mmask16 mask = j == NV - 1 ? tail : __mmask16(0xFFFF);
      if (load_c)
        acc[r][j] = _mm512_maskz_loadu_ps(mask, c + r * ldc + j * 16);
      else
        acc[r][j] = bias ? _mm512_set1_ps(bias[r]) : _mm512_setzero_ps();
    }
  }
  for (int64_t k = 0; k < kc; ++k) {
    const float* bk = b + k * kNr;
    __m512 bv[NV];
    _Pragma("GCC unroll 4") for (int j = 0; j < NV; ++j) bv[j] = _mm512_load_ps(bk + j * 16);
    _Pragma("GCC unroll 16") for (int r = 0; r < MR; ++r) {
      const __m512 av = _mm512_set1_ps(*a.at(r, k));
      _Pragma("GCC unroll 4") for (int j = 0; j < NV; ++j) acc[r][j] = _mm512_fmadd_ps(av, bv[j], acc[r][j]);
    }
  }
  _Pragma("GCC unroll 16") for (int r = 0; r < MR; ++r) {
    _Pragma("GCC unroll 4") for (int j = 0; j < NV; ++j) {
      if (j == NV - 1)
        _mm512_mask_storeu_ps(c + r * ldc + j * 16, tail, acc[r][j]);
      else
        _mm512_storeu_ps(c + r * ldc + j * 16, acc[r][j]);
    }
  }
}

template <class A>
using TileFn = void (*)(int64_t, A, const float*, __mmask16, const float*, bool, float*, int64_t);

template <class A, int MR>
constexpr TileFn<A> kRow[kNv] = {tile<MR, 1, A>, tile<MR, 2, A>, tile<MR, 3, A>};

// kTiles<A>[rows - 1][vectors - 1].
template <class A>
constexpr const TileFn<A>* kTiles[kMr] = {kRow<A, 1>, kRow<A, 2>, kRow<A, 3>, kRow<A, 4>,
                                          kRow<A, 5>, kRow<A, 6>, kRow<A, 7>, kRow<A, 8>};
static_assert(kNv == 3 && kMr == 8, "kTiles lists 8 x 3 tiles");

template <class A>
void run_slivers(const SgemmPanel& p, A a, const float* b, int nv, __mmask16 tail) {
  for (int64_t i = 0; i < p.m; i += kMr) {
    const int mr = static_cast<int>(std::min<int64_t>(kMr, p.m - i));
    a.p = p.a + (i / kMr) * p.sliver_stride;
    kTiles<A>[mr - 1][nv - 1](p.kc, a, b, tail, p.bias ? p.bias + i : nullptr, p.load_c, p.c + i * p.ldc, p.ldc);
  }
}

}  // namespace

void sgemm_panel_avx512(const SgemmPanel& p) {
  const int nv = static_cast<int>((p.cols + 15) / 16);
  const int last = static_cast<int>(p.cols - (nv - 1) * 16);
  const __mmask16 tail = static_cast<__mmask16>((1u << last) - 1);
  if (p.depth_stride == 1)
    run_slivers(p, RowsA{p.a, p.row_stride}, p.b, nv, tail);
  else
    run_slivers(p, PackedA{p.a}, p.b, nv, tail);
}

}  // namespace octet::kernels::x86
