#pragma once
// How `octet eval` and `octet compare` feed a one-input model the samples
// of one .npy file that stacks them on axis 0 ([N, ...]): a batch at a time,
// as large as the model's fixed batch dim, or --batch when it is symbolic.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/session.h"

namespace octet::cli {

// The model's only input; octet::UnsupportedError naming the model when it
// takes several (one .npy file feeds one input).
const graph::ValueInfo& single_input(const engine::Session& s, const std::string& model_path);

// Throws octet::FormatError naming `path` unless `x` stacks inputs of
// `want`: same dtype, same rank, equal fixed dims after the first, N > 0.
void check_stacked(const graph::ValueInfo& want, const graph::Tensor& x, const std::string& path);

// The batch size for N samples: a fixed batch dim of any of `inputs` (they
// must agree, and N must be a multiple of it: FormatError naming `path`
// otherwise), else `requested` (at most N). `requested_given` is whether
// the user chose it; choosing one the model's fixed dim contradicts is a
// UsageError.
int64_t choose_batch(const std::vector<const graph::ValueInfo*>& inputs, int64_t n, int64_t requested,
                     bool requested_given, const std::string& path);

// Rows [start, start + count) of `x` along axis 0, copied.
graph::Tensor take_rows(const graph::Tensor& x, int64_t start, int64_t count);

}  // namespace octet::cli
