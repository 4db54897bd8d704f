#pragma once
// Data movement over raw bytes, for any element type: every layout op
// (Transpose, Slice, Expand, Concat, Split, Gather) is one of these two
// copies with the right strides or row indices.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace octet::kernels {

// For every index i of `shape`, copies the element at src + dot(i,
// src_strides) to dst + dot(i, dst_strides). Strides count elements of
// elem_size bytes and may be negative (Slice with a negative step) or zero
// in src (Expand's broadcast dims). All three vectors have the same length;
// rank 0 copies one element and an empty shape copies nothing. The caller
// guarantees every address is inside its buffer.
void strided_copy(void* dst, const std::vector<int64_t>& dst_strides, const void* src,
                  const std::vector<int64_t>& src_strides, const std::vector<int64_t>& shape, size_t elem_size);

// Row-major strides (in elements) of a dense tensor of `shape`.
std::vector<int64_t> dense_strides(const std::vector<int64_t>& shape);

// Viewing src as [outer, axis_dim, row] and dst as [outer, count, row]
// (rows of row_bytes bytes): dst[o, j] = src[o, indices[j]]. Every index
// must be in [0, axis_dim); the caller checks them.
void gather_rows(void* dst, const void* src, int64_t outer, int64_t axis_dim, const int64_t* indices, int64_t count,
                 size_t row_bytes);

}  // namespace octet::kernels
