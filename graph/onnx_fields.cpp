#include "graph/onnx_fields.h"

namespace octet::graph::onnx_fields {

namespace {

struct Pair {
  int32_t onnx;
  DType dtype;
};
constexpr Pair kTypes[] = {{1, DType::Float32}, {2, DType::UInt8}, {3, DType::Int8},   {6, DType::Int32},
                           {7, DType::Int64},   {9, DType::Bool},  {11, DType::Float64}};

}  // namespace

DType dtype_from_onnx(int32_t t) {
  for (const Pair& p : kTypes)
    if (p.onnx == t) return p.dtype;
  return DType::Undefined;
}

int32_t onnx_dtype(DType t) {
  for (const Pair& p : kTypes)
    if (p.dtype == t) return p.onnx;
  return 0;
}

}  // namespace octet::graph::onnx_fields
