// libFuzzer target: graph::import_onnx on arbitrary bytes (seeds: the
// repo's ONNX models and the backend node tests' model.onnx files).
#include "fuzz/fuzz_target.h"
#include "graph/onnx_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return octet::fuzz::expect_success_or_error([&] { octet::graph::import_onnx(data, size, "fuzz input"); });
}
