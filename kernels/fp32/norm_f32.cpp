#include "kernels/fp32/norm_f32.h"

#include <cmath>

namespace octet::kernels {

void batch_norm_f32(int64_t batch, int64_t channels, int64_t spatial, const float* x, const float* scale,
                    const float* bias, const float* mean, const float* var, float epsilon, float* y) {
  for (int64_t c = 0; c < channels; ++c) {
    // Folded into one multiply-add per element.
    const float a = scale[c] / std::sqrt(var[c] + epsilon);
    const float b = bias[c] - a * mean[c];
    for (int64_t n = 0; n < batch; ++n) {
      const int64_t base = (n * channels + c) * spatial;
      for (int64_t i = 0; i < spatial; ++i) y[base + i] = a * x[base + i] + b;
    }
  }
}

void layer_norm_f32(int64_t rows, int64_t cols, const float* x, const float* scale, const float* bias,
                    float epsilon, float* y, float* mean_out, float* inv_std_out) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    // Two passes in double: the mean first, then squared deviations, so
    // rows with a large offset keep their variance.
    double sum = 0;
    for (int64_t i = 0; i < cols; ++i) sum += xr[i];
    const double mean = cols > 0 ? sum / static_cast<double>(cols) : 0.0;
    double sq = 0;
    for (int64_t i = 0; i < cols; ++i) sq += (xr[i] - mean) * (xr[i] - mean);
    const double var = cols > 0 ? sq / static_cast<double>(cols) : 0.0;
    const double inv_std = 1.0 / std::sqrt(var + static_cast<double>(epsilon));
    for (int64_t i = 0; i < cols; ++i) {
      const float v = static_cast<float>((xr[i] - mean) * inv_std) * scale[i];
      yr[i] = bias ? v + bias[i] : v;
    }
    if (mean_out) mean_out[r] = static_cast<float>(mean);
    if (inv_std_out) inv_std_out[r] = static_cast<float>(inv_std);
  }
}

}  // namespace octet::kernels
