// AVX2 FP32 depthwise kernel: 8 output columns per ymm, up to 4 ymm per
// tile, group_planes channel planes per pass (kernels/x86/dwconv_f32_x86.h).
// Interior tiles use plain loads and FMAs; border tiles load with vmaskmovps
// (which never touches the masked-off lanes) and blend the FMA result back
// in only where the tap lies inside the image, so skipped taps leave the
// accumulator's bits alone as the reference's skip does.
#include <immintrin.h>

#include <algorithm>

#include "kernels/x86/dwconv_f32_passes.h"
#include "kernels/x86/dwconv_f32_x86.h"

namespace octet::kernels {

namespace {

constexpr int kLanes = 8;

inline __m256i lanes_of(const int32_t* mask) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(mask)); }

template <int P>
using Planes = dwconv_f32_passes::Planes<P>;

// Lanes l of the result hold src[l * stride] for the lanes a tap needs.
template <int kStride, bool kMasked>
inline __m256 load_taps(const float* src, const DwF32Column& col, __m256i gather_index) {
  if (kStride == 1) {
    if (kMasked) return _mm256_maskload_ps(src, lanes_of(col.tap_lanes));
    return _mm256_loadu_ps(src);
  }
  if (kStride == 2) {
    __m256 lo, hi;
    if (kMasked) {
      lo = _mm256_maskload_ps(src, lanes_of(col.lo_lanes));
      hi = _mm256_maskload_ps(src + kLanes, lanes_of(col.hi_lanes));
    } else {
      lo = _mm256_loadu_ps(src);
      hi = _mm256_loadu_ps(src + kLanes);
    }
    // [lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6], then the 64-bit pairs reordered.
    const __m256 evens = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(evens), _MM_SHUFFLE(3, 1, 2, 0)));
  }
  return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), src, gather_index,
                                  _mm256_castsi256_ps(lanes_of(col.tap_lanes)), 4);
}

// One tile (U vectors) of output row oh in P planes: all taps, then store.
template <int P, int U, int kStride, bool kMasked>
void run_tile(const DwF32Plan& plan, const Planes<P>& g, const DwF32Tile& t, int64_t oh, __m256i gather_index) {
  const QConvShape& s = plan.shape;
  __m256 acc[P][U];
#pragma GCC unroll 8
  for (int p = 0; p < P; ++p)
#pragma GCC unroll 8
    for (int u = 0; u < U; ++u) acc[p][u] = _mm256_set1_ps(g.bias[p]);
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
      const __m256 wv = _mm256_set1_ps(g.w[p][tap]);
      const float* row = g.x[p] + x_row;
#pragma GCC unroll 8
      for (int u = 0; u < U; ++u) {
        const DwF32Column& col = col_j[u * s.kernel_w];
        const __m256 xv = load_taps<kStride, kMasked>(row + col.offset, col, gather_index);
        const __m256 sum = _mm256_fmadd_ps(wv, xv, acc[p][u]);
        acc[p][u] = kMasked ? _mm256_blendv_ps(acc[p][u], sum, _mm256_castsi256_ps(lanes_of(col.tap_lanes))) : sum;
      }
    }
    ++col_j;
    if (++j == s.kernel_w) j = 0, col_j = tile_cols, x_row += row_step;
  }
#pragma GCC unroll 8
  for (int u = 0; u < U; ++u) {
    const int64_t ow0 = (t.first_vector + u) * kLanes;
    const int64_t count = std::min<int64_t>(kLanes, s.out_w - ow0);
    if (count == kLanes) {
#pragma GCC unroll 8
      for (int p = 0; p < P; ++p) _mm256_storeu_ps(g.y[p] + oh * s.out_w + ow0, acc[p][u]);
      continue;
    }
    const __m256i store = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int32_t>(count)),
                                             _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p) _mm256_maskstore_ps(g.y[p] + oh * s.out_w + ow0, store, acc[p][u]);
  }
}

// This level's tile for the shared pass driver (dwconv_f32_passes.h).
struct Kernel {
  using Index = __m256i;
  static Index gather_index(int32_t stride) {
    return _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(stride));
  }
  template <int P, int U, int kStride, bool kMasked>
  static void tile(const DwF32Plan& plan, const Planes<P>& g, const DwF32Tile& t, int64_t oh, Index gather_index) {
    run_tile<P, U, kStride, kMasked>(plan, g, t, oh, gather_index);
  }
};

}  // namespace

void dwconv_f32_avx2(const DwF32Plan& plan, int64_t planes, const float* x, const float* w, const float* bias,
                     float* y) {
  dwconv_f32_passes::run<Kernel>(plan, planes, x, w, bias, y);
}

}  // namespace octet::kernels
