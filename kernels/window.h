#pragma once
// The spatial geometry of a sliding window (convolution or pool), already
// resolved and validated by the caller: one entry per spatial dim, padding
// explicit. Window o of dim d covers input coordinates
//   o * stride[d] - pad_begin[d] + k * dilation[d],  k in [0, kernel[d]),
// of which those outside [0, in_size[d]) are padding.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace octet::kernels {

struct SpatialWindow {
  std::vector<int64_t> in_size, kernel, stride, dilation, pad_begin, pad_end, out_size;

  size_t rank() const { return in_size.size(); }
  int64_t in_numel() const { return product(in_size); }
  int64_t out_numel() const { return product(out_size); }
  int64_t kernel_numel() const { return product(kernel); }

 private:
  static int64_t product(const std::vector<int64_t>& v) {
    int64_t p = 1;
    for (int64_t x : v) p *= x;
    return p;
  }
};

}  // namespace octet::kernels
