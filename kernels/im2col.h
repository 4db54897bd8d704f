#pragma once
// im2col: lays out every window of a [channels, in...] image as a column so
// a convolution becomes one GEMM, weights [M, channels * kernel_numel] times
// columns [channels * kernel_numel, out_numel]. Row (c, k1..kr) holds, for
// each output position, the input element under kernel tap (k1..kr) of
// channel c, or pad_value where the tap falls in the padding (0 for float;
// the zero point for quantized input).
#include <cstdint>

#include "kernels/window.h"

namespace octet::kernels {

// Instantiated for float, uint8_t and int8_t.
template <class T>
void im2col(const SpatialWindow& w, int64_t channels, const T* image, T pad_value, T* columns);

}  // namespace octet::kernels
