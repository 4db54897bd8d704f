// u8 x s8 GEMM micro-kernels on AVX2 for weights with |w| <= 64 (7-bit
// weights: reduce_range quantization, and many layers anyway). The driver
// picks this kernel at prepack when every weight fits (qgemm.cpp); other
// weights take the widening kernel of qgemm_u8s8_avx2.cpp.
//
// Per 4 depths: vpmaddubsw multiplies the 4 broadcast u8 of a (its unsigned
// operand) by the 4 s8 weights of each channel and adds adjacent products
// into a saturating int16; vpmaddwd with ones adds the two int16 of a
// channel into an int32 lane; vpaddd accumulates. 3 uops per 32 products
// against 4 (plus the int16 widening of a) for the widening kernel.
//
// Why it is exact. a is in [0, 255] and |w| <= 64, so each product has
// |a * w| <= 255 * 64 = 16320 and each vpmaddubsw pair sum has
// |a0 * w0 + a1 * w1| <= 2 * 16320 = 32640 <= 32767 (and >= -32768): the
// int16 saturation never triggers, the pair sum is the true sum. vpmaddwd
// then adds two such sums, |.| <= 65280, in int32 without rounding, and
// vpaddd accumulates modulo 2^32 exactly as the reference wraps. One more
// step of weight, |w| = 65, gives 255 * 65 * 2 = 33150 > 32767: that is why
// the bound is 64 (kMaxAbsWeight7bit) and -65 already goes to the widening
// kernel. Depths padded past k have zero weights and zero bytes of a.
//
// Tile: up to 4 rows x 2 ymm (16 columns), 8 accumulators + 2 weight
// vectors + the ones vector + 1 broadcast + product temporaries fit the 16
// ymm registers. The only loop-carried dependency is the 1-cycle vpaddd
// (the multiplies are off the chain), so one row (GEMV) needs no split
// sums: 4 ymm columns are 4 independent chains.
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/qgemm_x86.h"
#include "kernels/x86/requantize_avx2.h"

namespace octet::kernels::x86 {

namespace {

constexpr int kPanel = kLayoutAvx2Weights7bit.panel;
static_assert(kPanel == 8, "qgemm_store_rows_avx2 stores panels of one ymm");
constexpr int kGroupBytes = kLayoutAvx2Weights7bit.panel * kLayoutAvx2Weights7bit.kgroup;
static_assert(kGroupBytes == 32, "one group is one ymm");
static_assert(255 * kMaxAbsWeight7bit * 2 <= 32767, "a vpmaddubsw pair sum must not saturate");

__attribute__((always_inline)) inline __m256i broadcast_a4(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

// The last 1..3 depths of a row, zero-extended: reading 4 bytes could run
// past the end of a. Byte loads, no variable-size memcpy call that would
// clobber the live accumulators.
__attribute__((always_inline)) inline __m256i broadcast_a_tail(const uint8_t* p, int64_t n) {
  uint32_t v = p[0];
  if (n > 1) v |= uint32_t(p[1]) << 8;
  if (n > 2) v |= uint32_t(p[2]) << 16;
  return _mm256_set1_epi32(static_cast<int32_t>(v));
}

// acc[r][j] += 4 depths of row r (load_a(r), broadcast) times panel j's
// group at bg.
template <int MR, int NV, class LoadA>
__attribute__((always_inline)) inline void group_step(__m256i (&acc)[MR][NV], LoadA load_a, const int8_t* bg,
                                                      int64_t panel_bytes, __m256i ones) {
  __m256i bv[NV];
  _Pragma("GCC unroll 8") for (int j = 0; j < NV; ++j)
    bv[j] = _mm256_load_si256(reinterpret_cast<const __m256i*>(bg + j * panel_bytes));
  _Pragma("GCC unroll 8") for (int r = 0; r < MR; ++r) {
    const __m256i av = load_a(r);
    _Pragma("GCC unroll 8") for (int j = 0; j < NV; ++j)
      acc[r][j] = _mm256_add_epi32(acc[r][j], _mm256_madd_epi16(_mm256_maddubs_epi16(av, bv[j]), ones));
  }
}

template <int MR, int NV>
void tile(int64_t k, const uint8_t* a, int64_t lda, const int8_t* b, int64_t panel_bytes, int64_t col0,
          int64_t cols, const QGemmTileEpilogue& ep, void* c, int64_t ldc, size_t elem) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i acc[MR][NV];
  _Pragma("GCC unroll 8") for (int r = 0; r < MR; ++r)
    _Pragma("GCC unroll 8") for (int j = 0; j < NV; ++j) acc[r][j] = _mm256_setzero_si256();
  const int64_t groups = k / 4;
  for (int64_t g = 0; g < groups; ++g) {
    const uint8_t* ag = a + g * 4;
    group_step<MR, NV>(acc, [&](int r) { return broadcast_a4(ag + r * lda); }, b + g * kGroupBytes, panel_bytes,
                       ones);
  }
  if (const int64_t rest = k - groups * 4) {
    const uint8_t* ag = a + groups * 4;
    group_step<MR, NV>(acc, [&](int r) { return broadcast_a_tail(ag + r * lda, rest); }, b + groups * kGroupBytes,
                       panel_bytes, ones);
  }
  // The sums leave the registers here, so the epilogue's temporaries (and
  // its tail copy) never compete with the live accumulators.
  alignas(32) int32_t sums[MR][NV * kPanel];
  _Pragma("GCC unroll 8") for (int r = 0; r < MR; ++r)
    _Pragma("GCC unroll 8") for (int j = 0; j < NV; ++j)
      _mm256_store_si256(reinterpret_cast<__m256i*>(&sums[r][j * kPanel]), acc[r][j]);
  qgemm_store_rows_avx2(&sums[0][0], MR, NV, NV * kPanel, col0, cols, ep, c, ldc, elem);
}

using TileFn = void (*)(int64_t, const uint8_t*, int64_t, const int8_t*, int64_t, int64_t, int64_t,
                        const QGemmTileEpilogue&, void*, int64_t, size_t);

template <int MR> TileFn pick(int nv) {
  if constexpr (MR == 1) {
    switch (nv) {
      case 1: return tile<1, 1>;
      case 2: return tile<1, 2>;
      case 3: return tile<1, 3>;
      default: return tile<1, 4>;
    }
  } else {
    return nv == 1 ? tile<MR, 1> : tile<MR, 2>;
  }
}

}  // namespace

void qgemm_u8s8_7bit_tile_avx2(int mr, int nv, int64_t k, const uint8_t* a, int64_t lda, const int8_t* b,
                               int64_t panel_bytes, int64_t col0, int64_t cols, const QGemmTileEpilogue& ep,
                               void* c, int64_t ldc) {
  static_assert(kMrAvx2Weights7bit <= 4 && kNvAvx2Weights7bit <= 2 && kNvGemvAvx2Weights7bit <= 4,
                "update pick()");
  TileFn fn = nullptr;
  switch (mr) {
    case 1: fn = pick<1>(nv); break;
    case 2: fn = pick<2>(nv); break;
    case 3: fn = pick<3>(nv); break;
    default: fn = pick<4>(nv); break;
  }
  fn(k, a, lda, b, panel_bytes, col0, cols, ep, c, ldc, qgemm_elem_size(ep.type));
}

}  // namespace octet::kernels::x86
