#pragma once
// Quantized uint8 pools at a chosen ISA level, channels-last (NHWC): x is
// [batch, in_size..., channels], y is [batch, out_size..., channels]. The
// exact arithmetic (int32 sums, one float32 requantization) is stated in
// kernels/ref/qpool_ref.h; every level gives its bits.
//
// The driver turns each output position into an indirection list of the
// input pixels its window covers (padding skipped) and hands it to the
// level's kernel, which runs over channels. GlobalAveragePool takes either
// layout: NCHW planes are contiguous (the graph's own layout, no transpose),
// NHWC pixels are rows.
#include <cstdint>
#include <vector>

#include "kernels/isa.h"
#include "kernels/ref/qpool_ref.h"
#include "kernels/window_taps.h"

namespace octet::kernels {

void qmax_pool_nhwc_u8(Isa isa, const QPoolParams& p, const uint8_t* x, uint8_t* y);
// Whether qmax_pool_nhwc_u8_rows takes p at isa: 2-D windows, not at Ref.
bool qmax_pool_splits_rows(Isa isa, const QPoolParams& p);
// Only output rows [row_begin, row_end) of the batch (row r is row r % OH of
// image r / OH), for threads sharing a pool; the same bits as the whole call.
// taps is window_taps(p.window), built once by the caller rather than by
// every thread on every run.
void qmax_pool_nhwc_u8_rows(Isa isa, const QPoolParams& p, const std::vector<DimTaps>& taps, const uint8_t* x,
                            uint8_t* y, int64_t row_begin, int64_t row_end);

void qaverage_pool_nhwc_u8(Isa isa, const QPoolParams& p, const uint8_t* x, float x_scale, int32_t x_zero_point,
                           float y_scale, int32_t y_zero_point, bool count_include_pad, uint8_t* y);

// Exact for plane_size * 255 < 2^31.
void qglobal_average_pool_u8(Isa isa, int64_t batch, int64_t channels, int64_t plane_size, bool nhwc,
                             const uint8_t* x, float x_scale, int32_t x_zero_point, float y_scale,
                             int32_t y_zero_point, uint8_t* y);

}  // namespace octet::kernels
