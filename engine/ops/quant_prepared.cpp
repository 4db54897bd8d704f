#include "engine/ops/quant_prepared.h"

#include "graph/dtype.h"

namespace octet::engine {

namespace qprep {

using graph::DType;

std::optional<std::vector<int32_t>> constant_ints(const PrepareContext& ctx, size_t i) {
  if (i >= ctx.node.inputs.size() || ctx.node.inputs[i].empty()) return std::vector<int32_t>{};
  if (i >= ctx.constants.size() || !ctx.constants[i]) return std::nullopt;
  std::vector<int32_t> out;
  for (int64_t v : ctx.constants[i]->to_int64()) out.push_back(static_cast<int32_t>(v));
  return out;
}

std::optional<std::vector<float>> constant_floats(const PrepareContext& ctx, size_t i) {
  if (i >= ctx.constants.size() || !ctx.constants[i] || ctx.constants[i]->dtype() != DType::Float32)
    return std::nullopt;
  const Tensor& t = *ctx.constants[i];
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
}

namespace {

bool all_equal(const std::vector<int32_t>& v, int32_t want) {
  for (int32_t x : v)
    if (x != want) return false;
  return true;
}

}  // namespace

std::optional<std::vector<int8_t>> symmetric_s8_weights(const Tensor& w, const std::vector<int32_t>& zero_points) {
  const auto n = static_cast<size_t>(w.numel());
  if (w.dtype() == DType::Int8 && all_equal(zero_points, 0)) return std::vector<int8_t>(w.data<int8_t>(), w.data<int8_t>() + n);
  // An omitted uint8 zero point is 0, not 128: no exact rewrite.
  if (w.dtype() != DType::UInt8 || zero_points.empty() || !all_equal(zero_points, 128)) return std::nullopt;
  std::vector<int8_t> out(n);
  const uint8_t* src = w.data<uint8_t>();
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<int8_t>(src[i] ^ 0x80);
  return out;
}

std::optional<ActivationU8> activation_u8(DType dtype, const std::vector<int32_t>& zero_points) {
  if (zero_points.size() > 1) return std::nullopt;
  const int32_t zp = zero_points.empty() ? 0 : zero_points[0];
  if (dtype == DType::UInt8) return ActivationU8{false, zp};
  if (dtype == DType::Int8) return ActivationU8{true, zp + 128};
  return std::nullopt;
}

void flip_sign_bits(const int8_t* x, int64_t n, uint8_t* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(x[i]) ^ 0x80;
}

const uint8_t* activation_bytes(const Tensor& a, bool flip, std::vector<uint8_t>& buffer) {
  if (!flip) return a.data<uint8_t>();
  buffer.resize(static_cast<size_t>(a.numel()));
  flip_sign_bits(a.data<int8_t>(), a.numel(), buffer.data());
  return buffer.data();
}

std::vector<int32_t> fold_zero_point(const std::vector<int32_t>& col_sums, int32_t zero_point, const int32_t* bias) {
  std::vector<int32_t> out(col_sums.size());
  for (size_t n = 0; n < col_sums.size(); ++n) {
    uint32_t b = bias ? static_cast<uint32_t>(bias[n]) : 0u;
    b -= static_cast<uint32_t>(zero_point) * static_cast<uint32_t>(col_sums[n]);
    out[n] = static_cast<int32_t>(b);
  }
  return out;
}

kernels::QGemmEpilogue requantize_epilogue(DType out, const std::vector<float>& multipliers, int32_t zero_point,
                                           const int32_t* bias) {
  kernels::QGemmEpilogue e;
  const bool u8 = out == DType::UInt8;
  e.type = u8 ? kernels::QGemmOutput::U8 : kernels::QGemmOutput::S8;
  e.bias = bias;
  e.scale = multipliers.data();
  e.per_channel = multipliers.size() > 1;
  e.zero_point = zero_point;
  e.qmin = u8 ? 0 : -128;
  e.qmax = u8 ? 255 : 127;
  return e;
}

}  // namespace qprep

void add_quant_prepares(PrepareTable& t) {
  qprep::add_qmatmul_prepares(t);
  qprep::add_qconv_prepares(t);
  qprep::add_quantize_prepares(t);
}

}  // namespace octet::engine
