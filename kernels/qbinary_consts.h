#pragma once
// The constants of the quantized Add / Mul kernels, resolved once by
// kernels/qelementwise.cpp and handed to every level's loop (x86 and ARM),
// so every level uses the same bits.
#include <cstdint>

namespace octet::kernels {

// v = float(a - za) * ma + float(b - zb) * mb (Add) or
// v = float((a - za) * (b - zb)) * ma (Mul), then clamp v to [lo, hi] =
// [qmin - zy, qmax - zy], round half even and add zy.
struct QBinaryConsts {
  int32_t za = 0, zb = 0, zy = 0;
  float ma = 0.0f, mb = 0.0f;
  float lo = 0.0f, hi = 0.0f;
};

}  // namespace octet::kernels
