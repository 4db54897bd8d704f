// libFuzzer target: graph::parse_npy on arbitrary bytes (seeds: the repo's
// .npy files).
#include "fuzz/fuzz_target.h"
#include "graph/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return octet::fuzz::expect_success_or_error([&] { octet::graph::parse_npy(data, size, "fuzz input"); });
}
