#include "kernels/fp32/conv_f32.h"

#include <stdexcept>
#include <vector>

#include "kernels/fp32/dwconv_f32.h"
#include "kernels/fp32/gemm_f32.h"
#include "kernels/fp32/sgemm_packed.h"
#include "kernels/im2col.h"
#include "kernels/isa.h"

namespace octet::kernels {

namespace {

bool is_pointwise(const SpatialWindow& w) {
  for (size_t d = 0; d < w.rank(); ++d)
    if (w.kernel[d] != 1 || w.stride[d] != 1 || w.pad_begin[d] != 0 || w.pad_end[d] != 0) return false;
  return true;
}

// Y[mg, pixels] = A[mg, depth] x B[depth, pixels] + bias, B the image
// itself (pointwise), the image's im2col columns gathered by sgemm_packed
// panel by panel (image: a rank-2 window), or cols written by im2col.
void group_gemm(const PackedSgemmA& a, int64_t pixels, const float* cols, const SgemmImageB* image,
                const float* bias, float* y) {
  SgemmArgs args;
  args.a = &a;
  args.n = pixels;
  args.b = cols;
  args.ldb = pixels;
  args.image = image;
  args.bias = bias;
  args.c = y;
  args.ldc = pixels;
  sgemm_packed(args);
}

void group_gemm_eigen(int64_t mg, int64_t pixels, int64_t depth, const float* w, const float* cols,
                      const float* bias, float* y) {
  matmul_f32(mg, pixels, depth, w, cols, y);
  if (!bias) return;
  for (int64_t m = 0; m < mg; ++m) {
    const float b = bias[m];
    float* row = y + m * pixels;
    for (int64_t i = 0; i < pixels; ++i) row[i] += b;
  }
}

// Whether conv_f32 needs the im2col columns written out at this level.
bool writes_columns(Isa isa, const SpatialWindow& w) {
  if (is_pointwise(w)) return false;
  return isa == Isa::Ref || w.rank() != 2;
}

// The weights of the GEMMs: the caller's [M, C/group, kernel...] (packed
// null), or one PackedSgemmA per group.
struct ConvWeights {
  const float* w = nullptr;
  const PackedSgemmA* packed = nullptr;
};

// One GEMM per image and group at `isa`. Weights in place run
// sgemm_packed on a view (view_sgemm_a: packing them on every call cost
// about a third more than the GEMM on resnet18's weights), except at Ref,
// which keeps Eigen's GEMM, as the scalar fma chains of the packed Ref
// level would be far slower.
void conv_groups(Isa isa, const ConvParams& p, const float* x, ConvWeights weights, const float* bias, float* y) {
  const SpatialWindow& win = p.window;
  const int64_t cg = p.in_channels / p.group, mg = p.out_channels / p.group;
  const int64_t in_numel = win.in_numel(), out_numel = win.out_numel();
  const int64_t depth = cg * win.kernel_numel();  // GEMM K
  const bool pointwise = is_pointwise(win);
  const bool write_columns = writes_columns(isa, win);
  std::vector<float> columns(write_columns ? static_cast<size_t>(depth * out_numel) : 0);
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t g = 0; g < p.group; ++g) {
      const float* xg = x + (n * p.in_channels + g * cg) * in_numel;
      float* yg = y + (n * p.out_channels + g * mg) * out_numel;
      const float* cols = xg;  // pointwise: the image is already [cg, out_numel]
      if (write_columns) {
        im2col<float>(win, cg, xg, 0.f, columns.data());
        cols = columns.data();
      }
      const float* bg = bias ? bias + g * mg : nullptr;
      const SgemmImageB image{xg, &win};
      const SgemmImageB* gathered = pointwise || write_columns ? nullptr : &image;
      if (weights.packed) {
        group_gemm(weights.packed[g], out_numel, cols, gathered, bg, yg);
        continue;
      }
      const float* wg = weights.w + g * mg * depth;
      if (isa == Isa::Ref)
        group_gemm_eigen(mg, out_numel, depth, wg, cols, bg, yg);
      else
        group_gemm(view_sgemm_a(isa, mg, depth, wg, depth), out_numel, cols, gathered, bg, yg);
    }
  }
}

}  // namespace

int64_t conv_f32_scratch(const ConvParams& p) {
  if (dwconv_f32_applies(p)) return 0;  // dwconv_f32 needs no im2col
  if (is_pointwise(p.window)) return 0;
  return (p.in_channels / p.group) * p.window.kernel_numel() * p.window.out_numel();
}

Isa conv_f32_level() {
  static const Isa level = fp32_level(selected_isa_or_ref());  // chosen once, as gemm_f32 does
  return level;
}

void conv_f32(const ConvParams& p, const float* x, const float* w, const float* bias, float* y) {
  if (dwconv_f32_applies(p)) return dwconv_f32(p, x, w, bias, y);  // one plane per channel, no GEMM
  const Isa level = conv_f32_level();
  // Depthwise convolutions (one channel per group) keep Eigen's GEMM.
  const Isa isa = p.group == p.in_channels ? Isa::Ref : level;
  ConvWeights weights;
  weights.w = w;
  conv_groups(isa, p, x, weights, bias, y);
}

void conv_f32_prepacked(const ConvParams& p, const float* x, const PackedSgemmA* groups, const float* bias,
                        float* y) {
  if (dwconv_f32_applies(p)) throw std::invalid_argument("conv_f32_prepacked: a depthwise convolution");
  const int64_t mg = p.out_channels / p.group, depth = p.in_channels / p.group * p.window.kernel_numel();
  for (int64_t g = 0; g < p.group; ++g)
    if (groups[g].m != mg || groups[g].k != depth || groups[g].isa != groups[0].isa)
      throw std::invalid_argument("conv_f32_prepacked: packed weights of another shape or level");
  ConvWeights weights;
  weights.packed = groups;
  conv_groups(groups[0].isa, p, x, weights, bias, y);
}

}  // namespace octet::kernels
