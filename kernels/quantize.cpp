#include "kernels/quantize.h"

#include <stdexcept>
#include <string>

#include "kernels/ref/quantize.h"
#include "kernels/ref/requantize.h"
#if defined(__x86_64__) || defined(_M_X64)
#include "kernels/x86/quantize_x86.h"
#endif
#if defined(__aarch64__)
#include "kernels/arm/quantize_arm.h"
#endif

namespace octet::kernels {

template <class Q>
void quantize_f32(Isa isa, const float* x, int64_t n, float scale, int32_t zero_point, Q* y) {
  switch (isa) {
    case Isa::Ref:
      for (int64_t i = 0; i < n; ++i) y[i] = quantize_value<Q>(x[i], scale, zero_point);
      return;
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::Avx2: return x86::quantize_f32_avx2(x, n, scale, zero_point, y);
    case Isa::Avx512Vnni:
    case Isa::Amx: return x86::quantize_f32_avx512vnni(x, n, scale, zero_point, y);
#endif
#if defined(__aarch64__)
    case Isa::Neon:
    case Isa::NeonDot: return arm::quantize_f32_neon(x, n, scale, zero_point, y);
#endif
    default: throw std::logic_error(std::string("quantize_f32: no kernel for level ") + isa_name(isa));
  }
}

template void quantize_f32<uint8_t>(Isa, const float*, int64_t, float, int32_t, uint8_t*);
template void quantize_f32<int8_t>(Isa, const float*, int64_t, float, int32_t, int8_t*);

void range_with_zero(Isa isa, const float* x, int64_t n, float* lo, float* hi) {
  switch (isa) {
    case Isa::Ref: return range_with_zero_ref(x, n, lo, hi);
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::Avx2: return x86::range_with_zero_avx2(x, n, lo, hi);
    case Isa::Avx512Vnni:
    case Isa::Amx: return x86::range_with_zero_avx512vnni(x, n, lo, hi);
#endif
#if defined(__aarch64__)
    case Isa::Neon:
    case Isa::NeonDot: return arm::range_with_zero_neon(x, n, lo, hi);
#endif
    default: throw std::logic_error(std::string("range_with_zero: no kernel for level ") + isa_name(isa));
  }
}

void dynamic_quantize_u8(Isa isa, const float* x, int64_t n, float* scale, int32_t* zero_point, uint8_t* xq) {
  float lo = 0.0f, hi = 0.0f;
  range_with_zero(isa, x, n, &lo, &hi);
  uint8_t zp = 0;
  dynamic_params_from_range(lo, hi, scale, &zp);
  *zero_point = zp;
  quantize_f32<uint8_t>(isa, x, n, *scale, zp, xq);
}

}  // namespace octet::kernels
