#include "kernels/qlut.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "kernels/arm/qelementwise_arm.h"
#include "kernels/ref/requantize.h"
#include "kernels/x86/qelementwise_x86.h"

namespace octet::kernels {

template <class T>
void build_lut(const UnaryFn& f, float x_scale, int32_t x_zero_point, float y_scale, int32_t y_zero_point,
               uint8_t table[256]) {
  for (int byte = 0; byte < 256; ++byte) {
    const T q = static_cast<T>(static_cast<uint8_t>(byte));
    const float x = static_cast<float>(int32_t(q) - x_zero_point) * x_scale;
    const T out = quantize_value<T>(f(x), y_scale, y_zero_point);
    table[byte] = static_cast<uint8_t>(out);
  }
}

template void build_lut<uint8_t>(const UnaryFn&, float, int32_t, float, int32_t, uint8_t*);
template void build_lut<int8_t>(const UnaryFn&, float, int32_t, float, int32_t, uint8_t*);

void apply_lut_ref(const uint8_t table[256], const uint8_t* x, uint8_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = table[x[i]];
}

void apply_lut_u8(Isa isa, const uint8_t table[256], const uint8_t* x, uint8_t* y, int64_t n) {
  if (n <= 0) return;
  switch (isa) {
    case Isa::Ref: return apply_lut_ref(table, x, y, n);
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::Avx2: return x86::apply_lut_u8_avx2(table, x, y, n);
    case Isa::Avx512Vnni:
    case Isa::Amx:
      return x86::cpu_has_avx512vbmi() ? x86::apply_lut_u8_avx512vbmi(table, x, y, n)
                                       : x86::apply_lut_u8_avx512vnni(table, x, y, n);
#endif
#if defined(__aarch64__)
    case Isa::Neon:
    case Isa::NeonDot: return arm::apply_lut_u8_neon(table, x, y, n);
#endif
    default: throw std::logic_error(std::string("apply_lut_u8: no kernel for level ") + isa_name(isa));
  }
}

#if defined(__x86_64__) || defined(_M_X64)
// VBMI sits beside the Avx512Vnni level (Ice Lake and Zen 4 have it, Cascade
// Lake does not); that level's check already covers the OS's zmm state.
bool x86::cpu_has_avx512vbmi() {
  static const bool has = __builtin_cpu_supports("avx512vbmi");
  return has;
}
#endif

namespace lut_fn {
UnaryFn relu() {
  return [](float x) { return x > 0.0f ? x : 0.0f; };
}
UnaryFn clip(float lo, float hi) {
  return [lo, hi](float x) { return std::min(std::max(x, lo), hi); };
}
UnaryFn leaky_relu(float alpha) {
  return [alpha](float x) { return x < 0.0f ? alpha * x : x; };
}
UnaryFn sigmoid() {
  return [](float x) { return 1.0f / (1.0f + std::exp(-x)); };
}
UnaryFn tanh() {
  return [](float x) { return std::tanh(x); };
}
UnaryFn hard_sigmoid(float alpha, float beta) {
  return [alpha, beta](float x) { return std::min(std::max(alpha * x + beta, 0.0f), 1.0f); };
}
UnaryFn hard_swish() {
  return [](float x) { return x * std::min(std::max(x / 6.0f + 0.5f, 0.0f), 1.0f); };
}
UnaryFn elu(float alpha) {
  return [alpha](float x) { return x < 0.0f ? alpha * (std::exp(x) - 1.0f) : x; };
}
UnaryFn selu(float alpha, float gamma) {
  return [alpha, gamma](float x) { return x <= 0.0f ? gamma * (alpha * std::exp(x) - alpha) : gamma * x; };
}
UnaryFn exp() {
  return [](float x) { return std::exp(x); };
}
UnaryFn gelu() {
  return [](float x) { return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f)); };
}
UnaryFn abs() {
  return [](float x) { return std::fabs(x); };
}
UnaryFn neg() {
  return [](float x) { return -x; };
}
}  // namespace lut_fn

}  // namespace octet::kernels
