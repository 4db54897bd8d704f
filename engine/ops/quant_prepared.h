#pragma once
// What the prepared INT8 ops (qmatmul_prepared.cpp, qconv_prepared.cpp)
// share: turning the dtype and zero-point combinations ONNX allows into the
// one the INT8 kernels run, u8 activations times s8 weights whose zero point
// is 0, by exact rewrites only. A combination with no exact rewrite is
// refused (nullopt) and the node runs the reference op.
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/op_registry.h"
#include "kernels/qgemm.h"

namespace octet::engine::qprep {

// Accumulators past this depth may overflow int32 in the kernels
// (255 * 128 * K), where the reference wraps: refuse them.
constexpr int64_t kMaxDepth = 65793;

// The values of input i widened to int32 when it is a constant; an empty
// vector when the input is omitted; nullopt when it is given but not
// constant.
std::optional<std::vector<int32_t>> constant_ints(const PrepareContext& ctx, size_t i);
// The same for a float32 input (a scale); nullopt when omitted too.
std::optional<std::vector<float>> constant_floats(const PrepareContext& ctx, size_t i);

// Weights as the kernels take them: int8 with zero point 0. Accepts int8
// whose zero points are all 0 (or omitted) and uint8 whose zero points are
// all 128, which w ^ 0x80 = w - 128 turns into the first exactly.
std::optional<std::vector<int8_t>> symmetric_s8_weights(const Tensor& w, const std::vector<int32_t>& zero_points);

// How an 8-bit activation reaches a u8 kernel: int8 x is read as
// x ^ 0x80 = x + 128 with zero point zp + 128, which leaves x - zp as it was.
struct ActivationU8 {
  bool flip = false;
  int32_t zero_point = 0;
};
// zero_points: empty (0) or one value; a vector of them is refused.
std::optional<ActivationU8> activation_u8(graph::DType dtype, const std::vector<int32_t>& zero_points);

// Copies int8 data as uint8 with the sign bit flipped.
void flip_sign_bits(const int8_t* x, int64_t n, uint8_t* out);
// An 8-bit activation as the u8 kernels read it: a's own bytes, or (flip)
// its int8 values flipped into `buffer` (a run context's scratch).
const uint8_t* activation_bytes(const Tensor& a, bool flip, std::vector<uint8_t>& buffer);

// bias[n] - zero_point * col_sums[n] (bias may be null), in the wrapping
// int32 arithmetic of the reference sums, so folding never changes a bit.
std::vector<int32_t> fold_zero_point(const std::vector<int32_t>& col_sums, int32_t zero_point, const int32_t* bias);

// Requantizing epilogue for an 8-bit output type: full-range clamp.
kernels::QGemmEpilogue requantize_epilogue(graph::DType out, const std::vector<float>& multipliers,
                                           int32_t zero_point, const int32_t* bias);

void add_qmatmul_prepares(PrepareTable& t);
void add_qconv_prepares(PrepareTable& t);
void add_quantize_prepares(PrepareTable& t);  // quantize_prepared.cpp

}  // namespace octet::engine::qprep
