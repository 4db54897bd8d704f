#include "kernels/ref/qgemm_u8s8_ref.h"

#include <algorithm>
#include <limits>

#include "kernels/ref/requantize.h"

namespace octet::kernels {

void pack_weights_s8_ref(int64_t n, int64_t k, const int8_t* b, int64_t stride_n, int64_t stride_k,
                         int8_t* packed) {
  for (int64_t j = 0; j < n; ++j)
    for (int64_t p = 0; p < k; ++p) packed[j * k + p] = b[j * stride_n + p * stride_k];
}

namespace {

template <class Q> QClampBounds type_then_user_clamp(int32_t qmin, int32_t qmax) {
  auto clamp_twice = [&](int64_t x) {
    int64_t y = std::min<int64_t>(std::max<int64_t>(x, std::numeric_limits<Q>::min()), std::numeric_limits<Q>::max());
    return static_cast<int32_t>(std::min<int64_t>(std::max<int64_t>(y, qmin), qmax));
  };
  // A composition of clamps is monotone, so its values at the two infinities
  // are the bounds of the single equivalent clamp.
  return {clamp_twice(std::numeric_limits<int64_t>::min()), clamp_twice(std::numeric_limits<int64_t>::max())};
}

template <class Q> Q requantize_clamped(const QGemmEpilogue& ep, float multiplier, int32_t acc) {
  Q q = requantize<Q>(acc, multiplier, ep.zero_point);
  int32_t v = std::min<int32_t>(std::max<int32_t>(q, ep.qmin), ep.qmax);
  return static_cast<Q>(v);
}

}  // namespace

QClampBounds qgemm_clamp_bounds(const QGemmEpilogue& ep) {
  if (ep.type == QGemmOutput::U8) return type_then_user_clamp<uint8_t>(ep.qmin, ep.qmax);
  return type_then_user_clamp<int8_t>(ep.qmin, ep.qmax);
}

void qgemm_store_ref(const QGemmEpilogue& ep, int64_t col, int32_t acc, void* c_row) {
  const float scale = ep.scale ? ep.scale[ep.per_channel ? col : 0] : 0.0f;
  switch (ep.type) {
    case QGemmOutput::S32: static_cast<int32_t*>(c_row)[col] = acc; break;
    case QGemmOutput::F32: static_cast<float*>(c_row)[col] = static_cast<float>(acc) * scale; break;
    case QGemmOutput::U8:
      static_cast<uint8_t*>(c_row)[col] = requantize_clamped<uint8_t>(ep, scale, acc);
      break;
    case QGemmOutput::S8: static_cast<int8_t*>(c_row)[col] = requantize_clamped<int8_t>(ep, scale, acc); break;
  }
}

namespace {

size_t output_size(QGemmOutput type) {
  return type == QGemmOutput::U8 || type == QGemmOutput::S8 ? 1 : 4;
}

}  // namespace

void qgemm_u8s8_ref(const QGemmArgs& args) {
  const PackedWeights& b = *args.b;
  const int8_t* w = reinterpret_cast<const int8_t*>(b.data.data());
  const size_t elem = output_size(args.epilogue.type);
  for (int64_t i = 0; i < args.m; ++i) {
    const uint8_t* a = args.a + i * args.lda;
    void* c_row = static_cast<uint8_t*>(args.c) + i * args.ldc * elem;
    for (int64_t j = 0; j < b.n; ++j) {
      // Unsigned arithmetic wraps modulo 2^32 like the SIMD adds, so the
      // result is defined (and identical) even past the exact depth.
      uint32_t acc = args.epilogue.bias ? static_cast<uint32_t>(args.epilogue.bias[j]) : 0u;
      const int8_t* wj = w + j * b.k;
      for (int64_t p = 0; p < b.k; ++p) acc += static_cast<uint32_t>(int32_t(a[p]) * int32_t(wj[p]));
      qgemm_store_ref(args.epilogue, j, static_cast<int32_t>(acc), c_row);
    }
  }
}

}  // namespace octet::kernels
