#pragma once
// The part of the FP32 depthwise kernels that is the same at every ISA
// level: grouping planes into passes of P, choosing the tile variant per
// stride and border, and splitting tiles wider than the accumulators allow.
// Header-only; each level's file (dwconv_f32_{avx2,avx512vnni}.cpp)
// instantiates it with its tile kernel K:
//   K::Index                                  the gather index vector
//   K::gather_index(stride)                   lane l holds l * stride
//   K::template tile<P, U, kStride, kMasked>(plan, planes, tile, oh, index)
#include <cstdint>

#include "kernels/x86/dwconv_f32_x86.h"

namespace octet::kernels::dwconv_f32_passes {

// The P planes of one pass: pointers to each plane's input, weights, output.
template <int P>
struct Planes {
  const float* x[P];
  const float* w[P];
  float bias[P];
  float* y[P];
};

// P * U stays within 8 accumulators (the plan sizes P by its widest tile);
// a wider tile than that is run one vector at a time.
template <class K, int P, int kStride, bool kMasked>
void run_tile_u(const DwF32Plan& plan, const Planes<P>& g, const DwF32Tile& t, int64_t oh,
                typename K::Index gather_index) {
  if (t.vectors == 1) return K::template tile<P, 1, kStride, kMasked>(plan, g, t, oh, gather_index);
  if constexpr (P <= 4) {
    if (t.vectors == 2) return K::template tile<P, 2, kStride, kMasked>(plan, g, t, oh, gather_index);
  }
  if constexpr (P <= 2) {
    if (t.vectors == 3) return K::template tile<P, 3, kStride, kMasked>(plan, g, t, oh, gather_index);
    if (t.vectors == 4) return K::template tile<P, 4, kStride, kMasked>(plan, g, t, oh, gather_index);
  }
  for (int v = 0; v < t.vectors; ++v) {
    const DwF32Tile one{t.first_vector + v, 1, t.masked};
    K::template tile<P, 1, kStride, kMasked>(plan, g, one, oh, gather_index);
  }
}

template <class K, int P>
void run_planes(const DwF32Plan& plan, const Planes<P>& g) {
  const QConvShape& s = plan.shape;
  const typename K::Index gather_index = K::gather_index(static_cast<int32_t>(s.stride_w));
  for (int64_t oh = 0; oh < s.out_h; ++oh) {
    for (const DwF32Tile& t : plan.tiles) {
      if (s.stride_w == 1) {
        if (t.masked) run_tile_u<K, P, 1, true>(plan, g, t, oh, gather_index);
        else run_tile_u<K, P, 1, false>(plan, g, t, oh, gather_index);
      } else if (s.stride_w == 2) {
        if (t.masked) run_tile_u<K, P, 2, true>(plan, g, t, oh, gather_index);
        else run_tile_u<K, P, 2, false>(plan, g, t, oh, gather_index);
      } else {
        run_tile_u<K, P, 0, true>(plan, g, t, oh, gather_index);
      }
    }
  }
}

template <class K, int P>
int64_t run_passes(const DwF32Plan& plan, int64_t first, int64_t planes, const float* x, const float* w,
                   const float* bias, float* y) {
  const QConvShape& s = plan.shape;
  const int64_t in_plane = s.in_h * s.in_w, out_plane = s.out_h * s.out_w, taps = s.kernel_h * s.kernel_w;
  int64_t q = first;
  for (; q + P <= planes; q += P) {
    Planes<P> g;
    for (int p = 0; p < P; ++p) {
      const int64_t c = (q + p) % s.in_channels;
      g.x[p] = x + (q + p) * in_plane;
      g.w[p] = w + c * taps;
      g.bias[p] = bias ? bias[c] : 0.f;
      g.y[p] = y + (q + p) * out_plane;
    }
    run_planes<K, P>(plan, g);
  }
  return q;
}

// Every plane: passes of plan.group_planes, the rest one plane at a time.
template <class K>
void run(const DwF32Plan& plan, int64_t planes, const float* x, const float* w, const float* bias, float* y) {
  int64_t q = 0;
  switch (plan.group_planes) {
    case 8: q = run_passes<K, 8>(plan, q, planes, x, w, bias, y); break;
    case 4: q = run_passes<K, 4>(plan, q, planes, x, w, bias, y); break;
    case 2: q = run_passes<K, 2>(plan, q, planes, x, w, bias, y); break;
    default: break;
  }
  run_passes<K, 1>(plan, q, planes, x, w, bias, y);
}

}  // namespace octet::kernels::dwconv_f32_passes
