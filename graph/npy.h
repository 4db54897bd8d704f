#pragma once
// NumPy .npy files (format versions 1.0, 2.0 and 3.0), little-endian,
// C order, dtypes float32, int8, uint8, int32, int64 and bool. Anything else
// (big-endian, Fortran order, object arrays, other dtypes) is refused with
// octet::FormatError / octet::UnsupportedError naming the file.
#include <string>

#include "graph/tensor.h"

namespace octet::graph {

Tensor read_npy(const std::string& path);
Tensor parse_npy(const uint8_t* data, size_t size, const std::string& source);
// Writes to a temporary name beside `path` and renames it into place, so a
// failure never leaves a half-written file.
void write_npy(const std::string& path, const Tensor& t);

}  // namespace octet::graph
