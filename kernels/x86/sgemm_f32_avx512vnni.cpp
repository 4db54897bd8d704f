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

using PackedA = SgemmPackedA<kMr>;
using RowsA = SgemmRowsA;

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

// ---- The column tail ----
// A panel of few columns (resnet18's last layers have 49 = 48 + 1 pixels)
// would run a whole 16-lane tile per row for a few useful lanes. With A
// packed, the tail vectorizes over M instead: a zmm holds 16 rows (two
// slivers' [Mr] at one depth), times a broadcast B element of column j, so
// that each C element is still its k-ordered fma chain (the contract).
// RB row blocks of 16 run together so that RB x NC independent chains cover
// the FMA latency.

// Panels with fewer columns take the tail. Measured on a 512 x 4608 A
// (resnet18's layer4) after a full panel: 1 column 170 us against 540 for
// the 16-lane tiles, 4: 245 against 540, 11: ~500 against ~565, 12 even,
// 13-15 slower (the tail's loads of A and of B broadcasts per FMA grow
// with the columns, the tiles' cost does not).
constexpr int kTailMaxCols = 12;
static_assert(kMr == 8, "a tail block is two slivers");

constexpr int tail_row_blocks(int nc) { return std::max(1, std::min(8, 24 / nc)); }

// The 16 rows of sliver pair (lo, hi) at depth k.
inline __m512 load_rows16(const float* lo, const float* hi, int64_t k) {
  const __m256 a = _mm256_loadu_ps(lo + k * kMr), b = _mm256_loadu_ps(hi + k * kMr);
  return _mm512_castpd_ps(
      _mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(a)), _mm256_castps_pd(b), 1));
}

// C rows [i, i + rows) (rows <= RB * 16, i a multiple of 16), columns
// [0, NC) of the panel. Rows past `rows` are computed from a repeated
// sliver (never read past A) and not stored.
template <int RB, int NC>
void tail_tile(const SgemmPanel& p, int64_t i, int rows) {
  const float* lo[RB];
  const float* hi[RB];
  int valid[RB];
  for (int rb = 0; rb < RB; ++rb) {
    lo[rb] = p.a + (i / kMr + 2 * rb) * p.sliver_stride;
    hi[rb] = rb * 16 + kMr < rows ? lo[rb] + p.sliver_stride : lo[rb];
    valid[rb] = std::clamp(rows - rb * 16, 0, 16);
  }
  alignas(64) float t[16];
  __m512 acc[RB][NC];
  _Pragma("GCC unroll 8") for (int rb = 0; rb < RB; ++rb) {
    float* c = p.c + (i + rb * 16) * p.ldc;
    const __mmask16 mask = static_cast<__mmask16>((1u << valid[rb]) - 1);
    const __m512 init = p.bias ? _mm512_maskz_loadu_ps(mask, p.bias + i + rb * 16) : _mm512_setzero_ps();
    _Pragma("GCC unroll 16") for (int j = 0; j < NC; ++j) {
      acc[rb][j] = init;
      if (!p.load_c) continue;
      for (int r = 0; r < 16; ++r) t[r] = r < valid[rb] ? c[r * p.ldc + j] : 0.f;
      acc[rb][j] = _mm512_load_ps(t);
    }
  }
  for (int64_t k = 0; k < p.kc; ++k) {
    const float* bk = p.b + k * kSgemmPanel;
    _Pragma("GCC unroll 8") for (int rb = 0; rb < RB; ++rb) {
      const __m512 a = load_rows16(lo[rb], hi[rb], k);
      _Pragma("GCC unroll 16") for (int j = 0; j < NC; ++j)
        acc[rb][j] = _mm512_fmadd_ps(a, _mm512_set1_ps(bk[j]), acc[rb][j]);
    }
  }
  for (int rb = 0; rb < RB; ++rb) {
    float* c = p.c + (i + rb * 16) * p.ldc;
    for (int j = 0; j < NC; ++j) {
      _mm512_store_ps(t, acc[rb][j]);
      for (int r = 0; r < valid[rb]; ++r) c[r * p.ldc + j] = t[r];
    }
  }
}

// Groups of tail_row_blocks(NC) blocks, then the rest block by block.
template <int NC>
void tail_panel(const SgemmPanel& p) {
  constexpr int kRows = tail_row_blocks(NC) * 16;
  int64_t i = 0;
  for (; i + kRows <= p.m; i += kRows) tail_tile<tail_row_blocks(NC), NC>(p, i, kRows);
  for (; i < p.m; i += 16) tail_tile<1, NC>(p, i, static_cast<int>(std::min<int64_t>(16, p.m - i)));
}

// kTailPanels[cols - 1].
constexpr void (*kTailPanels[])(const SgemmPanel&) = {
    tail_panel<1>, tail_panel<2>, tail_panel<3>, tail_panel<4>,  tail_panel<5>, tail_panel<6>,
    tail_panel<7>, tail_panel<8>, tail_panel<9>, tail_panel<10>, tail_panel<11>};
static_assert(sizeof(kTailPanels) / sizeof(kTailPanels[0]) >= kTailMaxCols - 1, "a tail kernel per width");

}  // namespace

void sgemm_panel_avx512(const SgemmPanel& p) {
  if (p.depth_stride == kMr && p.row_stride == 1 && p.cols < kTailMaxCols)
    return kTailPanels[p.cols - 1](p);
  const int nv = static_cast<int>((p.cols + 15) / 16);
  const int last = static_cast<int>(p.cols - (nv - 1) * 16);
  const __mmask16 tail = static_cast<__mmask16>((1u << last) - 1);
  if (p.depth_stride == 1)
    run_slivers(p, RowsA{p.a, p.row_stride}, p.b, nv, tail);
  else
    run_slivers(p, PackedA{p.a}, p.b, nv, tail);
}

}  // namespace octet::kernels::x86
