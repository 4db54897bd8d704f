// quant::quantize_tensor / dequantize_tensor (the public API for users who
// quantize their own data) against hand-computed codes: ties to even,
// saturation, per-channel scales along an axis, and the errors.
#include <catch2/catch.hpp>

#include "graph/error.h"
#include "quant/qparams.h"
#include "quant/tensor_quantize.h"

using namespace octet;
using graph::DType;
using graph::Tensor;

namespace {

template <class T> std::vector<T> values(const Tensor& t) { return {t.data<T>(), t.data<T>() + t.numel()}; }

}  // namespace

TEST_CASE("quantize_tensor per tensor: ties to even, saturation, and back", "[tensor_quantize]") {
  // x / 0.5 = 1, 3, 5, -1 (ties of .5 scaled), then + 10; 1000 saturates.
  const Tensor x = Tensor::from<float>({2, 3}, {0.25f, 0.75f, 1.25f, -0.25f, 1000.0f, -6.0f});
  const Tensor q = quant::quantize_tensor(x, {0.5f}, {10}, DType::UInt8);
  REQUIRE(q.dtype() == DType::UInt8);
  REQUIRE(q.shape() == x.shape());
  // 0.5 -> 0 (even), 1.5 -> 2, 2.5 -> 2, -0.5 -> -0 -> 0: plus 10.
  CHECK(values<uint8_t>(q) == std::vector<uint8_t>{10, 12, 12, 10, 255, 0});
  const Tensor d = quant::dequantize_tensor(q, {0.5f}, {10});
  CHECK(values<float>(d) == std::vector<float>{0.0f, 1.0f, 1.0f, 0.0f, 122.5f, -5.0f});
}

TEST_CASE("quantize_tensor per channel along an axis, int8", "[tensor_quantize]") {
  // [2 channels on axis 0, 3]: channel 0 scale 1 zp 0, channel 1 scale 0.1 zp -5.
  const Tensor x = Tensor::from<float>({2, 3}, {1.4f, -200.0f, 2.5f, 0.26f, -0.04f, 20.0f});
  const Tensor q = quant::quantize_tensor(x, {1.0f, 0.1f}, {0, -5}, DType::Int8, 0);
  // 1.4 -> 1, -200 -> -128, 2.5 -> 2; 2.6 -> 3 - 5 = -2, -0.4 -> -0 - 5 = -5, 200 -> 127.
  CHECK(values<int8_t>(q) == std::vector<int8_t>{1, -128, 2, -2, -5, 127});
  SECTION("a negative axis counts from the end") {
    const Tensor t = quant::quantize_tensor(x, {1.0f, 0.5f, 2.0f}, {0, 0, 0}, DType::Int8, -1);
    CHECK(values<int8_t>(t) == std::vector<int8_t>{1, -128, 1, 0, 0, 10});
  }
  SECTION("the zero points and scales of choose_qparams round-trip a range's ends") {
    const quant::QParams qp = quant::choose_qparams({-1.0f, 3.0f}, {});
    const Tensor ends = Tensor::from<float>({2}, {-1.0f, 3.0f});
    const Tensor back = quant::dequantize_tensor(quant::quantize_tensor(ends, {qp.scale}, {qp.zero_point}, DType::UInt8),
                                                 {qp.scale}, {qp.zero_point});
    CHECK(values<float>(back)[0] == Approx(-1.0f).margin(qp.scale / 2));
    CHECK(values<float>(back)[1] == Approx(3.0f).margin(qp.scale / 2));
  }
}

TEST_CASE("quantize_tensor errors name what does not fit", "[tensor_quantize]") {
  const Tensor x = Tensor::from<float>({2, 3}, {0, 0, 0, 0, 0, 0});
  CHECK_THROWS_WITH(quant::quantize_tensor(x, {1.0f, 1.0f}, {0}, DType::UInt8),
                    Catch::Contains("zero_point has 1 values and scale 2"));
  CHECK_THROWS_WITH(quant::quantize_tensor(x, {1.0f}, {300}, DType::UInt8), Catch::Contains("outside uint8"));
  CHECK_THROWS_WITH(quant::quantize_tensor(x, {1.0f, 1.0f}, {0, 0}, DType::UInt8, 1),
                    Catch::Contains("per-axis scale has 2 values for axis 1 of size 3"));
  CHECK_THROWS_WITH(quant::quantize_tensor(x, {}, {}, DType::UInt8), Catch::Contains("scale is empty"));
  CHECK_THROWS_AS(quant::quantize_tensor(x, {1.0f}, {0}, DType::Int32), UnsupportedError);
}
