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

// The level of the packed GEMM, chosen once as gemm_f32 does (an unusable
// OCTET_ISA is reported by the session).
Isa level_of_session() {
  try {
    return selected_isa();
  } catch (const std::runtime_error&) {
    return Isa::Ref;
  }
}

// Y[mg, pixels] = W[mg, depth] x B[depth, pixels] + bias, B the image
// itself (pointwise), the image's im2col columns gathered by sgemm_packed
// panel by panel (image: a rank-2 window), or cols written by im2col.
// The SIMD levels run sgemm_packed on the weights in place (view_sgemm_a:
// packing them on every call cost about a third more than the GEMM on
// resnet18's weights); Ref keeps Eigen's GEMM, as the scalar fma chains of
// the packed Ref level would be far slower.
void group_gemm(Isa isa, int64_t mg, int64_t pixels, int64_t depth, const float* w, const float* cols,
                const SgemmImageB* image, const float* bias, float* y) {
  const PackedSgemmA a = view_sgemm_a(isa, mg, depth, w, depth);
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
  static const Isa level = level_of_session();
  // Depthwise convolutions (one channel per group) keep Eigen's GEMM.
  const Isa isa = p.group == p.in_channels ? Isa::Ref : level;
  const bool write_columns = writes_columns(isa, win);
  std::vector<float> columns(write_columns ? static_cast<size_t>(depth * out_numel) : 0);
  for (int64_t n = 0; n < p.batch; ++n) {
    for (int64_t g = 0; g < p.group; ++g) {
      const float* xg = x + (n * p.in_channels + g * cg) * in_numel;
      const float* wg = w + g * mg * depth;
      float* yg = y + (n * p.out_channels + g * mg) * out_numel;
      const float* cols = xg;  // pointwise: the image is already [cg, out_numel]
      if (write_columns) {
        im2col<float>(win, cg, xg, 0.f, columns.data());
        cols = columns.data();
      }
      const float* bg = bias ? bias + g * mg : nullptr;
      if (isa == Isa::Ref) {
        group_gemm_eigen(mg, out_numel, depth, wg, cols, bg, yg);
        continue;
      }
      const SgemmImageB image{xg, &win};
      group_gemm(isa, mg, out_numel, depth, wg, cols, pointwise || write_columns ? nullptr : &image, bg, yg);
    }
  }
}

}  // namespace octet::kernels
