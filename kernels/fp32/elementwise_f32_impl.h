// The elementwise kernels' bodies (contract: elementwise_f32.h), compiled
// once per ISA build: a file that defines OCTET_FP32_LEVEL to a namespace
// name and includes this gets them in octet::kernels::<that namespace>,
// with xsimd's batch as wide as that file's compile flags allow
// (elementwise_f32.cpp, elementwise_f32_avx2.cpp, ..._avx512vnni.cpp).
#include <cmath>

#include "kernels/fp32/elementwise_f32.h"
#include "kernels/fp32/float_batch.h"
#include "kernels/fp32/portable_exp.h"

#ifndef OCTET_FP32_LEVEL
#error "define OCTET_FP32_LEVEL before including elementwise_f32_impl.h"
#endif

namespace octet::kernels::OCTET_FP32_LEVEL {

namespace {

using fp32::Batch;
using fp32::kWidth;
using fp32::where;

using fp32::clamp_to;

template <class F>
void map(const float* x, float* y, int64_t n, F f) {
  int64_t i = 0;
  for (; i + kWidth <= n; i += kWidth) f(Batch::load_unaligned(x + i)).store_unaligned(y + i);
  for (; i < n; ++i) y[i] = f(x[i]);
}

// One broadcast run: each operand is contiguous (step 1) or one repeated
// element (step 0).
template <class F>
void run_binary(const float* a, int64_t a_step, const float* b, int64_t b_step, float* out, int64_t n, F f) {
  if (a_step && b_step) {
    int64_t i = 0;
    for (; i + kWidth <= n; i += kWidth)
      f(Batch::load_unaligned(a + i), Batch::load_unaligned(b + i)).store_unaligned(out + i);
    for (; i < n; ++i) out[i] = f(a[i], b[i]);
  } else if (a_step) {
    const float bv = *b;
    map(a, out, n, [&](auto v) { return f(v, decltype(v)(bv)); });
  } else if (b_step) {
    const float av = *a;
    map(b, out, n, [&](auto v) { return f(decltype(v)(av), v); });
  } else {
    const float r = f(*a, *b);
    for (int64_t i = 0; i < n; ++i) out[i] = r;
  }
}

template <class F>
void broadcast_binary(const float* a, const std::vector<int64_t>& a_shape, const float* b,
                      const std::vector<int64_t>& b_shape, float* out, const std::vector<int64_t>& out_shape, F f) {
  const BroadcastLoop loop = plan_broadcast(out_shape, a_shape, b_shape);
  for_each_run(loop, [&](int64_t ao, int64_t bo, int64_t oo, int64_t n) {
    run_binary(a + ao, loop.a_inner(), b + bo, loop.b_inner(), out + oo, n, f);
  });
}

}  // namespace

void relu_f32(const float* x, float* y, int64_t n) {
  map(x, y, n, [](auto v) { using V = decltype(v); return where(v < V(0.f), V(0.f), v); });
}

void leaky_relu_f32(const float* x, float* y, int64_t n, float alpha) {
  map(x, y, n, [=](auto v) { using V = decltype(v); return where(v < V(0.f), v * V(alpha), v); });
}

void clip_f32(const float* x, float* y, int64_t n, float lo, float hi) {
  map(x, y, n, [=](auto v) { return clamp_to(v, lo, hi); });
}

// The same bits on every target and level (portable_exp.h says why).
void sigmoid_f32(const float* x, float* y, int64_t n) {
  map(x, y, n, [](auto v) { return fp32::sigmoid_portable(v); });
}

void tanh_f32(const float* x, float* y, int64_t n) {
  map(x, y, n, [](auto v) { return fp32::tanh_portable(v); });
}

void hard_sigmoid_f32(const float* x, float* y, int64_t n, float alpha, float beta) {
  map(x, y, n, [=](auto v) { using V = decltype(v); return clamp_to(v * V(alpha) + V(beta), 0.f, 1.f); });
}

void hard_swish_f32(const float* x, float* y, int64_t n) {
  map(x, y, n, [](auto v) {
    using V = decltype(v);
    return v * clamp_to(v * V(1.f / 6.f) + V(0.5f), 0.f, 1.f);
  });
}

void elu_f32(const float* x, float* y, int64_t n, float alpha) {
  // expm1 keeps the relative accuracy that e^x - 1 loses near 0.
  map(x, y, n, [=](auto v) { using V = decltype(v); return where(v < V(0.f), V(alpha) * xsimd::expm1(v), v); });
}

void celu_f32(const float* x, float* y, int64_t n, float alpha) {
  map(x, y, n, [=](auto v) {
    using V = decltype(v);
    return where(v < V(0.f), V(alpha) * xsimd::expm1(fp32::divide(v, V(alpha))), v);
  });
}

void erf_f32(const float* x, float* y, int64_t n) {
  map(x, y, n, [](auto v) { return xsimd::erf(v); });
}

void exp_f32(const float* x, float* y, int64_t n) {
  map(x, y, n, [](auto v) { return xsimd::exp(v); });
}

void sqrt_f32(const float* x, float* y, int64_t n) {
  map(x, y, n, [](auto v) { return xsimd::sqrt(v); });
}

void neg_f32(const float* x, float* y, int64_t n) {
  map(x, y, n, [](auto v) { return -v; });
}

void abs_f32(const float* x, float* y, int64_t n) {
  map(x, y, n, [](auto v) { return xsimd::abs(v); });
}

void binary_f32(BinaryOp op, const float* a, const std::vector<int64_t>& a_shape, const float* b,
                const std::vector<int64_t>& b_shape, float* out, const std::vector<int64_t>& out_shape) {
  auto run = [&](auto f) { broadcast_binary(a, a_shape, b, b_shape, out, out_shape, f); };
  switch (op) {
    case BinaryOp::Add: return run([](auto p, auto q) { return p + q; });
    case BinaryOp::Sub: return run([](auto p, auto q) { return p - q; });
    case BinaryOp::Mul: return run([](auto p, auto q) { return p * q; });
    case BinaryOp::Div: return run([](auto p, auto q) { return fp32::divide(p, q); });
    case BinaryOp::PRelu:
      return run([](auto p, auto q) { using V = decltype(p); return where(p < V(0.f), p * q, p); });
  }
}

}  // namespace octet::kernels::OCTET_FP32_LEVEL
