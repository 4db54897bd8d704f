// QDQ export: the quantized digits model as DequantizeLinear / float op /
// QuantizeLinear groups that compute what the INT8 kernels compute, and the
// fused activation kept exactly when the output range does not imply it.
#include <catch2/catch.hpp>

#include <cstring>

#include "engine/session.h"
#include "graph/npy.h"
#include "graph/onnx_import.h"
#include "quant/calibrate.h"
#include "quant/export_qdq.h"
#include "quant/import_qdq.h"
#include "quant/quantize_static.h"
#include "tests/quant_test_utils.h"

using namespace octet;
using graph::Graph;
using graph::Tensor;
using octet::testing::op_keys;
using octet::testing::sqnr_db;

namespace {

const std::string kBundled = std::string(OCTET_SOURCE_DIR) + "/models/bundled/";

Graph quantized_digits(const quant::StaticQuantOptions& options) {
  const Graph g = quant::prepare_for_quantization(graph::import_onnx_file(kBundled + "digits_cnn.onnx"));
  engine::Session fp32(g);
  quant::StackedNpySource samples(kBundled + "digits_calib.npy", fp32.inputs());
  quant::CalibrationOptions calibration;
  calibration.scheme = options.activations;
  return quant::quantize_static(g, quant::calibrate(fp32, samples, calibration), options);
}

}  // namespace

TEST_CASE("QDQ export of the quantized digits CNN computes what its INT8 kernels do", "[export_qdq]") {
  const Graph q = quantized_digits({});
  const Graph qdq = quant::export_qdq(q);
  // The convolutions' fused ReLU is implied by their uint8 range (zero point
  // 0), so no Relu or Clip appears; MaxPool and Flatten stay on uint8.
  CHECK(op_keys(qdq) == std::vector<std::string>{"QuantizeLinear", "DequantizeLinear", "DequantizeLinear",
                                                 "DequantizeLinear", "Conv", "QuantizeLinear", "DequantizeLinear",
                                                 "DequantizeLinear", "DequantizeLinear", "Conv", "QuantizeLinear",
                                                 "MaxPool", "Flatten", "DequantizeLinear", "DequantizeLinear",
                                                 "DequantizeLinear", "Gemm"});
  for (const auto& n : qdq.nodes) CHECK(n.domain.empty());
  const Tensor x = graph::read_npy(kBundled + "digits_test_x.npy");
  const Tensor int8 = engine::Session(q).run({x})[0];
  const Tensor float_ops = engine::Session(qdq).run({x})[0];
  // Float products of dequantized codes round where the int32 sums do not,
  // which can move a requantized code by one now and then: measured 89 dB;
  // a wrong scale, axis or bias scale gives under 30.
  CHECK(sqnr_db(int8, float_ops) > 60.0);
}

TEST_CASE("QDQ export keeps a fused ReLU the output range does not imply", "[export_qdq]") {
  quant::StaticQuantOptions options;
  options.activations.dtype = graph::DType::Int8;
  options.activations.symmetric = true;  // zero point 0 in [-128, 127]: ReLU is not a saturation
  const Graph q = quantized_digits(options);
  const Graph qdq = quant::export_qdq(q);
  int clips = 0;
  for (const auto& n : qdq.nodes) clips += n.op_type == "Clip";
  CHECK(clips == 2);
  const Tensor x = graph::read_npy(kBundled + "digits_test_x.npy");
  CHECK(sqnr_db(engine::Session(q).run({x})[0], engine::Session(qdq).run({x})[0]) > 60.0);
}

// QDQ import is export's inverse: the exported model fuses back into the
// same INT8 nodes with the same qparams and int32 bias, so it gives the
// .octet model's output bytes, for both activation types.
TEST_CASE("an exported QDQ model imports back to the INT8 nodes and the same output bytes", "[export_qdq][import_qdq]") {
  for (graph::DType act : {graph::DType::UInt8, graph::DType::Int8}) {
    quant::StaticQuantOptions options;
    options.activations.dtype = act;
    INFO("activations " << graph::dtype_name(act));
    const Graph q = quantized_digits(options);
    Graph g = quant::export_qdq(q);
    const quant::QdqImportReport report = quant::import_qdq(g);
    CHECK(report.fused.size() == 3);
    CHECK(report.left_float.empty());
    int qlinear_conv = 0, qgemm = 0, dequantize = 0;
    for (const auto& n : g.nodes) {
      qlinear_conv += n.op_type == "QLinearConv";
      qgemm += n.op_type == "QGemm";
      dequantize += n.op_type == "DequantizeLinear";
    }
    CHECK(qlinear_conv == 2);
    CHECK(qgemm == 1);
    CHECK(dequantize == 0);
    const Tensor x = graph::read_npy(kBundled + "digits_test_x.npy");
    const Tensor want = engine::Session(q).run({x})[0];
    const Tensor got = engine::Session(g).run({x})[0];
    REQUIRE(got.shape() == want.shape());
    CHECK(std::memcmp(got.raw(), want.raw(), want.nbytes()) == 0);
  }
}
