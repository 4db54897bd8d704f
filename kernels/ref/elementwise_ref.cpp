#include "kernels/ref/elementwise_ref.h"

#include <algorithm>
#include <type_traits>

namespace octet::kernels {

namespace {

// Wrapping arithmetic in the unsigned type of the same width; converting
// back is modular (well defined since C++20, and what GCC/Clang do before).
template <class T>
struct Wrap {
  using U = std::make_unsigned_t<T>;
  static T add(T a, T b) { return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b))); }
  static T sub(T a, T b) { return static_cast<T>(static_cast<U>(static_cast<U>(a) - static_cast<U>(b))); }
  static T mul(T a, T b) {
    // Unsigned types narrower than int promote to int and could overflow it.
    using Wide = std::conditional_t<(sizeof(U) < sizeof(unsigned)), unsigned, U>;
    return static_cast<T>(static_cast<U>(static_cast<Wide>(static_cast<U>(a)) * static_cast<Wide>(static_cast<U>(b))));
  }
  static T div(T a, T b) {
    if (b == 0) return 0;
    if constexpr (std::is_signed<T>::value)
      if (b == -1) return sub(0, a);
    return static_cast<T>(a / b);
  }
  static T prelu(T a, T b) {
    if constexpr (std::is_signed<T>::value)
      if (a < 0) return mul(a, b);
    return a;
  }
};

template <class T, class F>
void broadcast_binary(const T* a, const std::vector<int64_t>& a_shape, const T* b, const std::vector<int64_t>& b_shape,
                      T* out, const std::vector<int64_t>& out_shape, F f) {
  const BroadcastLoop loop = plan_broadcast(out_shape, a_shape, b_shape);
  const int64_t as = loop.a_inner(), bs = loop.b_inner();
  for_each_run(loop, [&](int64_t ao, int64_t bo, int64_t oo, int64_t n) {
    for (int64_t i = 0; i < n; ++i) out[oo + i] = f(a[ao + i * as], b[bo + i * bs]);
  });
}

}  // namespace

template <class T>
void binary_int(BinaryOp op, const T* a, const std::vector<int64_t>& a_shape, const T* b,
                const std::vector<int64_t>& b_shape, T* out, const std::vector<int64_t>& out_shape) {
  auto run = [&](T (*f)(T, T)) { broadcast_binary(a, a_shape, b, b_shape, out, out_shape, f); };
  switch (op) {
    case BinaryOp::Add: return run(Wrap<T>::add);
    case BinaryOp::Sub: return run(Wrap<T>::sub);
    case BinaryOp::Mul: return run(Wrap<T>::mul);
    case BinaryOp::Div: return run(Wrap<T>::div);
    case BinaryOp::PRelu: return run(Wrap<T>::prelu);
  }
}

template <class T>
void clip_int(const T* x, T* y, int64_t n, T lo, T hi) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::min(std::max(x[i], lo), hi);
}

#define OCTET_INSTANTIATE(T)                                                                             \
  template void binary_int<T>(BinaryOp, const T*, const std::vector<int64_t>&, const T*,                \
                              const std::vector<int64_t>&, T*, const std::vector<int64_t>&);             \
  template void clip_int<T>(const T*, T*, int64_t, T, T);
OCTET_INSTANTIATE(int8_t)
OCTET_INSTANTIATE(uint8_t)
OCTET_INSTANTIATE(int32_t)
OCTET_INSTANTIATE(int64_t)
#undef OCTET_INSTANTIATE

}  // namespace octet::kernels
