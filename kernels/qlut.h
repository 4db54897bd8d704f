#pragma once
// Any unary op on 8-bit quantized data as a 256-entry table, built once from
// the input and output qparams with the op's float32 reference:
//
//   table[q] = quantize_value(f(float(x - zx) * sx), sy, zy)
//
// (dequantize as DequantizeLinear, quantize as QuantizeLinear; x is the
// signed or unsigned value whose bit pattern is q). apply_lut_u8 then maps
// bytes, so int8 data uses the same kernel on its bit patterns.
#include <cstdint>
#include <functional>

#include "kernels/isa.h"

namespace octet::kernels {

using UnaryFn = std::function<float(float)>;

// T is the element type (uint8_t or int8_t) both sides share; the table is
// indexed by the input's byte and holds the output's byte.
template <class T>
void build_lut(const UnaryFn& f, float x_scale, int32_t x_zero_point, float y_scale, int32_t y_zero_point,
               uint8_t table[256]);

inline void build_lut_u8(const UnaryFn& f, float x_scale, int32_t x_zero_point, float y_scale,
                         int32_t y_zero_point, uint8_t table[256]) {
  build_lut<uint8_t>(f, x_scale, x_zero_point, y_scale, y_zero_point, table);
}

// y[i] = table[x[i]]; y may alias x.
void apply_lut_u8(Isa isa, const uint8_t table[256], const uint8_t* x, uint8_t* y, int64_t n);
void apply_lut_ref(const uint8_t table[256], const uint8_t* x, uint8_t* y, int64_t n);

// The float32 functions of the usual unary ops, with ONNX's definitions
// (std:: math in float), to pass to build_lut.
namespace lut_fn {
UnaryFn relu();
UnaryFn clip(float lo, float hi);  // min(max(x, lo), hi)
UnaryFn leaky_relu(float alpha);
UnaryFn sigmoid();
UnaryFn tanh();
UnaryFn hard_sigmoid(float alpha, float beta);  // clamp(alpha * x + beta, 0, 1)
UnaryFn hard_swish();                           // x * clamp(x / 6 + 1/2, 0, 1)
UnaryFn elu(float alpha);
UnaryFn selu(float alpha, float gamma);
UnaryFn exp();
UnaryFn gelu();  // 0.5 x (1 + erf(x / sqrt(2)))
UnaryFn abs();
UnaryFn neg();
}  // namespace lut_fn

}  // namespace octet::kernels
