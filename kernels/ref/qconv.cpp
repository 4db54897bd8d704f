#include "kernels/ref/qconv.h"

#include <vector>

#include "kernels/im2col.h"
#include "kernels/ref/qgemm.h"

namespace octet::kernels {

template <class X, class W>
void conv_s32_ref(const ConvParams& p, const X* x, int32_t x_zero_point, const W* w, const int32_t* w_zp,
                  int64_t w_zp_stride, const int32_t* bias, int32_t* y) {
  const int64_t in_per_group = p.in_channels / p.group, out_per_group = p.out_channels / p.group;
  const int64_t depth = in_per_group * p.window.kernel_numel();
  const int64_t positions = p.window.out_numel();
  const int64_t image = p.in_channels * p.window.in_numel();
  std::vector<X> columns(static_cast<size_t>(depth * positions));
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t g = 0; g < p.group; ++g) {
      im2col(p.window, in_per_group, x + n * image + g * in_per_group * p.window.in_numel(),
             static_cast<X>(x_zero_point), columns.data());
      const int64_t m0 = g * out_per_group;
      int32_t* out = y + (n * p.out_channels + m0) * positions;
      gemm_s32_ref(out_per_group, positions, depth, w + m0 * depth, w_zp ? w_zp + m0 * w_zp_stride : nullptr,
                   w_zp_stride, columns.data(), &x_zero_point, 0, out);
      if (!bias) continue;
      for (int64_t m = 0; m < out_per_group; ++m)
        for (int64_t i = 0; i < positions; ++i)
          out[m * positions + i] = static_cast<int32_t>(static_cast<uint32_t>(out[m * positions + i]) +
                                                        static_cast<uint32_t>(bias[m0 + m]));
    }
}

template <class X, class W, class Y>
void qlinear_conv_ref(const ConvParams& p, const X* x, float x_scale, int32_t x_zero_point, const W* w,
                      const QuantParams& w_qp, const int32_t* bias, float y_scale, int32_t y_zero_point, Y* y) {
  const int64_t positions = p.window.out_numel();
  std::vector<int32_t> acc(static_cast<size_t>(p.batch * p.out_channels * positions));
  conv_s32_ref(p, x, x_zero_point, w, w_qp.zero_point, w_qp.stride, bias, acc.data());
  for (int64_t n = 0; n < p.batch; ++n)
    for (int64_t m = 0; m < p.out_channels; ++m) {
      const float mult = requantize_multiplier(x_scale, w_qp.scale_at(m), y_scale);
      const int64_t base = (n * p.out_channels + m) * positions;
      for (int64_t i = 0; i < positions; ++i) y[base + i] = requantize<Y>(acc[base + i], mult, y_zero_point);
    }
}

#define OCTET_CONV_S32(X, W)                                                                                   \
  template void conv_s32_ref(const ConvParams&, const X*, int32_t, const W*, const int32_t*, int64_t,          \
                             const int32_t*, int32_t*);                                                        \
  template void qlinear_conv_ref(const ConvParams&, const X*, float, int32_t, const W*, const QuantParams&,    \
                                 const int32_t*, float, int32_t, uint8_t*);                                    \
  template void qlinear_conv_ref(const ConvParams&, const X*, float, int32_t, const W*, const QuantParams&,    \
                                 const int32_t*, float, int32_t, int8_t*);
OCTET_CONV_S32(uint8_t, uint8_t)
OCTET_CONV_S32(uint8_t, int8_t)
OCTET_CONV_S32(int8_t, uint8_t)
OCTET_CONV_S32(int8_t, int8_t)
#undef OCTET_CONV_S32

}  // namespace octet::kernels
