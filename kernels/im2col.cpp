#include "kernels/im2col.h"

#include <algorithm>

namespace octet::kernels {

namespace {

// Advances a row-major multi-index over `dims` (the first `count` of them);
// false once it wraps to all zeros.
bool next_index(std::vector<int64_t>& index, const std::vector<int64_t>& dims, size_t count) {
  for (size_t d = count; d-- > 0;) {
    if (++index[d] < dims[d]) return true;
    index[d] = 0;
  }
  return false;
}

// Fills one row of `out_size.back()` values: output positions along the last
// dim for one kernel tap, reading the input row at `row` (nullptr when the
// outer dims already fall in the padding).
template <class T>
void fill_last_dim(const SpatialWindow& w, int64_t tap, const T* row, T pad_value, T* dst) {
  const size_t last = w.rank() - 1;
  const int64_t n_out = w.out_size[last], n_in = w.in_size[last], stride = w.stride[last];
  if (!row) {
    std::fill(dst, dst + n_out, pad_value);
    return;
  }
  int64_t i = tap * w.dilation[last] - w.pad_begin[last];
  for (int64_t o = 0; o < n_out; ++o, i += stride) dst[o] = (i >= 0 && i < n_in) ? row[i] : pad_value;
}

}  // namespace

template <class T>
void im2col(const SpatialWindow& w, int64_t channels, const T* image, T pad_value, T* columns) {
  const size_t r = w.rank();
  const size_t last = r - 1;
  const int64_t in_numel = w.in_numel();
  const int64_t row_len = w.out_size[last];
  std::vector<int64_t> tap(r, 0), pos(r, 0);
  T* dst = columns;
  for (int64_t c = 0; c < channels; ++c) {
    const T* plane = image + c * in_numel;
    std::fill(tap.begin(), tap.end(), 0);
    do {
      std::fill(pos.begin(), pos.end(), 0);
      do {
        // Row offset of the input line under this tap for the outer output dims.
        int64_t offset = 0;
        bool inside = true;
        for (size_t d = 0; d < last; ++d) {
          int64_t i = pos[d] * w.stride[d] - w.pad_begin[d] + tap[d] * w.dilation[d];
          inside = inside && i >= 0 && i < w.in_size[d];
          offset = offset * w.in_size[d] + i;
        }
        fill_last_dim(w, tap[last], inside ? plane + offset * w.in_size[last] : nullptr, pad_value, dst);
        dst += row_len;
      } while (next_index(pos, w.out_size, last));
    } while (next_index(tap, w.kernel, r));
  }
}

template void im2col<float>(const SpatialWindow&, int64_t, const float*, float, float*);
template void im2col<uint8_t>(const SpatialWindow&, int64_t, const uint8_t*, uint8_t, uint8_t*);
template void im2col<int8_t>(const SpatialWindow&, int64_t, const int8_t*, int8_t, int8_t*);

}  // namespace octet::kernels
