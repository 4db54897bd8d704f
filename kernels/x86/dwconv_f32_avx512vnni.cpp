// AVX-512 FP32 depthwise kernel: 16 output columns per zmm, up to 4 zmm per
// tile, group_planes channel planes per pass (kernels/x86/dwconv_f32_x86.h).
// Masks are free here (masked loads never fault, vfmadd with a writemask
// keeps the skipped lanes), so border tiles differ from interior ones only
// by the mask operands.
#include <immintrin.h>

#include <algorithm>

#include "kernels/x86/dwconv_f32_passes.h"
#include "kernels/x86/dwconv_f32_x86.h"

namespace octet::kernels {

namespace {

constexpr int kLanes = 16;

template <int P>
using Planes = dwconv_f32_passes::Planes<P>;

// Lanes l of the result hold src[l * stride] for the lanes a tap needs.
template <int kStride, bool kMasked>
inline __m512 load_taps(const float* src, const DwF32Column& col, __m512i gather_index) {
  if (kStride == 1) {
    if (kMasked) return _mm512_maskz_loadu_ps(static_cast<__mmask16>(col.tap_bits), src);
    return _mm512_loadu_ps(src);
  }
  if (kStride == 2) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    __m512 lo, hi;
    if (kMasked) {
      lo = _mm512_maskz_loadu_ps(static_cast<__mmask16>(col.lo_bits), src);
      hi = _mm512_maskz_loadu_ps(static_cast<__mmask16>(col.hi_bits), src + kLanes);
    } else {
      lo = _mm512_loadu_ps(src);
      hi = _mm512_loadu_ps(src + kLanes);
    }
    return _mm512_permutex2var_ps(lo, even, hi);
  }
  return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), static_cast<__mmask16>(col.tap_bits), gather_index, src, 4);
}

// One tile (U vectors) of output row oh in P planes: all taps, then store.
template <int P, int U, int kStride, bool kMasked>
void run_tile(const DwF32Plan& plan, const Planes<P>& g, const DwF32Tile& t, int64_t oh, __m512i gather_index) {
  const QConvShape& s = plan.shape;
  __m512 acc[P][U];
#pragma GCC unroll 8
  for (int p = 0; p < P; ++p)
#pragma GCC unroll 8
    for (int u = 0; u < U; ++u) acc[p][u] = _mm512_set1_ps(g.bias[p]);
  // The kernel rows inside the image are one range [i_lo, i_hi); its taps
  // run as one flat loop walking the plan's columns by pointer. The unroll
  // pragmas matter: without them GCC keeps acc[][] in memory and stores it
  // back after every FMA.
  const int64_t ih0 = oh * s.stride_h - s.pad_top;
  int64_t i_lo = 0, i_hi = s.kernel_h;
  while (i_lo < i_hi && ih0 + i_lo * s.dilation_h < 0) ++i_lo;
  while (i_hi > i_lo && ih0 + (i_hi - 1) * s.dilation_h >= s.in_h) --i_hi;
  const DwF32Column* tile_cols = plan.columns.data() + t.first_vector * s.kernel_w;
  const int64_t row_step = s.dilation_h * s.in_w;
  const DwF32Column* col_j = tile_cols;  // column j of the tile's first vector
  int64_t j = 0, x_row = (ih0 + i_lo * s.dilation_h) * s.in_w;
  for (int64_t tap = i_lo * s.kernel_w, end = i_hi * s.kernel_w; tap < end; ++tap) {
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p) {
      const __m512 wv = _mm512_set1_ps(g.w[p][tap]);
      const float* row = g.x[p] + x_row;
#pragma GCC unroll 8
      for (int u = 0; u < U; ++u) {
        const DwF32Column& col = col_j[u * s.kernel_w];
        const __m512 xv = load_taps<kStride, kMasked>(row + col.offset, col, gather_index);
        acc[p][u] = kMasked ? _mm512_mask3_fmadd_ps(wv, xv, acc[p][u], static_cast<__mmask16>(col.tap_bits))
                            : _mm512_fmadd_ps(wv, xv, acc[p][u]);
      }
    }
    ++col_j;
    if (++j == s.kernel_w) j = 0, col_j = tile_cols, x_row += row_step;
  }
#pragma GCC unroll 8
  for (int u = 0; u < U; ++u) {
    const int64_t ow0 = (t.first_vector + u) * kLanes;
    const int64_t count = std::min<int64_t>(kLanes, s.out_w - ow0);
    const __mmask16 store = static_cast<__mmask16>((1u << count) - 1);
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p) _mm512_mask_storeu_ps(g.y[p] + oh * s.out_w + ow0, store, acc[p][u]);
  }
}

// This level's tile for the shared pass driver (dwconv_f32_passes.h).
struct Kernel {
  using Index = __m512i;
  static Index gather_index(int32_t stride) {
    return _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                              _mm512_set1_epi32(stride));
  }
  template <int P, int U, int kStride, bool kMasked>
  static void tile(const DwF32Plan& plan, const Planes<P>& g, const DwF32Tile& t, int64_t oh, Index gather_index) {
    run_tile<P, U, kStride, kMasked>(plan, g, t, oh, gather_index);
  }
};

}  // namespace

void dwconv_f32_avx512(const DwF32Plan& plan, int64_t planes, const float* x, const float* w, const float* bias,
                       float* y) {
  dwconv_f32_passes::run<Kernel>(plan, planes, x, w, bias, y);
}

}  // namespace octet::kernels
