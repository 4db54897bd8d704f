// u8 x s8 GEMM micro-kernels on AVX-512 VNNI. vpdpbusd multiplies 4 u8 of
// a by 4 s8 of b and adds the 4 products to an int32 lane with no
// intermediate saturation, so the sum is exact (modulo 2^32, like the ref).
//
// Tile: up to 8 rows x 2 zmm (32 columns), 16 accumulators. Per group of 4
// depths: 2 weight loads and 8 dword broadcasts of a feed 16 vpdpbusd, and
// 16 independent chains cover the vpdpbusd latency at two per cycle. 6 x 4
// and 8 x 3 (24 accumulators) have a better load ratio on paper but measured
// no faster than 8 x 2 (bench_kernels, M = 64). With one row (GEMV) 4 zmm
// columns each keep two sums over alternate groups so that 8 chains are in
// flight. No K blocking: blocks of 512-1024 depths with the sums carried in
// memory measured 1-5% slower than the full depth up to K = 4096.
// The indirect tile (convolutions, kernels/qconv.cpp) is the same 8 x 2
// tile with each row's depth read through kh * kw tap pointers.
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/qgemm_x86.h"
#include "kernels/x86/requantize_avx512.h"

namespace octet::kernels::x86 {

namespace {

constexpr int kPanel = kLayoutAvx512Vnni.panel;
constexpr int kGroupBytes = kLayoutAvx512Vnni.panel * kLayoutAvx512Vnni.kgroup;

__attribute__((always_inline)) inline __m512i broadcast_a4(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm512_set1_epi32(v);
}

// The last 1..3 depths of a row, zero-extended: reading 4 bytes could run
// past the end of a (the matching padded weights are zero). A masked load
// never touches the masked-off bytes, and unlike a memcpy of a variable
// size it is no call that would clobber the live accumulators.
__attribute__((always_inline)) inline __m512i broadcast_a_tail(const uint8_t* p, int64_t n) {
  __m128i v = _mm_maskz_loadu_epi8(static_cast<__mmask16>((1u << n) - 1), p);
  return _mm512_broadcastd_epi32(v);
}

// The columns' masks of a tile: panel j holds cols - j * 16 of them.
__attribute__((always_inline)) inline __mmask16 panel_mask(int j, int64_t cols) {
  const int64_t left = cols - j * kPanel;
  return left >= kPanel ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1);
}

// Panels outer, rows inner, so that each panel's epilogue operands are
// loaded once per tile.
__attribute__((noinline)) void store_rows(const int32_t* sums, int mr, int nv, int64_t sums_ld, int64_t col0,
                                          int64_t cols, const QGemmTileEpilogue& ep, void* c, int64_t ldc,
                                          size_t elem) {
  const int64_t row_bytes = ldc * static_cast<int64_t>(elem);
  for (int j = 0; j < nv; ++j) {
    const QStorePanel panel = qgemm_store_panel_avx512(ep, col0 + j * kPanel, panel_mask(j, cols));
    for (int r = 0; r < mr; ++r)
      qgemm_store_avx512(_mm512_load_si512(sums + r * sums_ld + j * kPanel), panel,
                         static_cast<uint8_t*>(c) + r * row_bytes);
  }
}

// acc[r][j] += 4 depths of row r (load_a(r), broadcast) times panel j's
// group at bg. One broadcast register at a time: 24 accumulators + 4
// weight vectors + 1 leave the 32 zmm registers without a spill.
template <int MR, int NV, class LoadA>
__attribute__((always_inline)) inline void group_step(__m512i (&acc)[MR][NV], LoadA load_a, const int8_t* bg,
                                                      int64_t panel_bytes) {
  __m512i bv[NV];
  _Pragma("GCC unroll 8") for (int j = 0; j < NV; ++j) bv[j] = _mm512_load_si512(bg + j * panel_bytes);
  _Pragma("GCC unroll 8") for (int r = 0; r < MR; ++r) {
    const __m512i av = load_a(r);
    _Pragma("GCC unroll 8") for (int j = 0; j < NV; ++j) acc[r][j] = _mm512_dpbusd_epi32(acc[r][j], av, bv[j]);
  }
}

// Every row of panel j starts at start[j] (the bias, or zero).
template <int MR, int NV>
__attribute__((always_inline)) inline void init_acc(__m512i (&acc)[MR][NV], const __m512i (&start)[NV]) {
  _Pragma("GCC unroll 8") for (int r = 0; r < MR; ++r)
    _Pragma("GCC unroll 8") for (int j = 0; j < NV; ++j) {
      acc[r][j] = start[j];
      // Opaque to the compiler, so each accumulator owns its register from
      // the start: with a shared start value, GCC copied all of them to
      // other registers every iteration (16 extra moves per 16 vpdpbusd,
      // which the front end pays for: 70% of peak against 85-90% without).
      __asm__("" : "+v"(acc[r][j]));
    }
}

template <int NV>
__attribute__((always_inline)) inline void panel_bias(const QGemmTileEpilogue& ep, int64_t col0, int64_t cols,
                                                      __m512i (&bias)[NV]) {
  _Pragma("GCC unroll 8") for (int j = 0; j < NV; ++j) bias[j] = qgemm_bias_avx512(ep, col0 + j * kPanel,
                                                                                    panel_mask(j, cols));
}

// Adds the KS partial sums and runs the epilogue. The sums leave the
// registers here, so the epilogue's temporaries never compete with the
// live accumulators of the depth loop.
template <int KS, int MR, int NV>
__attribute__((always_inline)) inline void finish(__m512i (&acc)[KS][MR][NV], int64_t col0, int64_t cols,
                                                  const QGemmTileEpilogue& ep, void* c, int64_t ldc, size_t elem) {
  if (KS == 1 && ep.finite_scale) {
    // The common 8-bit case straight from the registers: with a small depth
    // (mobilenet_v2's 1x1 convolutions, K = 16..160) the out-of-line call
    // and its setup cost as much as the requantization itself.
    uint8_t* c8 = static_cast<uint8_t*>(c);
    int j = 0;
    if (ep.bounded)
      _Pragma("GCC unroll 4") for (; j + 1 < NV; j += 2) {
        const QPairPanel pair = qgemm_pair_panel_avx512(ep, col0 + j * kPanel, cols - j * kPanel);
        _Pragma("GCC unroll 4") for (int r = 0; r + 1 < MR; r += 2)
          qgemm_store_pair_avx512(acc[0][r][j], acc[0][r][j + 1], acc[0][r + 1][j], acc[0][r + 1][j + 1], pair,
                                  c8 + r * ldc, c8 + (r + 1) * ldc);
        if (MR % 2)
          _Pragma("GCC unroll 2") for (int q = j; q < j + 2; ++q) qgemm_store_u8_avx512(
              acc[0][MR - 1][q], qgemm_store_panel_avx512(ep, col0 + q * kPanel, panel_mask(q, cols)),
              c8 + (MR - 1) * ldc);
      }
    _Pragma("GCC unroll 8") for (; j < NV; ++j) {
      const QStorePanel panel = qgemm_store_panel_avx512(ep, col0 + j * kPanel, panel_mask(j, cols));
      _Pragma("GCC unroll 8") for (int r = 0; r < MR; ++r) qgemm_store_u8_avx512(acc[0][r][j], panel, c8 + r * ldc);
    }
    return;
  }
  alignas(64) int32_t sums[MR][NV * kPanel];
  _Pragma("GCC unroll 16")
  for (int r = 0; r < MR; ++r)
    _Pragma("GCC unroll 16")
    for (int j = 0; j < NV; ++j) {
      __m512i t = acc[0][r][j];
      _Pragma("GCC unroll 16")
      for (int s = 1; s < KS; ++s) t = _mm512_add_epi32(t, acc[s][r][j]);
      _mm512_store_si512(&sums[r][j * kPanel], t);
    }
  store_rows(&sums[0][0], MR, NV, NV * kPanel, col0, cols, ep, c, ldc, elem);
}

template <int MR, int NV, int KS>
void tile(int64_t k, const uint8_t* a, int64_t lda, const int8_t* b, int64_t panel_bytes, int64_t col0,
          int64_t cols, const QGemmTileEpilogue& ep, void* c, int64_t ldc, size_t elem) {
  __m512i acc[KS][MR][NV], start[NV];
  panel_bias(ep, col0, cols, start);
  init_acc(acc[0], start);
  _Pragma("GCC unroll 8") for (int j = 0; j < NV; ++j) start[j] = _mm512_setzero_si512();
  _Pragma("GCC unroll 8") for (int s = 1; s < KS; ++s) init_acc(acc[s], start);
  const int64_t groups = k / 4;
  const int64_t main_groups = groups / KS * KS;
  for (int64_t g = 0; g < main_groups; g += KS) {
    _Pragma("GCC unroll 8") for (int s = 0; s < KS; ++s) {
      const uint8_t* ag = a + (g + s) * 4;
      group_step<MR, NV>(acc[s], [&](int r) { return broadcast_a4(ag + r * lda); }, b + (g + s) * kGroupBytes,
                         panel_bytes);
    }
  }
  if (KS > 1 && main_groups < groups) {  // at most KS - 1 = 1 group left
    const uint8_t* ag = a + main_groups * 4;
    group_step<MR, NV>(acc[0], [&](int r) { return broadcast_a4(ag + r * lda); }, b + main_groups * kGroupBytes,
                       panel_bytes);
  }
  if (const int64_t rest = k - groups * 4) {
    const uint8_t* ag = a + groups * 4;
    group_step<MR, NV>(acc[0], [&](int r) { return broadcast_a_tail(ag + r * lda, rest); },
                       b + groups * kGroupBytes, panel_bytes);
  }
  finish<KS, MR, NV>(acc, col0, cols, ep, c, ldc, elem);
}

// The indirect convolution tile: row r's depth runs over `taps` runs of cg
// bytes at rows[r * taps + t] + a_offset (cg % 4 == 0, so a group of 4
// depths never straddles two taps; the packed K order is [tap][cg]).
// CG > 0 fixes cg at compile time, for the short rows of the row-tap first
// convolutions (kernels/qconv.h): their whole tap unrolled ran resnet18's
// conv1 (7 taps of 24 bytes) 12% faster than the general loop, whose
// single-group remainder ran every tap.
template <int MR, int NV, int CG>
void indirect_tile(int64_t taps, int64_t cg_runtime, const uint8_t* const* rows, int64_t a_offset, const int8_t* b,
                   int64_t panel_bytes, int64_t col0, int64_t cols, const QGemmTileEpilogue& ep, void* c,
                   int64_t ldc, size_t elem, const int8_t* pf, const int8_t* pf_end) {
  const int64_t cg = CG > 0 ? CG : cg_runtime;
  __m512i acc[1][MR][NV], start[NV];
  panel_bias(ep, col0, cols, start);
  init_acc(acc[0], start);
  const int8_t* bg = b;
  for (int64_t t = 0; t < taps; ++t) {
    const uint8_t* a[MR];
    _Pragma("GCC unroll 8") for (int r = 0; r < MR; ++r) a[r] = rows[r * taps + t] + a_offset;
    if (CG > 0) {
      _Pragma("GCC unroll 16") for (int u = 0; u < CG / 4; ++u)
        group_step<MR, NV>(acc[0], [&](int r) { return broadcast_a4(a[r] + 4 * u); }, bg + u * kGroupBytes,
                           panel_bytes);
      bg += CG / 4 * kGroupBytes;
      continue;
    }
    // 4 groups per iteration: GCC bumps each of the MR row pointers once
    // per iteration, which one group alone pays for in front-end slots.
    int64_t q = 0;
    for (; q + 16 <= cg; q += 16, bg += 4 * kGroupBytes) {
      // Two lines of the caller's prefetch range per 4 groups: spread over
      // the tile, not a burst that would queue ahead of its own loads.
      if (pf < pf_end) {
        _mm_prefetch(reinterpret_cast<const char*>(pf), _MM_HINT_T1);
        _mm_prefetch(reinterpret_cast<const char*>(pf + 64), _MM_HINT_T1);
        pf += 128;
      }
      _Pragma("GCC unroll 4") for (int u = 0; u < 4; ++u)
        group_step<MR, NV>(acc[0], [&](int r) { return broadcast_a4(a[r] + q + 4 * u); }, bg + u * kGroupBytes,
                           panel_bytes);
    }
    for (; q < cg; q += 4, bg += kGroupBytes)
      group_step<MR, NV>(acc[0], [&](int r) { return broadcast_a4(a[r] + q); }, bg, panel_bytes);
  }
  finish<1, MR, NV>(acc, col0, cols, ep, c, ldc, elem);
}

using TileFn = void (*)(int64_t, const uint8_t*, int64_t, const int8_t*, int64_t, int64_t, int64_t,
                        const QGemmTileEpilogue&, void*, int64_t, size_t);

template <int MR> constexpr TileFn pick(int nv) {
  constexpr int KS = MR == 1 ? 2 : 1;
  switch (nv) {
    case 1: return tile<MR, 1, KS>;
    case 2: return tile<MR, 2, KS>;
    case 3: return tile<MR, 3, KS>;
    default: return tile<MR, 4, KS>;
  }
}

}  // namespace

void qgemm_u8s8_tile_avx512vnni(int mr, int nv, int64_t k, const uint8_t* a, int64_t lda, const int8_t* b,
                                int64_t panel_bytes, int64_t col0, int64_t cols, const QGemmTileEpilogue& ep,
                                void* c, int64_t ldc) {
  static_assert(kMrAvx512Vnni <= 8 && kNvAvx512Vnni <= 4 && kNvGemvAvx512Vnni <= 4, "update pick()");
  TileFn fn = nullptr;
  switch (mr) {
    case 1: fn = pick<1>(nv); break;
    case 2: fn = pick<2>(nv); break;
    case 3: fn = pick<3>(nv); break;
    case 4: fn = pick<4>(nv); break;
    case 5: fn = pick<5>(nv); break;
    case 6: fn = pick<6>(nv); break;
    case 7: fn = pick<7>(nv); break;
    default: fn = pick<8>(nv); break;
  }
  fn(k, a, lda, b, panel_bytes, col0, cols, ep, c, ldc, qgemm_elem_size(ep.type));
}

namespace {

using IndirectTileFn = void (*)(int64_t, int64_t, const uint8_t* const*, int64_t, const int8_t*, int64_t, int64_t,
                                int64_t, const QGemmTileEpilogue&, void*, int64_t, size_t, const int8_t*,
                                const int8_t*);

template <int MR, int CG> constexpr IndirectTileFn pick_indirect(int nv) {
  // Wide tiles only up to 6 rows: 8 x 4 accumulators would not fit the 32 zmm.
  constexpr bool wide = MR <= kMrIndirectWideAvx512Vnni;
  switch (nv) {
    case 1: return indirect_tile<MR, 1, CG>;
    case 2: return indirect_tile<MR, 2, CG>;
    case 3: return wide ? indirect_tile<wide ? MR : 1, 3, CG> : nullptr;
    default: return wide ? indirect_tile<wide ? MR : 1, 4, CG> : nullptr;
  }
}

// The row-tap depths of 3-channel images: 3x3 (3 * 3 -> 12) and 7x7 (7 * 3 -> 24).
template <int MR> constexpr IndirectTileFn pick_indirect(int nv, int64_t cg) {
  return cg == 12 ? pick_indirect<MR, 12>(nv) : cg == 24 ? pick_indirect<MR, 24>(nv) : pick_indirect<MR, 0>(nv);
}

}  // namespace

void qgemm_u8s8_indirect_tile_avx512vnni(int mr, int nv, int64_t taps, int64_t cg, const uint8_t* const* rows,
                                         int64_t a_offset, const int8_t* b, int64_t panel_bytes, int64_t col0,
                                         int64_t cols, const QGemmTileEpilogue& ep, void* c, int64_t ldc,
                                         const int8_t* prefetch, int64_t prefetch_bytes) {
  static_assert(kMrAvx512Vnni <= 8 && kNvAvx512Vnni <= 2 && kNvIndirectAvx512Vnni <= 4, "update pick_indirect()");
  IndirectTileFn fn = nullptr;
  switch (mr) {
    case 1: fn = pick_indirect<1>(nv, cg); break;
    case 2: fn = pick_indirect<2>(nv, cg); break;
    case 3: fn = pick_indirect<3>(nv, cg); break;
    case 4: fn = pick_indirect<4>(nv, cg); break;
    case 5: fn = pick_indirect<5>(nv, cg); break;
    case 6: fn = pick_indirect<6>(nv, cg); break;
    case 7: fn = pick_indirect<7>(nv, cg); break;
    default: fn = pick_indirect<8>(nv, cg); break;
  }
  fn(taps, cg, rows, a_offset, b, panel_bytes, col0, cols, ep, c, ldc, qgemm_elem_size(ep.type), prefetch,
     prefetch + prefetch_bytes);
}

}  // namespace octet::kernels::x86
