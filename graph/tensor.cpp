#include "graph/tensor.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "graph/error.h"

namespace octet::graph {

namespace {
constexpr int64_t kMaxElements = int64_t(1) << 40;

std::shared_ptr<uint8_t> allocate(size_t bytes) {
  const size_t rounded = std::max(aligned_bytes(bytes), kTensorAlignment);
  void* p = std::aligned_alloc(kTensorAlignment, rounded);
  if (!p) throw Error("out of memory allocating " + std::to_string(bytes) + " bytes");
  std::memset(p, 0, rounded);
  return std::shared_ptr<uint8_t>(static_cast<uint8_t*>(p), [](uint8_t* q) { std::free(q); });
}
}  // namespace

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) throw FormatError("negative dimension in shape " + shape_str(shape));
    if (d != 0 && n > kMaxElements / d)
      throw FormatError("shape " + shape_str(shape) + " has too many elements");
    n *= d;
  }
  return n;
}

size_t shape_bytes(DType dtype, const Shape& shape) {
  return static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype);
}

std::string shape_str(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
  }
  return s + "]";
}

Tensor::Tensor(DType dtype, Shape shape)
    : dtype_(dtype), shape_(std::move(shape)), numel_(shape_numel(shape_)) {
  if (dtype == DType::Undefined) throw Error("tensor of undefined dtype");
  buffer_ = allocate(nbytes());
}

Tensor::Tensor(DType dtype, Shape shape, std::shared_ptr<uint8_t> storage)
    : dtype_(dtype), shape_(std::move(shape)), numel_(shape_numel(shape_)), buffer_(std::move(storage)) {
  if (dtype == DType::Undefined) throw Error("tensor of undefined dtype");
  if (!buffer_ && nbytes() != 0) throw Error("tensor storage is null");
  if (reinterpret_cast<uintptr_t>(buffer_.get()) % kTensorAlignment != 0) throw Error("tensor storage is not 64-byte aligned");
}

void Tensor::check_type(DType asked) const {
  if (asked != dtype_)
    throw Error(std::string("tensor holds ") + dtype_name(dtype_) + ", accessed as " +
                dtype_name(asked));
}

void Tensor::check_count(size_t n) const {
  if (static_cast<int64_t>(n) != numel_)
    throw Error(std::to_string(n) + " values given for shape " + shape_str(shape_));
}

Tensor Tensor::reshaped(Shape shape) const {
  if (shape_numel(shape) != numel_)
    throw Error("cannot reshape " + shape_str(shape_) + " to " + shape_str(shape));
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::clone() const {
  if (empty()) return Tensor();
  Tensor t(dtype_, shape_);
  std::memcpy(t.raw(), raw(), nbytes());
  t.qparams = qparams;
  return t;
}

std::vector<int64_t> Tensor::to_int64() const {
  std::vector<int64_t> v(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) {
    switch (dtype_) {
      case DType::Int64: v[i] = data<int64_t>()[i]; break;
      case DType::Int32: v[i] = data<int32_t>()[i]; break;
      case DType::Int8: v[i] = data<int8_t>()[i]; break;
      case DType::UInt8: v[i] = data<uint8_t>()[i]; break;
      case DType::Bool: v[i] = data<bool>()[i]; break;
      default: throw Error(std::string("expected an integer tensor, got ") + dtype_name(dtype_));
    }
  }
  return v;
}

}  // namespace octet::graph
