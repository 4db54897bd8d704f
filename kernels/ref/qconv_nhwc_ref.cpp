#include "kernels/ref/qconv_nhwc_ref.h"

namespace octet::kernels {

namespace {

// Dimension d of a rank-1 or rank-2 window, seen as 2-D (height first).
int64_t dim2(const std::vector<int64_t>& v, int d, int64_t one) {
  if (v.size() == 1) return d == 0 ? one : v[0];
  return v[static_cast<size_t>(d)];
}

}  // namespace

void qconv_nhwc_ref(const ConvParams& p, const uint8_t* x, int32_t x_zero_point, const int8_t* w,
                    const int32_t* bias, const QConvOutput& out, void* y) {
  const SpatialWindow& win = p.window;
  const int64_t H = dim2(win.in_size, 0, 1), W = dim2(win.in_size, 1, 1);
  const int64_t KH = dim2(win.kernel, 0, 1), KW = dim2(win.kernel, 1, 1);
  const int64_t SH = dim2(win.stride, 0, 1), SW = dim2(win.stride, 1, 1);
  const int64_t DH = dim2(win.dilation, 0, 1), DW = dim2(win.dilation, 1, 1);
  const int64_t PT = dim2(win.pad_begin, 0, 0), PL = dim2(win.pad_begin, 1, 0);
  const int64_t OH = dim2(win.out_size, 0, 1), OW = dim2(win.out_size, 1, 1);
  const int64_t C = p.in_channels, M = p.out_channels, cg = C / p.group, mg = M / p.group;
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow)
        for (int64_t m = 0; m < M; ++m) {
          const int64_t g = m / mg;
          uint32_t acc = bias ? static_cast<uint32_t>(bias[m]) : 0u;
          for (int64_t i = 0; i < KH; ++i) {
            const int64_t ih = oh * SH - PT + i * DH;
            if (ih < 0 || ih >= H) continue;
            for (int64_t j = 0; j < KW; ++j) {
              const int64_t iw = ow * SW - PL + j * DW;
              if (iw < 0 || iw >= W) continue;
              const uint8_t* px = x + ((n * H + ih) * W + iw) * C + g * cg;
              for (int64_t c = 0; c < cg; ++c) {
                const int32_t xv = static_cast<int32_t>(px[c]) - x_zero_point;
                const int32_t wv = w[((m * cg + c) * KH + i) * KW + j];
                acc += static_cast<uint32_t>(xv * wv);
              }
            }
          }
          const float mult = out.type == QGemmOutput::S32 ? 0.f : out.multiplier[out.per_channel ? m : 0];
          store_output(out.type, static_cast<int32_t>(acc), mult, out.zero_point, out.qmin, out.qmax, y,
                       ((n * OH + oh) * OW + ow) * M + m);
        }
}

}  // namespace octet::kernels
