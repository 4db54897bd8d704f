#pragma once
// Scalar reference for the quantized pools on channels-last (NHWC) data:
// x is [batch, in_size..., channels], y is [batch, out_size..., channels],
// any spatial rank, kernel, stride, dilation and padding (SpatialWindow).
// Int8 pools run channels-last so the SIMD kernels vectorize over channels.
//
// AveragePool arithmetic (exact integers, then one float32 requantization):
//   sum   = sum of x over the window's taps inside the input   (int32)
//   acc   = sum - taps_inside * zx                             (int32, exact)
//   count = taps_inside, or with count_include_pad the taps inside the
//           padded input (taps past the end padding, from ceil_mode, never
//           count), as average_pool_f32
//   v     = float(acc) * m,   m = sx / (sy * float(count))      (float32)
//   y     = quantize_scaled(v, zy): round half even, + zy, saturate
// A window with count 0 gives zy (real 0). float(acc) is exact for windows
// of up to 65793 taps; beyond that it still rounds the same at every level.
#include <cstdint>

#include "kernels/ref/requantize.h"
#include "kernels/window.h"

namespace octet::kernels {

struct QPoolParams {
  int64_t batch = 1;
  int64_t channels = 0;
  SpatialWindow window;
};

// The float32 multiplier above (0 when count is 0), shared by every level.
inline float qaverage_multiplier(float x_scale, float y_scale, int64_t count) {
  if (count <= 0) return 0.0f;
  const float divisor = y_scale * static_cast<float>(count);
  return x_scale / divisor;
}

// y = max over the window's taps inside the input (padding ignored); a
// window with no such tap gives the type's lowest value. T is uint8_t or int8_t.
template <class T>
void qmax_pool_nhwc_ref(const QPoolParams& p, const T* x, T* y);

void qaverage_pool_nhwc_u8_ref(const QPoolParams& p, const uint8_t* x, float x_scale, int32_t x_zero_point,
                               float y_scale, int32_t y_zero_point, bool count_include_pad, uint8_t* y);

// The average over plane_size pixels, count = plane_size, same arithmetic.
// nhwc: x is [batch, plane_size, channels]; else [batch, channels, plane_size].
// y is [batch, channels] either way.
void qglobal_average_pool_u8_ref(int64_t batch, int64_t channels, int64_t plane_size, bool nhwc,
                                 const uint8_t* x, float x_scale, int32_t x_zero_point, float y_scale,
                                 int32_t y_zero_point, uint8_t* y);

}  // namespace octet::kernels
