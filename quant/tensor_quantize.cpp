#include "quant/tensor_quantize.h"

#include "engine/session.h"
#include "graph/error.h"
#include "graph/shape_inference.h"

namespace octet::quant {

namespace {

using graph::DType;
using graph::Tensor;

// One value, or a 1-D tensor of them (what ONNX takes per axis).
template <class T> Tensor params(const std::vector<T>& v) {
  return v.size() == 1 ? Tensor::from<T>({}, v) : Tensor::from<T>({static_cast<int64_t>(v.size())}, v);
}

Tensor zero_points(const std::vector<int32_t>& zp, DType dtype, size_t count) {
  if (count == 0) throw FormatError("scale is empty: give one value, or one per channel");
  if (zp.size() != count)
    throw FormatError("zero_point has " + std::to_string(zp.size()) + " values and scale " + std::to_string(count));
  Tensor t(dtype, count == 1 ? graph::Shape{} : graph::Shape{static_cast<int64_t>(count)});
  const int32_t lo = dtype == DType::UInt8 ? 0 : dtype == DType::Int8 ? -128 : 0;
  const int32_t hi = dtype == DType::UInt8 ? 255 : dtype == DType::Int8 ? 127 : 0;
  for (size_t i = 0; i < count; ++i) {
    if (zp[i] < lo || zp[i] > hi)
      throw FormatError("zero_point " + std::to_string(zp[i]) + " is outside " + graph::dtype_name(dtype));
    if (dtype == DType::UInt8) t.data<uint8_t>()[i] = static_cast<uint8_t>(zp[i]);
    if (dtype == DType::Int8) t.data<int8_t>()[i] = static_cast<int8_t>(zp[i]);
    if (dtype == DType::Int32) t.data<int32_t>()[i] = zp[i];
  }
  return t;
}

// The engine's reference op on one node, its shape rule checking the inputs.
Tensor run_op(const char* op, const Tensor& x, const Tensor& scale, const Tensor& zp, int64_t axis) {
  graph::Graph g;
  g.opset = 13;
  graph::Node n;
  n.op_type = op;
  n.name = op;
  n.inputs = {"x", "scale", "zero_point"};
  n.outputs = {"y"};
  n.attrs["axis"] = graph::Attribute::of(axis);
  g.inputs = {{"x", x.dtype(), x.shape(), {}, true}};
  g.initializers = {{"scale", scale}, {"zero_point", zp}};
  g.nodes = {n};
  const auto infos = graph::infer_shapes(g, {{"x", {x.dtype(), x.shape()}}}, nullptr);
  return engine::evaluate_node(g.nodes[0], {&x, &scale, &zp}, {infos.at("y")})[0];
}

}  // namespace

Tensor quantize_tensor(const Tensor& x, const std::vector<float>& scale, const std::vector<int32_t>& zero_point,
                       DType dtype, int64_t axis) {
  if (dtype != DType::UInt8 && dtype != DType::Int8)
    throw UnsupportedError(std::string("quantize_tensor: codes must be uint8 or int8, not ") + graph::dtype_name(dtype));
  if (x.dtype() != DType::Float32) throw FormatError("quantize_tensor: x must be float32");
  return run_op("QuantizeLinear", x, params(scale), zero_points(zero_point, dtype, scale.size()), axis);
}

Tensor dequantize_tensor(const Tensor& q, const std::vector<float>& scale, const std::vector<int32_t>& zero_point,
                         int64_t axis) {
  return run_op("DequantizeLinear", q, params(scale), zero_points(zero_point, q.dtype(), scale.size()), axis);
}

}  // namespace octet::quant
