// u8 x s8 GEMM micro-kernels on AVX2, exact over the whole value range.
//
// Why not vpmaddubsw: it adds two u8 x s8 products into a saturating int16,
// and 255 * -128 * 2 = -65280 does not fit (the trap oneDNN, ONNX Runtime
// and fbgemm work around by narrowing weights or activations to 7 bits,
// which costs accuracy). Splitting the weights into nibbles to keep it
// exact takes two vpmaddubsw plus int16 accumulation and widening, about
// 4.75 uops per 32 products. When every weight has |w| <= 64 the pair sum
// cannot saturate, and prepack picks the vpmaddubsw kernel instead
// (qgemm_u8s8_7bit_avx2.cpp); this file serves all other weights.
//
// What runs instead: a is widened once per row block to int16
// (vpmovzxbw, 0..255), the weights are sign-extended to int16 when loaded
// (vpmovsxbw from the 16-byte group), and vpmaddwd multiplies 8 pairs of
// int16 and adds each pair into an int32 lane: |255 * -128 * 2| = 65280 is
// far from int32's range, so every step is exact; vpaddd accumulates
// (modulo 2^32 like the ref). That is 4 uops per 32 products (2 vpmaddwd,
// 2 vpaddd), the fewest of the exact schemes without VNNI.
//
// Tile: up to 4 rows x 2 ymm (16 columns): 8 accumulators + 2 weight
// vectors + 1 broadcast of the 16 ymm registers; 6 rows (12 accumulators)
// made GCC spill and ran at half the speed. With one row (GEMV) 4 ymm
// columns each keep two sums over alternate pairs of depths.
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/qgemm_x86.h"
#include "kernels/x86/requantize_avx2.h"

namespace octet::kernels::x86 {

namespace {

constexpr int kPanel = kLayoutAvx2.panel;
static_assert(kPanel == 8, "qgemm_store_rows_avx2 stores panels of one ymm");
constexpr int kGroupBytes = kLayoutAvx2.panel * kLayoutAvx2.kgroup;

inline __m256i broadcast_pair(const int16_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

inline __m256i load_weights(const int8_t* p) {
  return _mm256_cvtepi8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(p)));
}

template <int MR, int NV, int KS>
void tile(int64_t kp, const int16_t* a16, const int8_t* b, int64_t panel_bytes, int64_t col0, int64_t cols,
          const QGemmTileEpilogue& ep, void* c, int64_t ldc, size_t elem) {
  __m256i acc[KS][MR][NV];
  for (int s = 0; s < KS; ++s)
    for (int r = 0; r < MR; ++r)
      for (int j = 0; j < NV; ++j) acc[s][r][j] = _mm256_setzero_si256();
  const int64_t groups = kp / 2;
  int64_t g = 0;
  for (; g + KS <= groups; g += KS) {
    for (int s = 0; s < KS; ++s) {
      __m256i bv[NV];
      for (int j = 0; j < NV; ++j) bv[j] = load_weights(b + j * panel_bytes + (g + s) * kGroupBytes);
      for (int r = 0; r < MR; ++r) {
        __m256i av = broadcast_pair(a16 + r * kp + (g + s) * 2);
        for (int j = 0; j < NV; ++j)
          acc[s][r][j] = _mm256_add_epi32(acc[s][r][j], _mm256_madd_epi16(av, bv[j]));
      }
    }
  }
  if (g < groups)  // KS = 2 with an odd number of pairs: one left
    for (int j = 0; j < NV; ++j) {
      __m256i bv = load_weights(b + j * panel_bytes + g * kGroupBytes);
      for (int r = 0; r < MR; ++r)
        acc[0][r][j] = _mm256_add_epi32(acc[0][r][j], _mm256_madd_epi16(broadcast_pair(a16 + r * kp + g * 2), bv));
    }
  // The sums leave the registers here, so the epilogue's temporaries (and
  // its tail copy) never compete with the live accumulators.
  alignas(32) int32_t sums[MR][NV * kPanel];
  for (int r = 0; r < MR; ++r)
    for (int j = 0; j < NV; ++j) {
      __m256i t = acc[0][r][j];
      for (int s = 1; s < KS; ++s) t = _mm256_add_epi32(t, acc[s][r][j]);
      _mm256_store_si256(reinterpret_cast<__m256i*>(&sums[r][j * kPanel]), t);
    }
  qgemm_store_rows_avx2(&sums[0][0], MR, NV, NV * kPanel, col0, cols, ep, c, ldc, elem);
}

using TileFn = void (*)(int64_t, const int16_t*, const int8_t*, int64_t, int64_t, int64_t,
                        const QGemmTileEpilogue&, void*, int64_t, size_t);

template <int MR> TileFn pick(int nv) {
  if constexpr (MR == 1) {
    switch (nv) {
      case 1: return tile<1, 1, 2>;
      case 2: return tile<1, 2, 2>;
      case 3: return tile<1, 3, 2>;
      default: return tile<1, 4, 2>;
    }
  } else {
    return nv == 1 ? tile<MR, 1, 1> : tile<MR, 2, 1>;
  }
}

}  // namespace

void pack_a_u8_to_s16_avx2(int mr, int64_t k, const uint8_t* a, int64_t lda, int16_t* a16, int64_t kp) {
  for (int r = 0; r < mr; ++r) {
    const uint8_t* src = a + r * lda;
    int16_t* dst = a16 + r * kp;
    int64_t p = 0;
    for (; p + 16 <= k; p += 16)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + p),
                          _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + p))));
    for (; p < k; ++p) dst[p] = src[p];
    for (; p < kp; ++p) dst[p] = 0;
  }
}

void qgemm_u8s8_tile_avx2(int mr, int nv, int64_t kp, const int16_t* a16, const int8_t* b, int64_t panel_bytes,
                          int64_t col0, int64_t cols, const QGemmTileEpilogue& ep, void* c, int64_t ldc) {
  static_assert(kMrAvx2 <= 6 && kNvAvx2 <= 2 && kNvGemvAvx2 <= 4, "update pick()");
  TileFn fn = nullptr;
  switch (mr) {
    case 1: fn = pick<1>(nv); break;
    case 2: fn = pick<2>(nv); break;
    case 3: fn = pick<3>(nv); break;
    case 4: fn = pick<4>(nv); break;
    case 5: fn = pick<5>(nv); break;
    default: fn = pick<6>(nv); break;
  }
  fn(kp, a16, b, panel_bytes, col0, cols, ep, c, ldc, qgemm_elem_size(ep.type));
}

}  // namespace octet::kernels::x86
