// libFuzzer target: a whole model's bytes (ONNX or .octet, seeds: the
// bundled digits CNN and LSTM, each also quantized) loaded, planned and run
// once on zero inputs of its declared shapes (symbolic dims 1). Mutations
// of weights, shapes, attributes and scales reach the shape rules, the
// planner, the prepacking and the kernels.
#include <vector>

#include "engine/session.h"
#include "fuzz/fuzz_target.h"

namespace {

// The caller's side: inputs a program would make for the declared shapes.
// A model declaring an input of more than kMaxInputElements is skipped, as
// no caller could feed it; everything past the door is the library's.
constexpr int64_t kMaxInputElements = int64_t{1} << 22;

bool make_inputs(const std::vector<octet::graph::ValueInfo>& declared, std::vector<octet::graph::Tensor>& inputs) {
  for (const auto& v : declared) {
    octet::graph::Shape shape = v.shape;
    int64_t n = 1;
    for (int64_t& d : shape) {
      if (d < 0) d = 1;
      if (d > kMaxInputElements || (n *= d) > kMaxInputElements) return false;
    }
    const auto dtype = v.dtype == octet::graph::DType::Undefined ? octet::graph::DType::Float32 : v.dtype;
    inputs.emplace_back(dtype, shape);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return octet::fuzz::expect_success_or_error([&] {
    octet::engine::Session s = octet::engine::Session::from_buffer(data, size);
    std::vector<octet::graph::Tensor> inputs;
    if (make_inputs(s.inputs(), inputs)) s.run(inputs);
  });
}
