#include "kernels/qpool.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/arm/qelementwise_arm.h"
#include "kernels/window_taps.h"
#include "kernels/x86/qelementwise_x86.h"

namespace octet::kernels {

namespace {

[[noreturn]] void unsupported(Isa isa) {
  throw std::logic_error(std::string("quantized pool: no kernel for level ") + isa_name(isa));
}

// The level's row and plane kernels (kernels/x86/qelementwise_x86.h,
// kernels/arm/qelementwise_arm.h); both ARM levels share the NEON ones.
struct PoolKernels {
  void (*max_rows)(const uint8_t* const* rows, int64_t k, int64_t channels, uint8_t* y);
  void (*avg_rows)(const uint8_t* const* rows, int64_t k, int64_t channels, int32_t bias, float m, int32_t zy,
                   uint8_t* y);
  void (*avg_planes)(const uint8_t* x, int64_t planes, int64_t plane_size, int32_t bias, float m, int32_t zy,
                     uint8_t* y);
};

PoolKernels pool_kernels(Isa isa) {
#if defined(__x86_64__) || defined(_M_X64)
  if (isa == Isa::Avx2) return {x86::qmax_rows_u8_avx2, x86::qavg_rows_u8_avx2, x86::qavg_planes_u8_avx2};
  if (runs_avx512vnni(isa))
    return {x86::qmax_rows_u8_avx512vnni, x86::qavg_rows_u8_avx512vnni, x86::qavg_planes_u8_avx512vnni};
#endif
#if defined(__aarch64__)
  if (is_arm(isa)) return {arm::qmax_rows_u8_neon, arm::qavg_rows_u8_neon, arm::qavg_planes_u8_neon};
#endif
  unsupported(isa);
}

// for_each_window for images: each window is the product of one row range
// and one column range, walked without the general rank's index stepping
// and offset expansion, which cost more than a 3x3 uint8 max (resnet18's
// MaxPool took 0.13 ms for 3136 outputs). Only output rows [r0, r1) of the
// batch (row r is row r % OH of image r / OH).
template <class Visit>
void for_each_window_2d(const QPoolParams& p, const uint8_t* x, const std::vector<DimTaps>& taps, int64_t r0,
                        int64_t r1, Visit&& visit) {
  const SpatialWindow& w = p.window;
  const int64_t row_pitch = w.in_size[1] * p.channels, step = w.stride[1] * p.channels, oh_count = w.out_size[0];
  const size_t kw = static_cast<size_t>(w.kernel[1]);
  std::vector<const uint8_t*> rows(static_cast<size_t>(std::max<int64_t>(w.kernel_numel(), 1)));
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t n = r / oh_count, oh = r % oh_count;
    const uint8_t* image = x + n * w.in_numel() * p.channels;
    int64_t out_pixel = r * w.out_size[1];
    const std::vector<int64_t>& ih = taps[0].inside[oh];
    size_t count = 0;
    bool prev_full = false;  // the previous window had all kernel columns inside
    for (int64_t ow = 0; ow < w.out_size[1]; ++ow) {
      const std::vector<int64_t>& iw = taps[1].inside[ow];
      const bool full = iw.size() == kw;
      if (full && prev_full) {  // the same taps one stride to the right
        for (size_t t = 0; t < count; ++t) rows[t] += step;
      } else {
        count = 0;
        for (int64_t i : ih)
          for (int64_t j : iw) rows[count++] = image + i * row_pitch + j * p.channels;
      }
      prev_full = full;
      visit(out_pixel++, rows.data(), static_cast<int64_t>(count), taps[0].padded[oh] * taps[1].padded[ow]);
    }
  }
}

// Calls visit(out_pixel, rows, taps, padded_count) per output position of
// every image, rows[0..taps) pointing at the window's input pixels.
template <class Visit>
void for_each_window(const QPoolParams& p, const uint8_t* x, Visit&& visit) {
  const SpatialWindow& w = p.window;
  const size_t r = w.rank();
  for (int64_t d : w.out_size)
    if (d == 0) return;
  const std::vector<DimTaps> taps = window_taps(w);
  if (r == 2) return for_each_window_2d(p, x, taps, 0, p.batch * w.out_size[0], visit);
  // Bytes between neighbouring input pixels along each dim.
  std::vector<int64_t> pitch(r, p.channels);
  for (size_t d = r; d-- > 1;) pitch[d - 1] = pitch[d] * w.in_size[d];
  std::vector<int64_t> offsets(static_cast<size_t>(std::max<int64_t>(w.kernel_numel(), 1)));
  std::vector<const uint8_t*> rows(offsets.size());
  std::vector<int64_t> out(r, 0);
  for (int64_t n = 0; n < p.batch; ++n) {
    const uint8_t* image = x + n * w.in_numel() * p.channels;
    int64_t out_pixel = n * w.out_numel();
    std::fill(out.begin(), out.end(), 0);
    do {
      // The window's offsets as the product of each dim's inside taps,
      // expanded in place one dim at a time (back to front).
      int64_t count = 1, padded = 1;
      for (size_t d = 0; d < r; ++d) padded *= taps[d].padded[out[d]];
      offsets[0] = 0;
      for (size_t d = 0; d < r && count > 0; ++d) {
        const std::vector<int64_t>& in = taps[d].inside[out[d]];
        const int64_t len = static_cast<int64_t>(in.size());
        for (int64_t i = count; i-- > 0;)
          for (int64_t t = len; t-- > 0;) offsets[i * len + t] = offsets[i] + in[t] * pitch[d];
        count *= len;
      }
      for (int64_t i = 0; i < count; ++i) rows[i] = image + offsets[i];
      visit(out_pixel++, rows.data(), count, padded);
    } while (next_index(out, w.out_size));
  }
}

}  // namespace

namespace {

// The max over one window's k input pixels (none inside: 0, uint8's lowest).
auto max_window(const PoolKernels& kern, int64_t c, uint8_t* y) {
  return [&kern, c, y](int64_t o, const uint8_t* const* rows, int64_t k, int64_t) {
    uint8_t* out = y + o * c;
    if (k == 0) return void(std::memset(out, 0, static_cast<size_t>(c)));
    kern.max_rows(rows, k, c, out);
  };
}

}  // namespace

void qmax_pool_nhwc_u8(Isa isa, const QPoolParams& p, const uint8_t* x, uint8_t* y) {
  if (isa == Isa::Ref) return qmax_pool_nhwc_ref(p, x, y);
  const PoolKernels kern = pool_kernels(isa);
  for_each_window(p, x, max_window(kern, p.channels, y));
}

bool qmax_pool_splits_rows(Isa isa, const QPoolParams& p) { return isa != Isa::Ref && p.window.rank() == 2; }

void qmax_pool_nhwc_u8_rows(Isa isa, const QPoolParams& p, const std::vector<DimTaps>& taps, const uint8_t* x,
                            uint8_t* y, int64_t row_begin, int64_t row_end) {
  if (!qmax_pool_splits_rows(isa, p)) throw std::invalid_argument("quantized max pool: rows of a 2-D pool only");
  const auto covers = [&](size_t d) { return taps[d].inside.size() == static_cast<size_t>(p.window.out_size[d]); };
  if (taps.size() != 2 || !covers(0) || !covers(1))
    throw std::invalid_argument("quantized max pool: taps are not this window's");
  const int64_t rows = p.batch * p.window.out_size[0];
  row_begin = std::max<int64_t>(row_begin, 0), row_end = std::min(row_end, rows);
  if (row_begin >= row_end || p.window.out_size[1] == 0) return;
  const PoolKernels kern = pool_kernels(isa);
  for_each_window_2d(p, x, taps, row_begin, row_end, max_window(kern, p.channels, y));
}

void qaverage_pool_nhwc_u8(Isa isa, const QPoolParams& p, const uint8_t* x, float x_scale, int32_t x_zero_point,
                           float y_scale, int32_t y_zero_point, bool count_include_pad, uint8_t* y) {
  if (isa == Isa::Ref)
    return qaverage_pool_nhwc_u8_ref(p, x, x_scale, x_zero_point, y_scale, y_zero_point, count_include_pad, y);
  const PoolKernels kern = pool_kernels(isa);
  const int64_t c = p.channels;
  for_each_window(p, x, [&](int64_t o, const uint8_t* const* rows, int64_t k, int64_t padded) {
    uint8_t* out = y + o * c;
    // No tap inside: the sum is 0 and so is the real average.
    if (k == 0) return void(std::memset(out, static_cast<uint8_t>(y_zero_point), static_cast<size_t>(c)));
    const float m = qaverage_multiplier(x_scale, y_scale, count_include_pad ? padded : k);
    const int32_t bias = static_cast<int32_t>(k) * x_zero_point;
    kern.avg_rows(rows, k, c, bias, m, y_zero_point, out);
  });
}

void qglobal_average_pool_u8(Isa isa, int64_t batch, int64_t channels, int64_t plane_size, bool nhwc,
                             const uint8_t* x, float x_scale, int32_t x_zero_point, float y_scale,
                             int32_t y_zero_point, uint8_t* y) {
  if (isa == Isa::Ref)
    return qglobal_average_pool_u8_ref(batch, channels, plane_size, nhwc, x, x_scale, x_zero_point, y_scale,
                                       y_zero_point, y);
  const PoolKernels kern = pool_kernels(isa);
  if (batch <= 0 || channels <= 0) return;
  if (plane_size == 0) return void(std::memset(y, static_cast<uint8_t>(y_zero_point), size_t(batch * channels)));
  const float m = qaverage_multiplier(x_scale, y_scale, plane_size);
  const int32_t bias = static_cast<int32_t>(plane_size) * x_zero_point;
  if (!nhwc) return kern.avg_planes(x, batch * channels, plane_size, bias, m, y_zero_point, y);
  std::vector<const uint8_t*> rows(static_cast<size_t>(plane_size));
  for (int64_t n = 0; n < batch; ++n) {
    for (int64_t i = 0; i < plane_size; ++i) rows[i] = x + (n * plane_size + i) * channels;
    kern.avg_rows(rows.data(), plane_size, channels, bias, m, y_zero_point, y + n * channels);
  }
}

}  // namespace octet::kernels
