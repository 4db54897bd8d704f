#include "kernels/ref/quantize.h"

#include <algorithm>

namespace octet::kernels {

template <class X, class Q>
void quantize_linear_ref(const X* x, const AxisSplit& s, const QuantParams& qp, Q* y) {
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t c = 0; c < s.channels; ++c) {
      const float scale = qp.scale_at(c);
      const int32_t zp = qp.zero_point_at(c);
      const int64_t base = (o * s.channels + c) * s.inner;
      for (int64_t i = 0; i < s.inner; ++i)
        y[base + i] = quantize_value<Q>(static_cast<float>(x[base + i]), scale, zp);
    }
}

template <class X>
void dequantize_linear_ref(const X* x, const AxisSplit& s, const QuantParams& qp, float* y) {
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t c = 0; c < s.channels; ++c) {
      const float scale = qp.scale_at(c);
      const int64_t zp = qp.zero_point_at(c);
      const int64_t base = (o * s.channels + c) * s.inner;
      for (int64_t i = 0; i < s.inner; ++i)
        y[base + i] = static_cast<float>(static_cast<int64_t>(x[base + i]) - zp) * scale;
    }
}

void range_with_zero_ref(const float* x, int64_t n, float* lo_out, float* hi_out) {
  float lo = 0.0f, hi = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
  }
  *lo_out = lo;
  *hi_out = hi;
}

void dynamic_quantize_params(const float* x, int64_t n, float* scale, uint8_t* zero_point) {
  float lo = 0.0f, hi = 0.0f;
  range_with_zero_ref(x, n, &lo, &hi);
  dynamic_params_from_range(lo, hi, scale, zero_point);
}

void dynamic_params_from_range(float lo, float hi, float* scale, uint8_t* zero_point) {
  if (hi == lo) {
    *scale = 1.0f;
    *zero_point = 0;
    return;
  }
  *scale = (hi - lo) / 255.0f;
  const float initial_zero_point = 0.0f - lo / *scale;
  *zero_point = quantize_scaled<uint8_t>(std::min(std::max(initial_zero_point, 0.0f), 255.0f), 0);
}

template void quantize_linear_ref(const float*, const AxisSplit&, const QuantParams&, uint8_t*);
template void quantize_linear_ref(const float*, const AxisSplit&, const QuantParams&, int8_t*);
template void quantize_linear_ref(const int32_t*, const AxisSplit&, const QuantParams&, uint8_t*);
template void quantize_linear_ref(const int32_t*, const AxisSplit&, const QuantParams&, int8_t*);
template void dequantize_linear_ref(const uint8_t*, const AxisSplit&, const QuantParams&, float*);
template void dequantize_linear_ref(const int8_t*, const AxisSplit&, const QuantParams&, float*);
template void dequantize_linear_ref(const int32_t*, const AxisSplit&, const QuantParams&, float*);

}  // namespace octet::kernels
