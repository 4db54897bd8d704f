#pragma once
// Element types the IR can hold. The numbering is Octet's own; the ONNX
// TensorProto.DataType mapping lives in onnx_import.
#include <cstddef>
#include <cstdint>
#include <string>

namespace octet::graph {

enum class DType : uint8_t { Undefined, Float32, Float64, Int8, UInt8, Int32, Int64, Bool };

size_t dtype_size(DType t);
const char* dtype_name(DType t);

template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::Float32; }
template <> constexpr DType dtype_of<double>() { return DType::Float64; }
template <> constexpr DType dtype_of<int8_t>() { return DType::Int8; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::UInt8; }
template <> constexpr DType dtype_of<int32_t>() { return DType::Int32; }
template <> constexpr DType dtype_of<int64_t>() { return DType::Int64; }
template <> constexpr DType dtype_of<bool>() { return DType::Bool; }

}  // namespace octet::graph
