#include "kernels/ref/dwconv_f32_ref.h"

#include <cmath>

namespace octet::kernels {

namespace {

float output_at(const QConvShape& s, const float* x, const float* w, float acc, int64_t oh, int64_t ow) {
  for (int64_t i = 0; i < s.kernel_h; ++i) {
    const int64_t ih = oh * s.stride_h - s.pad_top + i * s.dilation_h;
    if (ih < 0 || ih >= s.in_h) continue;
    for (int64_t j = 0; j < s.kernel_w; ++j) {
      const int64_t iw = ow * s.stride_w - s.pad_left + j * s.dilation_w;
      if (iw < 0 || iw >= s.in_w) continue;
      acc = std::fma(w[i * s.kernel_w + j], x[ih * s.in_w + iw], acc);
    }
  }
  return acc;
}

}  // namespace

void dwconv_f32_ref(const QConvShape& s, int64_t planes, const float* x, const float* w, const float* bias,
                    float* y) {
  const int64_t taps = s.kernel_h * s.kernel_w;
  for (int64_t q = 0; q < planes; ++q) {
    const int64_t c = q % s.in_channels;
    const float* xq = x + q * s.in_h * s.in_w;
    float* yq = y + q * s.out_h * s.out_w;
    const float b = bias ? bias[c] : 0.f;
    for (int64_t oh = 0; oh < s.out_h; ++oh)
      for (int64_t ow = 0; ow < s.out_w; ++ow) yq[oh * s.out_w + ow] = output_at(s, xq, w + c * taps, b, oh, ow);
  }
}

}  // namespace octet::kernels
