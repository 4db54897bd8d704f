#include "quant/sample_source.h"

#include <cstring>

#include "graph/error.h"
#include "graph/npy.h"

namespace octet::quant {

using graph::Shape;
using graph::Tensor;
using graph::ValueInfo;

namespace {

// .npy samples carry one array, so they feed one-input models only.
const ValueInfo& only_input(const std::vector<ValueInfo>& model_inputs) {
  if (model_inputs.size() != 1)
    throw UnsupportedError("calibration samples from .npy files need a model with one input; this one has " +
                           std::to_string(model_inputs.size()));
  return model_inputs[0];
}

// The model's shape with symbolic dims written as '?', and the batch dim
// as `batch` when one is given.
std::string wanted_shape(const ValueInfo& want, const std::string& batch = "") {
  if (!want.has_shape) return "[" + (batch.empty() ? "" : batch + ", ") + "...]";
  std::string s = "[";
  for (size_t i = 0; i < want.shape.size(); ++i) {
    std::string d = want.shape[i] < 0 ? "?" : std::to_string(want.shape[i]);
    s += (i ? ", " : "") + (i == 0 && !batch.empty() ? batch : d);
  }
  return s + "]";
}

void check_dtype(const ValueInfo& want, const Tensor& got, const std::string& path) {
  if (want.dtype != graph::DType::Undefined && got.dtype() != want.dtype)
    throw FormatError(path + ": input '" + want.name + "' must be " + graph::dtype_name(want.dtype) +
                      ", the file has " + graph::dtype_name(got.dtype()));
}

// Dims from `first` on must equal the model's fixed dims.
bool dims_fit(const ValueInfo& want, const Shape& got, size_t first) {
  if (!want.has_shape) return true;
  if (got.size() != want.shape.size()) return false;
  for (size_t i = first; i < got.size(); ++i)
    if (want.shape[i] >= 0 && want.shape[i] != got[i]) return false;
  return true;
}

}  // namespace

NpyFilesSource::NpyFilesSource(std::vector<std::string> paths, const std::vector<ValueInfo>& model_inputs)
    : paths_(std::move(paths)), input_(only_input(model_inputs)) {}

bool NpyFilesSource::next(std::vector<Tensor>& inputs) {
  if (next_ >= paths_.size()) return false;
  const std::string& path = paths_[next_++];
  Tensor t = graph::read_npy(path);
  check_dtype(input_, t, path);
  if (!dims_fit(input_, t.shape(), 0))
    throw FormatError(path + ": input '" + input_.name + "' must have shape " + wanted_shape(input_) +
                      ", the file has " + graph::shape_str(t.shape()));
  inputs.assign(1, std::move(t));
  return true;
}

StackedNpySource::StackedNpySource(const std::string& path, const std::vector<ValueInfo>& model_inputs) {
  const ValueInfo& want = only_input(model_inputs);
  stacked_ = graph::read_npy(path);
  check_dtype(want, stacked_, path);
  const Shape& got = stacked_.shape();
  int64_t batch = want.has_shape && !want.shape.empty() && want.shape[0] > 0 ? want.shape[0] : 1;
  bool fits = !got.empty() && dims_fit(want, got, 1) && got[0] > 0 && got[0] % batch == 0;
  if (want.has_shape && want.shape.empty())
    throw FormatError(path + ": input '" + want.name + "' is a scalar: it has no batch axis to stack samples along");
  if (!fits)
    throw FormatError(path + ": shape " + graph::shape_str(got) + " does not stack inputs of '" + want.name + "' " +
                      wanted_shape(want) + ": expected " + wanted_shape(want, "N") +
                      (batch > 1 ? " with N > 0 a multiple of " + std::to_string(batch) : " with N > 0"));
  sample_shape_ = got;
  sample_shape_[0] = batch;
  count_ = got[0] / batch;
}

bool StackedNpySource::next(std::vector<Tensor>& inputs) {
  if (next_ >= count_) return false;
  Tensor sample(stacked_.dtype(), sample_shape_);
  const auto* base = static_cast<const uint8_t*>(stacked_.raw());
  std::memcpy(sample.raw(), base + next_ * sample.nbytes(), sample.nbytes());
  ++next_;
  inputs.assign(1, std::move(sample));
  return true;
}

}  // namespace octet::quant
