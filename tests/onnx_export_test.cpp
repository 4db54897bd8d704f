// ONNX export: a graph written and read back is the same graph (nodes,
// attributes of every kind, initializers byte for byte, inputs and outputs
// with symbolic dims), and runs to the same bits, FP32 and quantized.
#include <catch2/catch.hpp>
#include <cstring>

#include "engine/session.h"
#include "graph/npy.h"
#include "graph/onnx_export.h"
#include "graph/onnx_import.h"
#include "quant/calibrate.h"
#include "quant/quantize_dynamic.h"
#include "quant/quantize_static.h"

using namespace octet;
using graph::Graph;
using graph::Tensor;

namespace {

const std::string kBundled = std::string(OCTET_SOURCE_DIR) + "/models/bundled/";

Graph round_trip(const Graph& g) {
  const std::vector<uint8_t> bytes = graph::export_onnx(g);
  return graph::import_onnx(bytes.data(), bytes.size(), "exported.onnx");
}

bool same_tensor(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

void check_same_graph(const Graph& a, const Graph& b) {
  REQUIRE(a.nodes.size() == b.nodes.size());
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    const graph::Node &x = a.nodes[i], &y = b.nodes[i];
    INFO(x.label());
    CHECK(graph::op_key(x) == graph::op_key(y));
    CHECK(x.name == y.name);
    CHECK(x.inputs == y.inputs);
    CHECK(x.outputs == y.outputs);
    REQUIRE(x.attrs.size() == y.attrs.size());
    for (const auto& kv : x.attrs) {
      const graph::Attribute &p = kv.second, &q = y.attrs.at(kv.first);
      CHECK(p.kind == q.kind);
      CHECK(p.i == q.i);
      CHECK(p.f == q.f);
      CHECK(p.s == q.s);
      CHECK(p.ints == q.ints);
      CHECK(p.floats == q.floats);
      CHECK(p.strings == q.strings);
      if (p.kind == graph::Attribute::Kind::Tensor) CHECK(same_tensor(p.t, q.t));
    }
  }
  REQUIRE(a.initializers.size() == b.initializers.size());
  for (const auto& kv : a.initializers) CHECK(same_tensor(kv.second, b.initializers.at(kv.first)));
  REQUIRE(a.inputs.size() == b.inputs.size());
  for (size_t i = 0; i < a.inputs.size(); ++i) {
    CHECK(a.inputs[i].name == b.inputs[i].name);
    CHECK(a.inputs[i].shape == b.inputs[i].shape);
    CHECK(a.inputs[i].dim_params == b.inputs[i].dim_params);
  }
  CHECK(a.outputs.size() == b.outputs.size());
  CHECK(a.opset == b.opset);
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
    check_same_graph(g, back);
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
  check_same_graph(q, back);
  const Tensor x = graph::read_npy(kBundled + "digits_input.npy");
  CHECK(run(q, x) == run(back, x));
}
