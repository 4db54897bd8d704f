#pragma once
// What every pooling kernel needs from a SpatialWindow: per dim and output
// coordinate, which input coordinates the window touches and how many of
// its taps lie inside the padded input (AveragePool's count_include_pad).
#include <cstdint>
#include <vector>

#include "kernels/window.h"

namespace octet::kernels {

struct DimTaps {
  std::vector<std::vector<int64_t>> inside;  // [out coordinate] -> input coordinates in range
  std::vector<int64_t> padded;               // [out coordinate] -> taps inside input or padding
};

std::vector<DimTaps> window_taps(const SpatialWindow& w);

// Steps a row-major multi-index through dims; false once it wraps to zero.
bool next_index(std::vector<int64_t>& index, const std::vector<int64_t>& dims);

}  // namespace octet::kernels
