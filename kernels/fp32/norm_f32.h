#pragma once
// FP32 normalizations: BatchNormalization (inference, running statistics)
// and LayerNormalization.
#include <cstdint>

namespace octet::kernels {

// x and y are [batch, channels, spatial]; per channel c:
// y = scale[c] * (x - mean[c]) / sqrt(var[c] + epsilon) + bias[c].
void batch_norm_f32(int64_t batch, int64_t channels, int64_t spatial, const float* x, const float* scale,
                    const float* bias, const float* mean, const float* var, float epsilon, float* y);

// Each of `rows` rows of `cols` elements is normalized by its own mean and
// variance (population, 1/cols): y = (x - mean) * inv_std * scale + bias,
// inv_std = 1 / sqrt(var + epsilon). scale and bias hold `cols` values; bias,
// mean_out and inv_std_out may be null.
void layer_norm_f32(int64_t rows, int64_t cols, const float* x, const float* scale, const float* bias,
                    float epsilon, float* y, float* mean_out, float* inv_std_out);

}  // namespace octet::kernels
