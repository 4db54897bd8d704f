// ONNX export: a graph written and read back is the same graph (nodes,
// attributes of every kind, initializers byte for byte, inputs and outputs
// with symbolic dims), and runs to the same bits, FP32 and quantized.
#include <catch2/catch.hpp>

#include "engine/session.h"
#include "graph/npy.h"
#include "graph/onnx_export.h"
#include "graph/onnx_import.h"
#include "quant/calibrate.h"
#include "quant/quantize_dynamic.h"
#include "quant/quantize_static.h"
#include "tests/graph_checks.h"

using namespace octet;
using graph::Graph;
using graph::Tensor;
using octet::testing::check_same_computation;

namespace {

const std::string kBundled = std::string(OCTET_SOURCE_DIR) + "/models/bundled/";

Graph round_trip(const Graph& g) {
  const std::vector<uint8_t> bytes = graph::export_onnx(g);
  return graph::import_onnx(bytes.data(), bytes.size(), "exported.onnx");
}

std::vector<float> run(const Graph& g, const Tensor& x) {
  const Tensor y = engine::Session(g).run({x})[0];
  return std::vector<float>(y.data<float>(), y.data<float>() + y.numel());
}

}  // namespace

TEST_CASE("exported ONNX reads back as the same graph and runs the same", "[onnx_export]") {
  for (const char* model : {"digits_cnn.onnx", "sunspots_lstm.onnx"}) {
    INFO(model);
    const Graph g = graph::import_onnx_file(kBundled + model);
    const Graph back = round_trip(g);
    check_same_computation(g, back);
    const Tensor x = graph::read_npy(kBundled + (std::string(model) == "digits_cnn.onnx" ? "digits_input.npy"
                                                                                            : "sunspots_test_x.npy"));
    CHECK(run(g, x) == run(back, x));
  }
}

TEST_CASE("a quantized graph with com.microsoft ops exports and runs to the same bits", "[onnx_export]") {
  const Graph g = quant::prepare_for_quantization(graph::import_onnx_file(kBundled + "digits_cnn.onnx"));
  engine::Session fp32(g);
  quant::StackedNpySource samples(kBundled + "digits_calib.npy", fp32.inputs());
  const Graph q = quant::quantize_static(g, quant::calibrate(fp32, samples, {}), {});
  const Graph back = round_trip(q);
  check_same_computation(q, back);
  const Tensor x = graph::read_npy(kBundled + "digits_input.npy");
  CHECK(run(q, x) == run(back, x));
}
