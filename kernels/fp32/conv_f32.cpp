#include "kernels/fp32/conv_f32.h"

#include <vector>

#include "kernels/fp32/dwconv_f32.h"
#include "kernels/fp32/gemm_f32.h"
#include "kernels/im2col.h"

namespace octet::kernels {

namespace {

bool is_pointwise(const SpatialWindow& w) {
  for (size_t d = 0; d < w.rank(); ++d)
    if (w.kernel[d] != 1 || w.stride[d] != 1 || w.pad_begin[d] != 0 || w.pad_end[d] != 0) return false;
  return true;
}

}  // namespace

int64_t conv_f32_scratch(const ConvParams& p) {
  if (dwconv_f32_applies(p)) return 0;  // dwconv_f32 needs no im2col
  if (is_pointwise(p.window)) return 0;
  return (p.in_channels / p.group) * p.window.kernel_numel() * p.window.out_numel();
}

void conv_f32(const ConvParams& p, const float* x, const float* w, const float* bias, float* y) {
  if (dwconv_f32_applies(p)) return dwconv_f32(p, x, w, bias, y);  // one plane per channel, no GEMM
  const SpatialWindow& win = p.window;
  const int64_t cg = p.in_channels / p.group, mg = p.out_channels / p.group;
  const int64_t in_numel = win.in_numel(), out_numel = win.out_numel();
  const int64_t depth = cg * win.kernel_numel();  // GEMM K
  const bool pointwise = is_pointwise(win);
  std::vector<float> columns(pointwise ? 0 : static_cast<size_t>(depth * out_numel));
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t g = 0; g < p.group; ++g) {
      const float* xg = x + (n * p.in_channels + g * cg) * in_numel;
      const float* wg = w + g * mg * depth;
      float* yg = y + (n * p.out_channels + g * mg) * out_numel;
      const float* cols = xg;  // pointwise: the image is already [cg, out_numel]
      if (!pointwise) {
        im2col<float>(win, cg, xg, 0.f, columns.data());
        cols = columns.data();
      }
      matmul_f32(mg, out_numel, depth, wg, cols, yg);
      if (!bias) continue;
      for (int64_t m = 0; m < mg; ++m) {
        const float b = bias[g * mg + m];
        float* row = yg + m * out_numel;
        for (int64_t i = 0; i < out_numel; ++i) row[i] += b;
      }
    }
  }
}

}  // namespace octet::kernels
