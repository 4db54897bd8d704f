#pragma once
// The lane shuffles both AVX-512 VNNI depthwise kernels share
// (dwconv_u8s8_avx512vnni.cpp per pixel, dwconv3x3_u8s8_avx512vnni.cpp per
// row). Header-only; include only from files compiled with AVX-512.
#include <immintrin.h>

namespace octet::kernels::x86 {

// Four 64-byte rows of 64 channels as the dwords vpdpbusd sums, (x0, x1,
// x2, x3) per channel. The unpacks stay within 128-bit lanes, so v[j]
// holds in lane L channels 16L + 4j .. 16L + 4j + 3.
struct DwordQuads {
  __m512i v[4];
};

__attribute__((always_inline)) inline DwordQuads interleave_quads(__m512i x0, __m512i x1, __m512i x2, __m512i x3) {
  const __m512i lo01 = _mm512_unpacklo_epi8(x0, x1), hi01 = _mm512_unpackhi_epi8(x0, x1);
  const __m512i lo23 = _mm512_unpacklo_epi8(x2, x3), hi23 = _mm512_unpackhi_epi8(x2, x3);
  return {{_mm512_unpacklo_epi16(lo01, lo23), _mm512_unpackhi_epi16(lo01, lo23), _mm512_unpacklo_epi16(hi01, hi23),
           _mm512_unpackhi_epi16(hi01, hi23)}};
}

// out[k] lane j = acc[j] lane k: accumulators in interleave_quads' order
// back in channel order (the S32 store).
inline void transpose_lanes(__m512i acc[4]) {
  const __m512i t0 = _mm512_shuffle_i32x4(acc[0], acc[1], _MM_SHUFFLE(1, 0, 1, 0));
  const __m512i t1 = _mm512_shuffle_i32x4(acc[0], acc[1], _MM_SHUFFLE(3, 2, 3, 2));
  const __m512i t2 = _mm512_shuffle_i32x4(acc[2], acc[3], _MM_SHUFFLE(1, 0, 1, 0));
  const __m512i t3 = _mm512_shuffle_i32x4(acc[2], acc[3], _MM_SHUFFLE(3, 2, 3, 2));
  acc[0] = _mm512_shuffle_i32x4(t0, t2, _MM_SHUFFLE(2, 0, 2, 0));
  acc[1] = _mm512_shuffle_i32x4(t0, t2, _MM_SHUFFLE(3, 1, 3, 1));
  acc[2] = _mm512_shuffle_i32x4(t1, t3, _MM_SHUFFLE(2, 0, 2, 0));
  acc[3] = _mm512_shuffle_i32x4(t1, t3, _MM_SHUFFLE(3, 1, 3, 1));
}

}  // namespace octet::kernels::x86
