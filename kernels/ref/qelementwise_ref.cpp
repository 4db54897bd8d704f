#include "kernels/ref/qelementwise_ref.h"

#include <algorithm>
#include <utility>

namespace octet::kernels {

QBinaryParams QBinaryParams::swapped() const {
  QBinaryParams s = *this;
  std::swap(s.a_scale, s.b_scale);
  std::swap(s.a_zero_point, s.b_zero_point);
  return s;
}

QBinaryMultipliers qbinary_multipliers(const QBinaryParams& p) {
  QBinaryMultipliers m;
  if (p.op == QBinaryOp::Add) {
    m.a = p.a_scale / p.y_scale;
    m.b = p.b_scale / p.y_scale;
  } else {
    const float ab = p.a_scale * p.b_scale;
    m.a = ab / p.y_scale;
  }
  return m;
}

namespace {

template <class T> T clamp_output(float v, const QBinaryParams& p) {
  const int32_t q = quantize_scaled<T>(v, p.y_zero_point);
  return static_cast<T>(std::min(std::max(q, p.qmin), p.qmax));
}

}  // namespace

template <class T>
void qbinary_ref(const QBinaryParams& p, const T* a, const T* b, T* y, int64_t n, bool b_scalar) {
  const QBinaryMultipliers m = qbinary_multipliers(p);
  for (int64_t i = 0; i < n; ++i) {
    const int32_t da = int32_t(a[i]) - p.a_zero_point;
    const int32_t db = int32_t(b_scalar ? b[0] : b[i]) - p.b_zero_point;
    float v;
    if (p.op == QBinaryOp::Add) {
      // This file gets no -mfma, so these are two roundings and an add, as
      // the SIMD kernels' mulps, mulps, addps.
      const float pa = static_cast<float>(da) * m.a;
      const float pb = static_cast<float>(db) * m.b;
      v = pa + pb;
    } else {
      v = static_cast<float>(da * db) * m.a;
    }
    y[i] = clamp_output<T>(v, p);
  }
}

template <class T>
void requantize_ref(const T* x, int64_t n, float x_scale, int32_t x_zero_point, float y_scale,
                    int32_t y_zero_point, T* y) {
  const float m = x_scale / y_scale;
  for (int64_t i = 0; i < n; ++i)
    y[i] = quantize_scaled<T>(static_cast<float>(int32_t(x[i]) - x_zero_point) * m, y_zero_point);
}

template <class T>
void qconcat_ref(const QConcatInput<T>* inputs, int64_t count, int64_t outer, int64_t inner, float y_scale,
                 int32_t y_zero_point, T* y) {
  int64_t y_axis = 0;
  for (int64_t j = 0; j < count; ++j) y_axis += inputs[j].axis_size;
  for (int64_t o = 0; o < outer; ++o) {
    T* row = y + o * y_axis * inner;
    for (int64_t j = 0; j < count; ++j) {
      const QConcatInput<T>& in = inputs[j];
      const int64_t len = in.axis_size * inner;
      requantize_ref(in.data + o * len, len, in.scale, in.zero_point, y_scale, y_zero_point, row);
      row += len;
    }
  }
}

template void qbinary_ref(const QBinaryParams&, const uint8_t*, const uint8_t*, uint8_t*, int64_t, bool);
template void qbinary_ref(const QBinaryParams&, const int8_t*, const int8_t*, int8_t*, int64_t, bool);
template void requantize_ref(const uint8_t*, int64_t, float, int32_t, float, int32_t, uint8_t*);
template void requantize_ref(const int8_t*, int64_t, float, int32_t, float, int32_t, int8_t*);
template void qconcat_ref(const QConcatInput<uint8_t>*, int64_t, int64_t, int64_t, float, int32_t, uint8_t*);
template void qconcat_ref(const QConcatInput<int8_t>*, int64_t, int64_t, int64_t, float, int32_t, int8_t*);

}  // namespace octet::kernels
