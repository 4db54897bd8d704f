#include "tools/batches.h"

#include <cstring>

#include "graph/error.h"
#include "tools/cli_args.h"
#include "tools/format.h"

namespace octet::cli {

using graph::Tensor;
using graph::ValueInfo;

const ValueInfo& single_input(const engine::Session& s, const std::string& model_path) {
  if (s.inputs().size() != 1)
    throw UnsupportedError(model_path + ": the model takes " + std::to_string(s.inputs().size()) +
                           " inputs; a stacked .npy file feeds a model with one input");
  return s.inputs()[0];
}

void check_stacked(const ValueInfo& want, const Tensor& x, const std::string& path) {
  const std::string what = path + ": input '" + printable(want.name) + "' ";
  if (want.dtype != graph::DType::Undefined && x.dtype() != want.dtype)
    throw FormatError(what + "must be " + graph::dtype_name(want.dtype) + ", the file has " +
                      graph::dtype_name(x.dtype()));
  if (x.rank() == 0 || x.dim(0) == 0)
    throw FormatError(what + "needs samples stacked on axis 0 ([N, ...], N > 0); the file has shape " +
                      graph::shape_str(x.shape()));
  if (!want.has_shape) return;
  bool fits = x.rank() == want.shape.size();
  for (size_t d = 1; fits && d < x.rank(); ++d) fits = want.shape[d] < 0 || want.shape[d] == x.dim(d);
  if (!fits)
    throw FormatError(what + "has shape " + value_shape(want) + "; the file's " + graph::shape_str(x.shape()) +
                      " does not stack samples of it on axis 0");
}

int64_t choose_batch(const std::vector<const ValueInfo*>& inputs, int64_t n, int64_t requested,
                     bool requested_given, const std::string& path) {
  int64_t fixed = 0;
  for (const ValueInfo* v : inputs) {
    if (!v->has_shape || v->shape.empty() || v->shape[0] < 0) continue;
    if (fixed != 0 && fixed != v->shape[0])
      throw FormatError("the models' inputs have different fixed batch sizes, " + std::to_string(fixed) + " and " +
                        std::to_string(v->shape[0]));
    fixed = v->shape[0];
  }
  if (fixed == 0) return std::min(requested, n);
  if (requested_given && requested != fixed)
    throw UsageError("--batch " + std::to_string(requested) + ": the model's batch size is fixed at " +
                     std::to_string(fixed));
  if (n % fixed != 0)
    throw FormatError(path + ": " + std::to_string(n) + " samples do not split into batches of " +
                      std::to_string(fixed) + ", the model's fixed batch size");
  return fixed;
}

Tensor take_rows(const Tensor& x, int64_t start, int64_t count) {
  graph::Shape shape = x.shape();
  shape[0] = count;
  Tensor rows(x.dtype(), shape);
  const size_t row_bytes = x.nbytes() / static_cast<size_t>(x.dim(0));
  std::memcpy(rows.raw(), static_cast<const uint8_t*>(x.raw()) + start * row_bytes, rows.nbytes());
  return rows;
}

}  // namespace octet::cli
