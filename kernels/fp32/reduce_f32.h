#pragma once
// FP32 reductions over any set of axes.
#include <cstdint>
#include <vector>

namespace octet::kernels {

enum class Reduction { Sum, Mean, Max, Min };

// y = the reduction of x over the axes where `reduced` is true (one flag per
// dim of shape); y holds the remaining dims in order. Sum and Mean
// accumulate in double; Max and Min propagate NaN, as numpy. Over zero
// elements: Sum 0, Mean NaN, Max -inf, Min +inf.
void reduce_f32(Reduction kind, const float* x, const std::vector<int64_t>& shape, const std::vector<bool>& reduced,
                float* y);

}  // namespace octet::kernels
