#pragma once
// Pools over N-d windows (ONNX MaxPool, AveragePool and the global pools).
// Every window must hold at least one input element (the caller keeps pads
// below the dilated kernel extent, as ONNX Runtime requires).
#include <cstdint>

#include "kernels/window.h"

namespace octet::kernels {

struct PoolParams {
  int64_t planes = 0;  // N * C, each pooled independently
  SpatialWindow window;
};

// y[plane, out...] = max over the window's input elements (padding ignored).
// indices, when not null, gets the flat index of the (first) maximum in x,
// counting planes: plane * in_numel + the spatial offset, row-major, or
// column-major over the spatial dims when column_major (ONNX storage_order 1).
// Instantiated for float, uint8_t and int8_t.
template <class T>
void max_pool(const PoolParams& p, const T* x, T* y, int64_t* indices, bool column_major);

// y = mean of the window: over its input elements only, or, with
// count_include_pad, dividing by the number of taps inside the padded input
// (taps past the end padding, from ceil_mode, never count).
void average_pool_f32(const PoolParams& p, const float* x, float* y, bool count_include_pad);

// One value per plane of plane_size elements.
void global_average_pool_f32(int64_t planes, int64_t plane_size, const float* x, float* y);
template <class T>
void global_max_pool(int64_t planes, int64_t plane_size, const T* x, T* y);

}  // namespace octet::kernels
