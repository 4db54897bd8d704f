#include "kernels/window_taps.h"

namespace octet::kernels {

std::vector<DimTaps> window_taps(const SpatialWindow& w) {
  std::vector<DimTaps> taps(w.rank());
  for (size_t d = 0; d < w.rank(); ++d) {
    taps[d].inside.resize(w.out_size[d]);
    taps[d].padded.resize(w.out_size[d]);
    for (int64_t o = 0; o < w.out_size[d]; ++o) {
      const int64_t start = o * w.stride[d] - w.pad_begin[d];
      for (int64_t k = 0; k < w.kernel[d]; ++k) {
        const int64_t i = start + k * w.dilation[d];
        if (i >= 0 && i < w.in_size[d]) taps[d].inside[o].push_back(i);
        if (i < w.in_size[d] + w.pad_end[d]) ++taps[d].padded[o];
      }
    }
  }
  return taps;
}

bool next_index(std::vector<int64_t>& index, const std::vector<int64_t>& dims) {
  for (size_t d = dims.size(); d-- > 0;) {
    if (++index[d] < dims[d]) return true;
    index[d] = 0;
  }
  return false;
}

}  // namespace octet::kernels
