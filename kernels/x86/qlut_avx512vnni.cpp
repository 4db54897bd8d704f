// AVX-512 256-entry byte lookup. Without VBMI (the Avx512Vnni level does not
// promise it), vpshufb looks up all 16 sixteen-entry sub-tables by the low
// nibble and a tree of 15 masked byte blends, one level per bit of the high
// nibble, picks the right one. With VBMI (checked separately by the caller),
// two vpermi2b look up the low and high 128 entries and one blend on bit 7
// picks. Tails are masked.
// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on their own
// _mm512_undefined_* placeholders (GCC bug 105593), not on this code. (The
// zero-masked broadcast below dodges the same warning's certain form.)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "kernels/x86/qelementwise_x86.h"

namespace octet::kernels::x86 {

namespace {

struct Tables {
  __m512i t[16];  // sub-table h (entries 16h..16h+15) in all four 128-bit lanes
  explicit Tables(const uint8_t* table) {
    for (int h = 0; h < 16; ++h)
      t[h] = _mm512_maskz_broadcast_i32x4(0xffff, _mm_loadu_si128(reinterpret_cast<const __m128i*>(table + 16 * h)));
  }
};

struct Lookup {
  const Tables& tb;
  __m512i lo;
  __mmask64 bit[4];  // bit[j]: bit 4 + j of each byte

  Lookup(const Tables& t, __m512i x) : tb(t) {
    lo = _mm512_and_si512(x, _mm512_set1_epi8(0x0f));
    bit[0] = _mm512_test_epi8_mask(x, _mm512_set1_epi8(0x10));
    bit[1] = _mm512_test_epi8_mask(x, _mm512_set1_epi8(0x20));
    bit[2] = _mm512_test_epi8_mask(x, _mm512_set1_epi8(0x40));
    bit[3] = _mm512_movepi8_mask(x);
  }
  // The entries of sub-tables [first, first + 2^level), chosen by the high
  // nibble's low `level` bits; depth first, so few results are live at once.
  __m512i merge(int first, int level) const {
    if (level == 0) return _mm512_shuffle_epi8(tb.t[first], lo);
    const int half = 1 << (level - 1);
    return _mm512_mask_blend_epi8(bit[level - 1], merge(first, level - 1), merge(first + half, level - 1));
  }
};

inline __m512i lookup64(const Tables& tb, __m512i x) { return Lookup(tb, x).merge(0, 4); }

}  // namespace

void apply_lut_u8_avx512vnni(const uint8_t* table, const uint8_t* x, uint8_t* y, int64_t n) {
  const Tables tb(table);
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) _mm512_storeu_si512(y + i, lookup64(tb, _mm512_loadu_si512(x + i)));
  if (i == n) return;
  const __mmask64 m = (__mmask64(1) << (n - i)) - 1;
  _mm512_mask_storeu_epi8(y + i, m, lookup64(tb, _mm512_maskz_loadu_epi8(m, x + i)));
}

__attribute__((target("avx512vbmi"))) void apply_lut_u8_avx512vbmi(const uint8_t* table, const uint8_t* x,
                                                                    uint8_t* y, int64_t n) {
  const __m512i t0 = _mm512_loadu_si512(table), t1 = _mm512_loadu_si512(table + 64);
  const __m512i t2 = _mm512_loadu_si512(table + 128), t3 = _mm512_loadu_si512(table + 192);
  // vpermi2b reads the low 7 index bits; bit 7 picks the half.
  auto lookup = [&](__m512i v) __attribute__((target("avx512vbmi"))) {
    const __m512i low = _mm512_permutex2var_epi8(t0, v, t1), high = _mm512_permutex2var_epi8(t2, v, t3);
    return _mm512_mask_blend_epi8(_mm512_movepi8_mask(v), low, high);
  };
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) _mm512_storeu_si512(y + i, lookup(_mm512_loadu_si512(x + i)));
  if (i == n) return;
  const __mmask64 m = (__mmask64(1) << (n - i)) - 1;
  _mm512_mask_storeu_epi8(y + i, m, lookup(_mm512_maskz_loadu_epi8(m, x + i)));
}

}  // namespace octet::kernels::x86
