#include "kernels/ref/qpool_ref.h"

#include <algorithm>
#include <limits>
#include <vector>

namespace octet::kernels {

namespace {

bool next_index(std::vector<int64_t>& index, const std::vector<int64_t>& dims) {
  for (size_t d = dims.size(); d-- > 0;) {
    if (++index[d] < dims[d]) return true;
    index[d] = 0;
  }
  return false;
}

bool any_zero(const std::vector<int64_t>& dims) {
  return std::any_of(dims.begin(), dims.end(), [](int64_t d) { return d == 0; });
}

// For each output position: visit(out_pixel, in_pixels_inside, padded_count),
// pixels counted within one image.
template <class Visit>
void for_each_window(const SpatialWindow& w, Visit&& visit) {
  const size_t r = w.rank();
  if (any_zero(w.out_size)) return;
  std::vector<int64_t> out(r, 0), tap(r, 0);
  std::vector<int64_t> inside;
  int64_t out_pixel = 0;
  do {
    inside.clear();
    int64_t padded = 0;
    if (!any_zero(w.kernel)) {
      std::fill(tap.begin(), tap.end(), 0);
      do {
        bool in = true, in_padded = true;
        int64_t offset = 0;
        for (size_t d = 0; d < r; ++d) {
          const int64_t i = out[d] * w.stride[d] - w.pad_begin[d] + tap[d] * w.dilation[d];
          in = in && i >= 0 && i < w.in_size[d];
          in_padded = in_padded && i < w.in_size[d] + w.pad_end[d];
          offset = offset * w.in_size[d] + i;
        }
        if (in) inside.push_back(offset);
        if (in_padded) ++padded;
      } while (next_index(tap, w.kernel));
    }
    visit(out_pixel++, inside, padded);
  } while (next_index(out, w.out_size));
}

}  // namespace

template <class T>
void qmax_pool_nhwc_ref(const QPoolParams& p, const T* x, T* y) {
  const int64_t c_count = p.channels;
  const int64_t in_image = p.window.in_numel() * c_count, out_image = p.window.out_numel() * c_count;
  for (int64_t n = 0; n < p.batch; ++n)
    for_each_window(p.window, [&](int64_t o, const std::vector<int64_t>& inside, int64_t) {
      for (int64_t c = 0; c < c_count; ++c) {
        T m = std::numeric_limits<T>::lowest();
        for (int64_t i : inside) m = std::max(m, x[n * in_image + i * c_count + c]);
        y[n * out_image + o * c_count + c] = m;
      }
    });
}

void qaverage_pool_nhwc_u8_ref(const QPoolParams& p, const uint8_t* x, float x_scale, int32_t x_zero_point,
                               float y_scale, int32_t y_zero_point, bool count_include_pad, uint8_t* y) {
  const int64_t c_count = p.channels;
  const int64_t in_image = p.window.in_numel() * c_count, out_image = p.window.out_numel() * c_count;
  for (int64_t n = 0; n < p.batch; ++n)
    for_each_window(p.window, [&](int64_t o, const std::vector<int64_t>& inside, int64_t padded) {
      const int64_t taps = static_cast<int64_t>(inside.size());
      const float m = qaverage_multiplier(x_scale, y_scale, count_include_pad ? padded : taps);
      for (int64_t c = 0; c < c_count; ++c) {
        int32_t sum = 0;
        for (int64_t i : inside) sum += x[n * in_image + i * c_count + c];
        const int32_t acc = sum - static_cast<int32_t>(taps) * x_zero_point;
        y[n * out_image + o * c_count + c] = quantize_scaled<uint8_t>(static_cast<float>(acc) * m, y_zero_point);
      }
    });
}

void qglobal_average_pool_u8_ref(int64_t batch, int64_t channels, int64_t plane_size, bool nhwc,
                                 const uint8_t* x, float x_scale, int32_t x_zero_point, float y_scale,
                                 int32_t y_zero_point, uint8_t* y) {
  const float m = qaverage_multiplier(x_scale, y_scale, plane_size);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t c = 0; c < channels; ++c) {
      int32_t sum = 0;
      for (int64_t i = 0; i < plane_size; ++i)
        sum += nhwc ? x[(n * plane_size + i) * channels + c] : x[(n * channels + c) * plane_size + i];
      const int32_t acc = sum - static_cast<int32_t>(plane_size) * x_zero_point;
      y[n * channels + c] = quantize_scaled<uint8_t>(static_cast<float>(acc) * m, y_zero_point);
    }
}

template void qmax_pool_nhwc_ref(const QPoolParams&, const uint8_t*, uint8_t*);
template void qmax_pool_nhwc_ref(const QPoolParams&, const int8_t*, int8_t*);

}  // namespace octet::kernels
