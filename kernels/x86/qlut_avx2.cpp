// AVX2 256-entry byte lookup: vpshufb looks up 16 entries by the low nibble,
// so all 16 sixteen-entry sub-tables are looked up and a tree of 15 byte
// blends picks the one the high nibble names (bit 4, then 5, 6, 7).
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/qelementwise_x86.h"

namespace octet::kernels::x86 {

namespace {

struct Tables {
  __m256i t[16];  // sub-table h (entries 16h..16h+15) in both 128-bit lanes
  explicit Tables(const uint8_t* table) {
    for (int h = 0; h < 16; ++h)
      t[h] = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(table + 16 * h)));
  }
};

// Sub-tables are looked up and merged as a binary tree, depth first, so
// only a few partial results are live at once (AVX2 has 16 ymm registers).
struct Lookup {
  const Tables& tb;
  __m256i lo, bit[4];  // bit[j]: bit 4 + j of each byte moved to its top bit

  Lookup(const Tables& t, __m256i x) : tb(t) {
    lo = _mm256_and_si256(x, _mm256_set1_epi8(0x0f));
    // A 16-bit shift by s <= 3 moves bit 7 - s of every byte to its top bit
    // without crossing into the neighbour byte; blendv reads only that bit.
    bit[0] = _mm256_slli_epi16(x, 3);
    bit[1] = _mm256_slli_epi16(x, 2);
    bit[2] = _mm256_slli_epi16(x, 1);
    bit[3] = x;
  }
  // The entries of sub-tables [first, first + 2^level), chosen by the high
  // nibble's low `level` bits.
  __m256i merge(int first, int level) const {
    if (level == 0) return _mm256_shuffle_epi8(tb.t[first], lo);
    const int half = 1 << (level - 1);
    return _mm256_blendv_epi8(merge(first, level - 1), merge(first + half, level - 1), bit[level - 1]);
  }
};

inline __m256i lookup32(const Tables& tb, __m256i x) { return Lookup(tb, x).merge(0, 4); }

}  // namespace

void apply_lut_u8_avx2(const uint8_t* table, const uint8_t* x, uint8_t* y, int64_t n) {
  const Tables tb(table);
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y + i), lookup32(tb, v));
  }
  if (i == n) return;
  alignas(32) uint8_t buf[32] = {};
  std::memcpy(buf, x + i, static_cast<size_t>(n - i));
  _mm256_store_si256(reinterpret_cast<__m256i*>(buf), lookup32(tb, _mm256_load_si256(reinterpret_cast<const __m256i*>(buf))));
  std::memcpy(y + i, buf, static_cast<size_t>(n - i));
}

}  // namespace octet::kernels::x86
