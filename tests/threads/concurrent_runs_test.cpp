// One loaded model serving several threads at once (engine::RunContext),
// and a session's own threads: the outputs are the bytes of a plain
// single-threaded run, whatever the concurrency. Models: the bundled digits
// CNN in FP32 and statically quantized (QuantizeLinear, QLinearConv,
// MaxPool, QGemm), and the sunspots forecaster dynamically quantized
// (DynamicQuantizeLSTM, whose prepared op keeps per-run scratch). CI also
// runs these under ThreadSanitizer (scripts/tsan_tests.sh).
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "engine/session.h"
#include "graph/npy.h"
#include "graph/onnx_import.h"
#include "quant/calibrate.h"
#include "quant/quantize_dynamic.h"
#include "quant/quantize_static.h"
#include "quant/sample_source.h"

using namespace octet;
using graph::Graph;
using graph::Tensor;

namespace {

const std::string kBundled = std::string(OCTET_SOURCE_DIR) + "/models/bundled/";

Graph int8_digits() {
  const Graph g = quant::prepare_for_quantization(graph::import_onnx_file(kBundled + "digits_cnn.onnx"));
  engine::Session fp32(g);
  quant::StackedNpySource samples(kBundled + "digits_input.npy", fp32.inputs());
  quant::CalibrationOptions calibration;
  calibration.values = quant::values_to_calibrate(g, {});
  return quant::quantize_static(g, quant::calibrate(fp32, samples, calibration), {});
}

Graph int8_sunspots() { return quant::quantize_dynamic(graph::import_onnx_file(kBundled + "sunspots_lstm.onnx"), {}); }

bool same_bytes(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].shape() != b[i].shape() || a[i].nbytes() != b[i].nbytes() ||
        std::memcmp(a[i].raw(), b[i].raw(), a[i].nbytes()) != 0)
      return false;
  return true;
}

// The first `rows` samples of x (its leading dim), as their own tensor.
Tensor first_rows(const Tensor& x, int64_t rows) {
  graph::Shape shape = x.shape();
  shape[0] = rows;
  Tensor out(x.dtype(), shape);
  std::memcpy(out.raw(), x.raw(), out.nbytes());
  return out;
}

struct Model {
  const char* name;
  Graph graph;
  Tensor input;
};

std::vector<Model> models() {
  return {{"digits FP32", graph::import_onnx_file(kBundled + "digits_cnn.onnx"),
           graph::read_npy(kBundled + "digits_input.npy")},
          {"digits INT8", int8_digits(), graph::read_npy(kBundled + "digits_input.npy")},
          {"sunspots dynamic INT8", int8_sunspots(), graph::read_npy(kBundled + "sunspots_test_x.npy")}};
}

}  // namespace

TEST_CASE("a session's threads give the single-threaded bytes", "[concurrent]") {
  for (const Model& m : models()) {
    INFO(m.name);
    const std::vector<Tensor> want = engine::Session(m.graph).run({m.input});
    for (int threads : {2, 3}) {
      engine::SessionOptions options;
      options.threads = threads;
      engine::Session s(m.graph, options);
      for (int run = 0; run < 3; ++run) REQUIRE(same_bytes(s.run({m.input}), want));
    }
  }
}

TEST_CASE("four threads share one loaded model, each with its own run context", "[concurrent]") {
  for (const Model& m : models()) {
    INFO(m.name);
    // Two batch sizes: contexts that alternate them make the session
    // replan while other contexts run the plan they hold.
    const Tensor small = first_rows(m.input, 1);
    const std::vector<Tensor> want_full = engine::Session(m.graph).run({m.input});
    const std::vector<Tensor> want_small = engine::Session(m.graph).run({small});
    for (int session_threads : {1, 2}) {
      INFO("session threads " << session_threads);
      engine::SessionOptions options;
      options.threads = session_threads;
      const engine::Session shared(m.graph, options);
      std::vector<int> mismatches(4, 0);
      std::vector<std::thread> threads;
      for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
          engine::RunContext context(shared);
          for (int run = 0; run < 12; ++run) {
            const bool use_small = t == 3 && run % 2 == 1;
            const auto got = context.run({use_small ? small : m.input});
            mismatches[static_cast<size_t>(t)] += !same_bytes(got, use_small ? want_small : want_full);
          }
        });
      for (auto& th : threads) th.join();
      for (int t = 0; t < 4; ++t) CHECK(mismatches[static_cast<size_t>(t)] == 0);
    }
  }
}
