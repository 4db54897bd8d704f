#pragma once
// Scalar truth for kernels/qconv.h: the NHWC INT8 convolution written as its
// definition (direct loops over output pixels, taps and channels, zero point
// subtracted per tap, padding skipped), with no folding, packing or
// indirection, so it shares no logic with the paths it checks.
#include <algorithm>
#include <cstdint>

#include "kernels/qconv.h"
#include "kernels/ref/requantize.h"

namespace octet::kernels {

// requantize() followed by the fused activation's clamp. A SIMD kernel
// clamps the scaled float to [qmin - zp, qmax - zp] before rounding instead;
// with integer bounds and monotonic rounding both give the same value.
template <class Q>
inline Q requantize_clamped(int32_t acc, float multiplier, int32_t zero_point, int32_t qmin, int32_t qmax) {
  const int32_t q = requantize<Q>(acc, multiplier, zero_point);
  return static_cast<Q>(std::min(std::max(q, qmin), qmax));
}

// Writes element `index` of y as the output type wants it.
inline void store_output(QGemmOutput type, int32_t acc, float multiplier, int32_t zero_point, int32_t qmin,
                         int32_t qmax, void* y, int64_t index) {
  switch (type) {
    case QGemmOutput::U8:
      static_cast<uint8_t*>(y)[index] = requantize_clamped<uint8_t>(acc, multiplier, zero_point, qmin, qmax);
      break;
    case QGemmOutput::S8:
      static_cast<int8_t*>(y)[index] = requantize_clamped<int8_t>(acc, multiplier, zero_point, qmin, qmax);
      break;
    case QGemmOutput::S32:
      static_cast<int32_t*>(y)[index] = acc;
      break;
    case QGemmOutput::F32:
      static_cast<float*>(y)[index] = static_cast<float>(acc) * multiplier;
      break;
  }
}

// x: NHWC [N, H, W, C]; w: ONNX [M, C/group, kh, kw]; y: NHWC [N, OH, OW, M]
// of out.type. p.window has rank 1 or 2. The accumulator wraps modulo 2^32.
void qconv_nhwc_ref(const ConvParams& p, const uint8_t* x, int32_t x_zero_point, const int8_t* w,
                    const int32_t* bias, const QConvOutput& out, void* y);

}  // namespace octet::kernels
