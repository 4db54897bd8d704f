#pragma once
// A dense, row-major tensor that owns (shares) 64-byte aligned storage.
// Copies share the buffer; clone() makes an independent copy.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "graph/dtype.h"

namespace octet::graph {

using Shape = std::vector<int64_t>;

// Tensor storage starts on a cache line, which is also a zmm register.
constexpr size_t kTensorAlignment = 64;
// bytes rounded up to whole kTensorAlignment lines (0 stays 0): what a
// kernel may touch past a tensor's last byte.
constexpr size_t aligned_bytes(size_t bytes) {
  return (bytes + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
}

// Number of elements; throws octet::FormatError on a negative dim or on
// overflow past 2^62 (shapes come from files and must be checked).
int64_t shape_numel(const Shape& shape);
// Bytes of a dense tensor of this dtype and shape (shape_numel's checks).
size_t shape_bytes(DType dtype, const Shape& shape);
std::string shape_str(const Shape& shape);

// Quantization parameters carried by a tensor (per tensor when scale has one
// element, per channel along `axis` otherwise). Used from the quant issues on.
struct QParams {
  std::vector<float> scale;
  std::vector<int32_t> zero_point;
  int axis = 0;
};

class Tensor {
 public:
  Tensor() = default;
  Tensor(DType dtype, Shape shape);  // zero-filled
  // Wraps bytes someone else owns (a memory-mapped model file): `storage`
  // must hold nbytes() bytes, 64-byte aligned, and keeps them alive.
  Tensor(DType dtype, Shape shape, std::shared_ptr<uint8_t> storage);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t dim(size_t i) const { return shape_.at(i); }
  size_t rank() const { return shape_.size(); }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return static_cast<size_t>(numel_) * dtype_size(dtype_); }
  bool empty() const { return dtype_ == DType::Undefined; }

  void* raw() { return buffer_.get(); }
  const void* raw() const { return buffer_.get(); }
  // The shared buffer itself, so an owner (engine::BufferPool) can tell
  // whether anyone else still holds it.
  const std::shared_ptr<uint8_t>& storage() const { return buffer_; }
  // Typed access; throws octet::Error when T does not match dtype().
  template <class T> T* data();
  template <class T> const T* data() const;

  // Same bytes, new shape with the same element count (throws otherwise).
  Tensor reshaped(Shape shape) const;
  Tensor clone() const;

  // Values of an integer tensor (int32/int64/int8/uint8/bool) widened to int64:
  // the form shape-carrying inputs (Reshape's shape, Slice's starts) are read in.
  std::vector<int64_t> to_int64() const;

  template <class T> static Tensor from(Shape shape, const std::vector<T>& values);
  template <class T> static Tensor scalar(T value) { return from<T>({}, {value}); }

  QParams qparams;  // empty unless quantized

 private:
  void check_type(DType asked) const;
  void check_count(size_t n) const;
  DType dtype_ = DType::Undefined;
  Shape shape_;
  int64_t numel_ = 0;
  std::shared_ptr<uint8_t> buffer_;
};

template <class T> T* Tensor::data() {
  check_type(dtype_of<T>());
  return reinterpret_cast<T*>(buffer_.get());
}
template <class T> const T* Tensor::data() const {
  check_type(dtype_of<T>());
  return reinterpret_cast<const T*>(buffer_.get());
}
template <class T> Tensor Tensor::from(Shape shape, const std::vector<T>& values) {
  Tensor t(dtype_of<T>(), std::move(shape));
  t.check_count(values.size());
  T* d = t.data<T>();
  for (size_t i = 0; i < values.size(); ++i) d[i] = values[i];
  return t;
}

}  // namespace octet::graph
