#include "kernels/ref/strided_copy.h"

#include <cstring>

namespace octet::kernels {

namespace {

struct Loop {
  std::vector<int64_t> dims, dst, src;  // outermost first
};

// Drops dims of extent 1 and merges neighbours that are contiguous with
// each other in both buffers, so a plain reshape-like copy becomes a single
// run and a transpose keeps only the dims it really permutes.
Loop collapse(const std::vector<int64_t>& shape, const std::vector<int64_t>& dst, const std::vector<int64_t>& src) {
  Loop l;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    if (!l.dims.empty() && l.dst.back() == dst[i] * shape[i] && l.src.back() == src[i] * shape[i]) {
      l.dims.back() *= shape[i];
      l.dst.back() = dst[i];
      l.src.back() = src[i];
      continue;
    }
    l.dims.push_back(shape[i]);
    l.dst.push_back(dst[i]);
    l.src.push_back(src[i]);
  }
  if (l.dims.empty()) l = Loop{{1}, {1}, {1}};
  return l;
}

// The innermost run: `count` elements, strided. Fixed-size memcpy lets the
// compiler turn each element into one load and one store. Offsets stay
// signed: a negative stride (Slice with a negative step) times an unsigned
// size would wrap.
template <size_t N>
void copy_run(uint8_t* dst, int64_t dst_stride, const uint8_t* src, int64_t src_stride, int64_t count) {
  constexpr int64_t n = static_cast<int64_t>(N);
  for (int64_t i = 0; i < count; ++i) std::memcpy(dst + i * dst_stride * n, src + i * src_stride * n, N);
}

void copy_run_any(uint8_t* dst, int64_t dst_stride, const uint8_t* src, int64_t src_stride, int64_t count,
                  size_t elem_size) {
  const int64_t e = static_cast<int64_t>(elem_size);
  if (dst_stride == 1 && src_stride == 1) {
    std::memcpy(dst, src, static_cast<size_t>(count) * elem_size);
    return;
  }
  switch (elem_size) {
    case 1: return copy_run<1>(dst, dst_stride, src, src_stride, count);
    case 2: return copy_run<2>(dst, dst_stride, src, src_stride, count);
    case 4: return copy_run<4>(dst, dst_stride, src, src_stride, count);
    case 8: return copy_run<8>(dst, dst_stride, src, src_stride, count);
    default:
      for (int64_t i = 0; i < count; ++i) std::memcpy(dst + i * dst_stride * e, src + i * src_stride * e, elem_size);
  }
}

}  // namespace

std::vector<int64_t> dense_strides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
  return s;
}

void strided_copy(void* dst, const std::vector<int64_t>& dst_strides, const void* src,
                  const std::vector<int64_t>& src_strides, const std::vector<int64_t>& shape, size_t elem_size) {
  for (int64_t d : shape)
    if (d == 0) return;
  const Loop l = collapse(shape, dst_strides, src_strides);
  const size_t outer = l.dims.size() - 1;
  const int64_t e = static_cast<int64_t>(elem_size);
  std::vector<int64_t> index(outer, 0);
  auto* d = static_cast<uint8_t*>(dst);
  auto* s = static_cast<const uint8_t*>(src);
  for (;;) {
    copy_run_any(d, l.dst[outer], s, l.src[outer], l.dims[outer], elem_size);
    // Odometer over the outer dims, moving the two pointers along.
    size_t k = outer;
    while (k > 0) {
      --k;
      d += l.dst[k] * e;
      s += l.src[k] * e;
      if (++index[k] < l.dims[k]) break;
      d -= l.dst[k] * l.dims[k] * e;
      s -= l.src[k] * l.dims[k] * e;
      index[k] = 0;
      if (k == 0) return;
    }
    if (outer == 0) return;
  }
}

void gather_rows(void* dst, const void* src, int64_t outer, int64_t axis_dim, const int64_t* indices, int64_t count,
                 size_t row_bytes) {
  auto* d = static_cast<uint8_t*>(dst);
  const auto* s = static_cast<const uint8_t*>(src);
  const size_t block = static_cast<size_t>(axis_dim) * row_bytes;
  for (int64_t o = 0; o < outer; ++o) {
    const uint8_t* base = s + static_cast<size_t>(o) * block;
    for (int64_t j = 0; j < count; ++j) {
      std::memcpy(d, base + static_cast<size_t>(indices[j]) * row_bytes, row_bytes);
      d += row_bytes;
    }
  }
}

}  // namespace octet::kernels
