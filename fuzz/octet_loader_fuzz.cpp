// libFuzzer target: graph::load_octet on arbitrary bytes (seeds: .octet
// files quantized from the bundled models).
#include "fuzz/fuzz_target.h"
#include "graph/octet_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return octet::fuzz::expect_success_or_error([&] { octet::graph::load_octet(data, size, "fuzz input"); });
}
