#include "kernels/ref/dwconv_ref.h"

#include "kernels/ref/qconv_nhwc_ref.h"

namespace octet::kernels {

void dwconv_u8s8_ref(const DwConvArgs& a) {
  const int32_t* weights = static_cast<const int32_t*>(a.weights);
  for (int64_t p = 0; p < a.pixels; ++p) {
    const uint8_t* const* taps = a.input + p * a.taps;
    for (int64_t c = 0; c < a.channels; ++c) {
      // uint32 so an (unsupported) overflow wraps like the SIMD adds instead of being UB.
      uint32_t acc = static_cast<uint32_t>(a.bias[c]);
      for (int64_t t = 0; t < a.taps; ++t)
        acc += static_cast<uint32_t>(static_cast<int32_t>(taps[t][c]) * weights[t * a.weights_stride + c]);
      store_output(a.type, static_cast<int32_t>(acc), a.multiplier[c], a.zero_point, a.qmin, a.qmax, a.y,
                   p * a.y_stride + c);
    }
  }
}

}  // namespace octet::kernels
