// u8 x s8 GEMM on the AMX-INT8 tile unit. tdpbusd multiplies a 16 x 64 u8
// tile of a by a 64 x 16 s8 tile of b (stored as 16 rows of 16 columns x 4
// depths: exactly one 1 KB stretch of a kLayoutAvx512Vnni panel) and adds
// into 16 x 16 int32 sums, exactly, as vpdpbusd does lane by lane: the same
// bits as the reference, 16384 multiply-adds per instruction.
//
// Block: 32 rows x 32 columns, four sum tiles fed by two tiles of a and two
// of b, the largest square the 8 tile registers hold. a comes packed (rows
// of kp bytes; the depths past k meet zero weights): tile loads want a
// fixed row stride and whole 64-byte depth chunks, which neither a strided
// image nor a conv's tap pointers give. Sums leave through memory
// (tilestored) into the AVX-512 epilogue of the VNNI kernels, so every
// output type gives their bits.
#include <immintrin.h>

#include <algorithm>

#include "kernels/aligned_buffer.h"
#include "kernels/x86/qgemm_x86.h"
#include "kernels/x86/requantize_avx512.h"

namespace octet::kernels::x86 {

namespace {

constexpr int kPanel = kLayoutAmx.panel;
constexpr int kChunk = kLayoutAmx.kalign;  // depth bytes per tile row of a
constexpr int kTileRows = 16;
constexpr int64_t kTileBytes = kTileRows * kChunk;
constexpr int64_t kL2WeightBytes = 256 * 1024;

// ldtilecfg's 64-byte operand: palette 1, tiles 0-7 all 16 rows of 64 bytes.
struct alignas(64) TileConfig {
  uint8_t palette = 1, start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {};
  uint8_t rows[16] = {};
};

__mmask16 lanes(int64_t n) {
  return n >= 16 ? __mmask16(0xFFFF) : n <= 0 ? __mmask16(0) : static_cast<__mmask16>((1u << n) - 1);
}

// One row's 32 sums (two panels) of a block, bias added.
struct RowSums {
  __m512i s0, s1;
};

// Rows [0, rows) of the block's tilestored sums (32 int32 per row, the
// second panel's written only where cols > 16) through the VNNI kernels'
// stores: pairs of rows with saturating packs when ep.bounded (and 8-bit),
// else one row and panel at a time.
void store_block(const int32_t* sums, int64_t rows, int64_t col, int64_t cols, const QGemmTileEpilogue& ep,
                 uint8_t* c, int64_t row_bytes) {
  const __mmask16 m0 = lanes(cols), m1 = lanes(cols - kPanel);
  const __m512i b0 = qgemm_bias_avx512(ep, col, m0), b1 = qgemm_bias_avx512(ep, col + kPanel, m1);
  const bool two = cols > kPanel;
  auto row = [&](int64_t r) {
    const int32_t* s = sums + r * 2 * kPanel;
    return RowSums{_mm512_add_epi32(_mm512_load_si512(s), b0),
                   two ? _mm512_add_epi32(_mm512_load_si512(s + kPanel), b1) : _mm512_setzero_si512()};
  };
  int64_t r = 0;
  const bool eight_bit = ep.type == QGemmOutput::U8 || ep.type == QGemmOutput::S8;
  if (eight_bit && ep.bounded) {
    const QPairPanel pair = qgemm_pair_panel_avx512(ep, col, cols);
    for (; r + 1 < rows; r += 2) {
      const RowSums a = row(r), b = row(r + 1);
      qgemm_store_pair_avx512(a.s0, a.s1, b.s0, b.s1, pair, c + r * row_bytes, c + (r + 1) * row_bytes);
    }
  }
  if (r == rows) return;
  const QStorePanel p0 = qgemm_store_panel_avx512(ep, col, m0);
  const QStorePanel p1 = qgemm_store_panel_avx512(ep, col + kPanel, m1);
  for (; r < rows; ++r) {
    const RowSums s = row(r);
    qgemm_store_avx512(s.s0, p0, c + r * row_bytes);
    if (two) qgemm_store_avx512(s.s1, p1, c + r * row_bytes);
  }
}

// The sums of rows [0, mr <= 32) x panels p, p + 1 (`two`) over kp depths into
// sums[32][32]. Tiles: 0-3 sums (a0 b0, a0 b1, a1 b0, a1 b1), 4-5 a, 6-7 b.
void block_sums(int64_t mr, bool two, int64_t kp, const uint8_t* a, const int8_t* b, int64_t panel_bytes,
                int32_t* sums) {
  const bool rows2 = mr > kTileRows;
  const uint8_t* a1 = a + kTileRows * kp;
  const int8_t* b1 = b + panel_bytes;
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  for (int64_t k = 0; k < kp; k += kChunk) {
    const int64_t bk = k / kChunk * kTileBytes;
    _tile_loadd(4, a + k, kp);
    _tile_loadd(6, b + bk, kChunk);
    _tile_dpbusd(0, 4, 6);
    if (two) {
      _tile_loadd(7, b1 + bk, kChunk);
      _tile_dpbusd(1, 4, 7);
    }
    if (rows2) {
      _tile_loadd(5, a1 + k, kp);
      _tile_dpbusd(2, 5, 6);
      if (two) _tile_dpbusd(3, 5, 7);
    }
  }
  constexpr int64_t ld = 2 * kPanel * sizeof(int32_t);
  _tile_stored(0, sums, ld);
  if (two) _tile_stored(1, sums + kPanel, ld);
  if (rows2) {
    _tile_stored(2, sums + kTileRows * 2 * kPanel, ld);
    if (two) _tile_stored(3, sums + kTileRows * 2 * kPanel + kPanel, ld);
  }
}

// dst[0, n) = src[0, n) in 64-byte masked steps: no byte past n is read or written.
void copy_run(const uint8_t* src, int64_t n, uint8_t* dst) {
  for (int64_t q = 0; q < n; q += 64) {
    const __mmask64 m = n - q >= 64 ? ~__mmask64(0) : (__mmask64(1) << (n - q)) - 1;
    _mm512_mask_storeu_epi8(dst + q, m, _mm512_maskz_loadu_epi8(m, src + q));
  }
}

}  // namespace

bool amx_pays(int64_t m, int64_t k, bool taps) {
  // Measured per node on mobilenet_v2 and resnet18 (octet bench --profile,
  // alternating against the VNNI kernels): every GEMM of 16+ rows gains,
  // K = 16 included (its 1x1 expand, 0.278 -> 0.251 ms), and so do convs
  // whose taps fill a 64-byte tile row; mobilenet_v2's first conv (3 row
  // taps of 12 bytes) lost 0.21 -> 0.28 ms to gathering its taps.
  return m >= 16 && (!taps || k >= kChunk);
}

int64_t amx_chunk_rows(int64_t m, int64_t kp) {
  // resnet18's layer4 (49 rows of 4608 depths) in one chunk: two chunks of
  // 32 rows streamed its 2.4 MB of weights twice (0.21 -> 0.17 ms per conv).
  constexpr int64_t kChunkBytes = 1024 * 1024;
  const int64_t blocks = std::max<int64_t>(1, kChunkBytes / (kp * kMrAmx));
  return std::min(blocks, (m + kMrAmx - 1) / kMrAmx) * kMrAmx;
}

uint8_t* amx_a_buffer(int64_t bytes) {
  thread_local AlignedBuffer buf;
  if (static_cast<int64_t>(buf.size()) < bytes) buf = AlignedBuffer(static_cast<size_t>(bytes));
  return buf.data();
}

void amx_tiles_begin() {
  // A static object: GCC 12's _tile_loadconfig does not tell the compiler
  // that it reads its operand, so the fields of a local were dropped as dead
  // stores (the tiles then stayed unconfigured and faulted).
  static const TileConfig cfg = [] {
    TileConfig t;
    for (int i = 0; i < 8; ++i) {
      t.rows[i] = kTileRows;
      t.colsb[i] = kChunk;
    }
    return t;
  }();
  _tile_loadconfig(&cfg);
}

void amx_tiles_end() { _tile_release(); }

void qgemm_u8s8_amx(int64_t m, int64_t kp, const uint8_t* a, const int8_t* b, int64_t panel_bytes, int64_t n,
                    const QGemmTileEpilogue& ep, void* c, int64_t ldc) {
  alignas(64) int32_t sums[kMrAmx * 2 * kPanel];
  const int64_t row_bytes = ldc * static_cast<int64_t>(qgemm_elem_size(ep.type));
  const int64_t panels = (n + kPanel - 1) / kPanel;
  auto block = [&](int64_t i, int64_t p) {
    const int64_t col = p * kPanel, cols = std::min<int64_t>(n - col, 2 * kPanel);
    const int64_t mr = std::min<int64_t>(kMrAmx, m - i);
    block_sums(mr, p + 1 < panels, kp, a + i * kp, b + p * panel_bytes, panel_bytes, sums);
    store_block(sums, mr, col, cols, ep, static_cast<uint8_t*>(c) + i * row_bytes, row_bytes);
  };
  // Weights that fit in L2 run under each row block in turn, so the block's
  // rows of a come from L2 once and from L1 for every other panel pair
  // (resnet18's conv1: K = 192, 64 columns). Larger ones run panel pairs
  // outer: each pair (kp x 32) stays in L1 while every row block of a (in L2)
  // passes it, and all weights stream once per call.
  if (panels * panel_bytes <= kL2WeightBytes) {
    for (int64_t i = 0; i < m; i += kMrAmx)
      for (int64_t p = 0; p < panels; p += 2) block(i, p);
    return;
  }
  for (int64_t p = 0; p < panels; p += 2)
    for (int64_t i = 0; i < m; i += kMrAmx) block(i, p);
}

// Both packers leave depths [k, kp) of each row as the buffer held them:
// they meet the weights' zero padding, so any byte there adds nothing.
void pack_a_rows_amx(int64_t rows, int64_t k, const uint8_t* a, int64_t lda, uint8_t* dst, int64_t kp) {
  for (int64_t r = 0; r < rows; ++r) copy_run(a + r * lda, k, dst + r * kp);
}

void pack_a_taps_amx(int64_t rows, int64_t taps, int64_t cg, const uint8_t* const* ptrs, int64_t a_offset,
                     uint8_t* dst, int64_t kp) {
  for (int64_t r = 0; r < rows; ++r, ptrs += taps)
    for (int64_t t = 0; t < taps; ++t) copy_run(ptrs[t] + a_offset, cg, dst + r * kp + t * cg);
}

}  // namespace octet::kernels::x86
