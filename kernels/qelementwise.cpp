#include "kernels/qelementwise.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "kernels/arm/qelementwise_arm.h"
#include "kernels/x86/qelementwise_x86.h"

namespace octet::kernels {

namespace {

template <class T> QBinaryConsts binary_consts(const QBinaryParams& p) {
  const int32_t tmin = std::numeric_limits<T>::min(), tmax = std::numeric_limits<T>::max();
  const QBinaryMultipliers m = qbinary_multipliers(p);
  QBinaryConsts k;
  k.za = p.a_zero_point;
  k.zb = p.b_zero_point;
  k.zy = p.y_zero_point;
  k.ma = m.a;
  k.mb = m.b;
  k.lo = static_cast<float>(std::max(p.qmin, tmin) - p.y_zero_point);
  k.hi = static_cast<float>(std::min(p.qmax, tmax) - p.y_zero_point);
  return k;
}

template <class T> QBinaryConsts requantize_consts(float x_scale, int32_t x_zp, float y_scale, int32_t y_zp) {
  QBinaryParams p;
  p.a_scale = x_scale;
  p.a_zero_point = x_zp;
  p.y_scale = y_scale;
  p.y_zero_point = y_zp;
  p.qmin = std::numeric_limits<T>::min();
  p.qmax = std::numeric_limits<T>::max();
  return binary_consts<T>(p);  // ma = x_scale / y_scale, as requantize_ref
}

[[noreturn]] void unsupported(Isa isa) {
  throw std::logic_error(std::string("quantized elementwise: no kernel for level ") + isa_name(isa));
}

// The level's loops (kernels/x86/qelementwise_x86.h,
// kernels/arm/qelementwise_arm.h); both ARM levels share the NEON ones.
template <class T> struct BinaryKernels {
  void (*add)(const QBinaryConsts&, const T*, const T*, T*, int64_t);
  void (*mul)(const QBinaryConsts&, const T*, const T*, T*, int64_t);
  void (*add_scalar)(const QBinaryConsts&, const T*, float, T*, int64_t);
  void (*mul_scalar)(const QBinaryConsts&, const T*, int32_t, T*, int64_t);
};

template <class T> BinaryKernels<T> binary_kernels(Isa isa) {
#if defined(__x86_64__) || defined(_M_X64)
  if (isa == Isa::Avx2) return {x86::qadd_avx2<T>, x86::qmul_avx2<T>, x86::qadd_scalar_avx2<T>, x86::qmul_scalar_avx2<T>};
  if (runs_avx512vnni(isa))
    return {x86::qadd_avx512vnni<T>, x86::qmul_avx512vnni<T>, x86::qadd_scalar_avx512vnni<T>,
            x86::qmul_scalar_avx512vnni<T>};
#endif
#if defined(__aarch64__)
  if (is_arm(isa)) return {arm::qadd_neon<T>, arm::qmul_neon<T>, arm::qadd_scalar_neon<T>, arm::qmul_scalar_neon<T>};
#endif
  unsupported(isa);
}

template <class T>
void qbinary_simd(Isa isa, const QBinaryParams& p, const T* a, const T* b, T* y, int64_t n, bool b_scalar) {
  const BinaryKernels<T> kern = binary_kernels<T>(isa);
  const QBinaryConsts k = binary_consts<T>(p);
  if (p.op == QBinaryOp::Add) {
    if (!b_scalar) return kern.add(k, a, b, y, n);
    // The same float product the ref forms per element.
    const float b_term = static_cast<float>(int32_t(b[0]) - p.b_zero_point) * k.mb;
    return kern.add_scalar(k, a, b_term, y, n);
  }
  if (!b_scalar) return kern.mul(k, a, b, y, n);
  kern.mul_scalar(k, a, int32_t(b[0]) - p.b_zero_point, y, n);
}

}  // namespace

template <class T>
void qbinary(Isa isa, const QBinaryParams& p, const T* a, const T* b, T* y, int64_t n, bool b_scalar) {
  if (n <= 0) return;
  if (isa == Isa::Ref) return qbinary_ref(p, a, b, y, n, b_scalar);
  qbinary_simd(isa, p, a, b, y, n, b_scalar);
}

template <class T>
void qrequantize(Isa isa, const T* x, int64_t n, float x_scale, int32_t x_zero_point, float y_scale,
                 int32_t y_zero_point, T* y) {
  if (n <= 0) return;
  if (isa == Isa::Ref) return requantize_ref(x, n, x_scale, x_zero_point, y_scale, y_zero_point, y);
  if (x_scale == y_scale && x_zero_point == y_zero_point) {  // m == 1 exactly: the identity
    if (x != y) std::memmove(y, x, static_cast<size_t>(n) * sizeof(T));
    return;
  }
  const QBinaryConsts k = requantize_consts<T>(x_scale, x_zero_point, y_scale, y_zero_point);
  // x * m + 0.0f == x * m for every finite product, so Add-scalar with a
  // zero term is exactly requantize_ref.
  binary_kernels<T>(isa).add_scalar(k, x, 0.0f, y, n);
}

template <class T>
void qconcat(Isa isa, const QConcatInput<T>* inputs, int64_t count, int64_t outer, int64_t inner, float y_scale,
             int32_t y_zero_point, T* y) {
  if (isa == Isa::Ref) return qconcat_ref(inputs, count, outer, inner, y_scale, y_zero_point, y);
  int64_t y_axis = 0;
  for (int64_t j = 0; j < count; ++j) y_axis += inputs[j].axis_size;
  for (int64_t o = 0; o < outer; ++o) {
    T* row = y + o * y_axis * inner;
    for (int64_t j = 0; j < count; ++j) {
      const QConcatInput<T>& in = inputs[j];
      const int64_t len = in.axis_size * inner;
      qrequantize(isa, in.data + o * len, len, in.scale, in.zero_point, y_scale, y_zero_point, row);
      row += len;
    }
  }
}

#define OCTET_INSTANTIATE(T)                                                                              \
  template void qbinary(Isa, const QBinaryParams&, const T*, const T*, T*, int64_t, bool);                \
  template void qrequantize(Isa, const T*, int64_t, float, int32_t, float, int32_t, T*);                  \
  template void qconcat(Isa, const QConcatInput<T>*, int64_t, int64_t, int64_t, float, int32_t, T*);
OCTET_INSTANTIATE(uint8_t)
OCTET_INSTANTIATE(int8_t)
#undef OCTET_INSTANTIATE

}  // namespace octet::kernels
