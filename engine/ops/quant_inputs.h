#pragma once
// How the reference quantized ops read their 8-bit operands and zero
// points, shared so each op widens and dispatches them the same way.
#include <cstdint>
#include <vector>

#include "engine/op_registry.h"

namespace octet::engine {

// Zero points widened to int32 (empty when the input is omitted), so the
// kernels take one zero-point type whatever the tensor's.
inline std::vector<int32_t> zero_points(const OpContext& ctx, size_t i) {
  std::vector<int32_t> zp;
  if (ctx.has_input(i))
    for (int64_t v : ctx.input(i).to_int64()) zp.push_back(static_cast<int32_t>(v));
  return zp;
}

// A per-tensor zero point, 0 when omitted.
inline int32_t zero_point_or_0(const OpContext& ctx, size_t i) {
  return ctx.has_input(i) ? static_cast<int32_t>(ctx.input(i).to_int64()[0]) : 0;
}

// Calls fn with a value of the C++ type of an 8-bit tensor type (the shape
// rules admit only uint8 and int8 where this is used).
template <class Fn> void with_8bit(graph::DType t, Fn&& fn) {
  if (t == graph::DType::UInt8)
    fn(uint8_t{});
  else
    fn(int8_t{});
}

}  // namespace octet::engine
