#pragma once
// Per-ISA pieces of the INT8 GEMM behind kernels/qgemm.h: the packed weight
// layouts and the micro-kernels. kernels/qgemm.cpp packs, tiles and
// dispatches; these functions only compute over pointers and strides, and
// may be called only at a level that isa_supported() accepts.
//
// Packed weights (kernels/qgemm_tile.h) at each x86 level:
//
//   Avx512Vnni: panel 16, kgroup 4 -> one group is the 64-byte zmm that
//               vpdpbusd multiplies by 4 broadcast bytes of a.
//   Avx2:       panel 8, kgroup 2 -> one group is 16 bytes, sign-extended to
//               the 8 int16 pairs that vpmaddwd multiplies by 2 int16 of a.
//   Amx:        the Avx512Vnni layout with k padded up to 64 (kalign): 16
//               groups, 1 KB, are one 64 x 16 tile of b for tdpbusd. The
//               VNNI kernels run on it too, given its panel_bytes.
//   Avx2, 7-bit weights (PackedWeights::weights_7bit, every |w| <= 64):
//               panel 8, kgroup 4 -> one group is the 32-byte ymm that
//               vpmaddubsw multiplies by 4 broadcast bytes of a, the VNNI
//               arrangement at half the width (qgemm_u8s8_7bit_avx2.cpp
//               proves why no int16 pair sum saturates).
#include <algorithm>
#include <cstdint>

#include "kernels/qgemm.h"
#include "kernels/qgemm_tile.h"

namespace octet::kernels::x86 {

using kernels::qgemm_elem_size;
using kernels::qgemm_panel_bytes;
using kernels::qgemm_tile_epilogue;
using kernels::QGemmLayout;
using kernels::QGemmTileEpilogue;

constexpr QGemmLayout kLayoutAvx512Vnni{16, 4, 4};
constexpr QGemmLayout kLayoutAmx{16, 4, 64};
constexpr QGemmLayout kLayoutAvx2{8, 2, 2};
constexpr QGemmLayout kLayoutAvx2Weights7bit{8, 4, 4};

// The largest |w| for which the Avx2 7-bit kernel is exact.
constexpr int kMaxAbsWeight7bit = 64;

// Tile shape the driver walks with: up to `mr` rows of a by `nv` panels
// (the kernel files say why these).
// M = 1 uses `nv_gemv` panels (the GEMV kernel keeps two sums per column
// so that the vpdpbusd / vpmaddwd latency is hidden with one row).
constexpr int kMrAvx512Vnni = 8, kNvAvx512Vnni = 2, kNvGemvAvx512Vnni = 4;
// The indirect (convolution) tile runs up to 4 panels (64 columns) with up
// to 6 rows, 24 accumulators: half the broadcasts per vpdpbusd of 8 x 2.
// resnet18 INT8 ran 7.5% faster (conv1 0.67 -> 0.59 ms, layer1 0.60 ->
// 0.42-0.54 ms), though on the plain GEMM 6 x 4 measured no faster.
// With 1 or 2 panels the tile keeps 8 rows.
constexpr int kMrIndirectWideAvx512Vnni = 6, kNvIndirectAvx512Vnni = 4;
constexpr int kMrAvx2 = 4, kNvAvx2 = 2, kNvGemvAvx2 = 4;
constexpr int kMrAvx2Weights7bit = 4, kNvAvx2Weights7bit = 2, kNvGemvAvx2Weights7bit = 4;

// c[0..mr) x [col0, col0 + cols) for cols <= nv * 16: a at a + row * lda
// (u8, read in place, never past column k - 1), panels at
// b, b + panel_bytes, ..., c rows ldc elements apart.
void qgemm_u8s8_tile_avx512vnni(int mr, int nv, int64_t k, const uint8_t* a, int64_t lda, const int8_t* b,
                                int64_t panel_bytes, int64_t col0, int64_t cols, const QGemmTileEpilogue& ep,
                                void* c, int64_t ldc);

// The indirect form for convolutions (no im2col copy): row r of a is the
// concatenation of `taps` runs of cg bytes, run t at rows[r * taps + t] +
// a_offset (a_offset selects the group's channels; padding taps point at a
// row of the input zero point). cg % 4 == 0, k = taps * cg, nv <= kNvIndirectAvx512Vnni, and
// mr <= kMrIndirectWideAvx512Vnni when nv > kNvAvx512Vnni. While it runs the tile prefetches
// [prefetch, prefetch + prefetch_bytes) into L2 (the next tiles' weights; never read here).
void qgemm_u8s8_indirect_tile_avx512vnni(int mr, int nv, int64_t taps, int64_t cg, const uint8_t* const* rows,
                                         int64_t a_offset, const int8_t* b, int64_t panel_bytes, int64_t col0,
                                         int64_t cols, const QGemmTileEpilogue& ep, void* c, int64_t ldc,
                                         const int8_t* prefetch = nullptr, int64_t prefetch_bytes = 0);

// AMX (qgemm_u8s8_amx.cpp). Between amx_tiles_begin() and amx_tiles_end()
// (per thread: the tile configuration is thread state) qgemm_u8s8_amx
// computes c[0..m) x [0, n) from a packed by pack_a_rows_amx or
// pack_a_taps_amx: rows kp = k rounded up to 64 bytes apart (the bytes from
// k on may hold anything: they meet zero weights), and rows up to m rounded
// up to 16 readable. b: kLayoutAmx panels.
constexpr int kMrAmx = 32;  // rows per block: two 16-row tiles of a
// Whether an m x k product runs on the tiles (taps: a conv's, gathered
// through tap pointers); otherwise the VNNI kernels run it on the same
// packed weights.
bool amx_pays(int64_t m, int64_t k, bool taps);
// Rows of a packed per call of qgemm_u8s8_amx, for m rows of kp bytes: whole
// 32-row blocks that pass each weight panel pair many times and stay in L2.
int64_t amx_chunk_rows(int64_t m, int64_t kp);
// A per-thread buffer of at least `bytes` (+ 64 slack) for the packed a, so
// that concurrent calls never share one.
uint8_t* amx_a_buffer(int64_t bytes);
void amx_tiles_begin();
void amx_tiles_end();
void qgemm_u8s8_amx(int64_t m, int64_t kp, const uint8_t* a, const int8_t* b, int64_t panel_bytes, int64_t n,
                    const QGemmTileEpilogue& ep, void* c, int64_t ldc);
// Rows [0, rows) of a (k bytes each, lda apart) into dst, kp bytes apart.
void pack_a_rows_amx(int64_t rows, int64_t k, const uint8_t* a, int64_t lda, uint8_t* dst, int64_t kp);
// The indirect form: row r is taps runs of cg bytes (cg % 4 == 0), run t at
// ptrs[r * taps + t] + a_offset, as qgemm_u8s8_indirect_tile_avx512vnni reads them.
void pack_a_taps_amx(int64_t rows, int64_t taps, int64_t cg, const uint8_t* const* ptrs, int64_t a_offset,
                     uint8_t* dst, int64_t kp);

// The one AMX driver of the GEMM and the indirect conv: m rows of k depths
// in chunks, pack(i, rows, dst, kp) packing rows [i, i + rows) of a into
// dst, each chunk then passing every panel of b (kLayoutAmx, n columns)
// into c, rows c_row_bytes apart (ldc elements).
template <class Pack>
void qgemm_amx_chunks(int64_t m, int64_t k, Pack pack, const int8_t* b, int64_t n, const QGemmTileEpilogue& ep,
                      uint8_t* c, int64_t ldc) {
  const int64_t kp = (k + kLayoutAmx.kalign - 1) / kLayoutAmx.kalign * kLayoutAmx.kalign;
  const int64_t chunk = amx_chunk_rows(m, kp), c_row_bytes = ldc * static_cast<int64_t>(qgemm_elem_size(ep.type));
  uint8_t* a = amx_a_buffer(chunk * kp);
  amx_tiles_begin();
  for (int64_t i = 0; i < m; i += chunk) {
    const int64_t rows = std::min(chunk, m - i);
    pack(i, rows, a, kp);
    qgemm_u8s8_amx(rows, kp, a, b, qgemm_panel_bytes(kLayoutAmx, k), n, ep, c + i * c_row_bytes, ldc);
  }
  amx_tiles_end();
}

// AVX2 reads a prepacked as int16, each row padded to an even depth kp
// with a zero: pack_a_u8_to_s16_avx2 writes rows [0, mr) at a16 + row * kp.
void pack_a_u8_to_s16_avx2(int mr, int64_t k, const uint8_t* a, int64_t lda, int16_t* a16, int64_t kp);
void qgemm_u8s8_tile_avx2(int mr, int nv, int64_t kp, const int16_t* a16, const int8_t* b, int64_t panel_bytes,
                          int64_t col0, int64_t cols, const QGemmTileEpilogue& ep, void* c, int64_t ldc);

// The 7-bit-weight kernel reads a in place like the VNNI one, with b in
// the kLayoutAvx2Weights7bit layout; only for weights with |w| <= 64.
void qgemm_u8s8_7bit_tile_avx2(int mr, int nv, int64_t k, const uint8_t* a, int64_t lda, const int8_t* b,
                               int64_t panel_bytes, int64_t col0, int64_t cols, const QGemmTileEpilogue& ep,
                               void* c, int64_t ldc);

}  // namespace octet::kernels::x86
