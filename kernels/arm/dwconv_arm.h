#pragma once
// The NEON depthwise convolution microkernel (see kernels/ref/dwconv_ref.h
// for the arguments and the indirection scheme), both ARM levels: each u8
// widened to 16 bits (0..255 fits int16) times the s8 weight sign-extended
// to int16, accumulated into int32 by smlal / smlal2, exact. Weights are
// int16 [taps][weights_stride], packed by dwconv_pack_neon. Call only at a
// level isa_supported() reports.
#include <cstdint>

#include "kernels/ref/dwconv_ref.h"

namespace octet::kernels::arm {

// w: ONNX depthwise weights [channels][taps] into int16 [taps][stride],
// stride >= channels (the padding stays as the caller zeroed it).
void dwconv_pack_neon(int64_t channels, int64_t taps, const int8_t* w, int64_t stride, int16_t* packed);
void dwconv_u8s8_neon(const DwConvArgs& a);

}  // namespace octet::kernels::arm
