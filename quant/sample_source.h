#pragma once
// Where calibration samples come from: one full set of model inputs at a
// time, so only the sample in use is held (a directory of .npy files is read
// file by file).
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace octet::quant {

class SampleSource {
 public:
  virtual ~SampleSource() = default;
  // How many samples next() yields in all.
  virtual int64_t size() const = 0;
  // The next sample's inputs, in the order of the model's inputs; false when
  // none is left. Throws octet::FormatError for a sample that does not fit
  // the model, naming its file.
  virtual bool next(std::vector<graph::Tensor>& inputs) = 0;
};

// One .npy file per sample, each a full input of a one-input model
// (shape as the model's input, symbolic dims free).
class NpyFilesSource final : public SampleSource {
 public:
  NpyFilesSource(std::vector<std::string> paths, const std::vector<graph::ValueInfo>& model_inputs);
  int64_t size() const override { return static_cast<int64_t>(paths_.size()); }
  bool next(std::vector<graph::Tensor>& inputs) override;

 private:
  std::vector<std::string> paths_;
  graph::ValueInfo input_;
  size_t next_ = 0;
};

// One .npy that stacks samples along the model's batch axis (axis 0): shape
// [N, ...] for a model whose input is [B, ...] (B = 1 when symbolic), split
// into N / B samples of [B, ...].
class StackedNpySource final : public SampleSource {
 public:
  StackedNpySource(const std::string& path, const std::vector<graph::ValueInfo>& model_inputs);
  int64_t size() const override { return count_; }
  bool next(std::vector<graph::Tensor>& inputs) override;

 private:
  graph::Tensor stacked_;
  graph::Shape sample_shape_;
  int64_t count_ = 0;
  int64_t next_ = 0;
};

}  // namespace octet::quant
