// The output comparison of `octet onnx-test` (tools/tensor_compare.cpp):
// the rule is |got - expected| <= atol + rtol * |expected|, as numpy.isclose
// with rtol 1e-3, atol 1e-7; the boundary cases below were checked with it.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "tools/tensor_compare.h"

using octet::cli::compare_tensors;
using octet::cli::Tolerance;
using octet::graph::Tensor;

namespace {
std::string cmp(const Tensor& want, const Tensor& got) { return compare_tensors(want, got, Tolerance{}); }
const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();
}  // namespace

TEST_CASE("compare: float tolerance", "[compare]") {
  Tensor want = Tensor::from<float>({2}, {1000.0f, 0.0f});
  // numpy.isclose(1000.9, 1000, rtol=1e-3, atol=1e-7) is True, 1001.01 False.
  CHECK(cmp(want, Tensor::from<float>({2}, {1000.9f, 0.0f})).empty());
  CHECK_FALSE(cmp(want, Tensor::from<float>({2}, {1001.01f, 0.0f})).empty());
  // Near zero only atol counts: 5e-8 passes, 1e-6 does not.
  CHECK(cmp(want, Tensor::from<float>({2}, {1000.0f, 5e-8f})).empty());
  CHECK_FALSE(cmp(want, Tensor::from<float>({2}, {1000.0f, 1e-6f})).empty());
  // The tolerance scales with the expected value, not the result.
  CHECK_FALSE(compare_tensors(Tensor::from<float>({1}, {0.0f}), Tensor::from<float>({1}, {1.0f}), Tolerance{}).empty());
}

TEST_CASE("compare: NaN and infinities", "[compare]") {
  CHECK(cmp(Tensor::from<float>({2}, {kNaN, kInf}), Tensor::from<float>({2}, {kNaN, kInf})).empty());
  CHECK_FALSE(cmp(Tensor::from<float>({1}, {kNaN}), Tensor::from<float>({1}, {0.0f})).empty());
  CHECK_FALSE(cmp(Tensor::from<float>({1}, {1.0f}), Tensor::from<float>({1}, {kNaN})).empty());
  CHECK_FALSE(cmp(Tensor::from<float>({1}, {kInf}), Tensor::from<float>({1}, {-kInf})).empty());
  CHECK_FALSE(cmp(Tensor::from<float>({1}, {3e38f}), Tensor::from<float>({1}, {kInf})).empty());
}

TEST_CASE("compare: reports the worst element", "[compare]") {
  Tensor want = Tensor::from<float>({2, 2}, {1, 2, 3, 4});
  Tensor got = Tensor::from<float>({2, 2}, {1.5f, 2, 3, 14});
  CHECK(cmp(want, got) == "2 of 4 elements differ; worst at [1, 1]: expected 4, got 14");
}

TEST_CASE("compare: integers exactly, dtypes and shapes strictly", "[compare]") {
  CHECK(cmp(Tensor::from<int64_t>({2}, {INT64_MAX, -1}), Tensor::from<int64_t>({2}, {INT64_MAX, -1})).empty());
  CHECK(cmp(Tensor::from<int64_t>({1}, {INT64_MAX}), Tensor::from<int64_t>({1}, {INT64_MAX - 1})) ==
        "1 of 1 elements differ; worst at [0]: expected 9223372036854775807, got 9223372036854775806");
  CHECK_FALSE(cmp(Tensor::from<uint8_t>({1}, {255}), Tensor::from<uint8_t>({1}, {254})).empty());
  CHECK_FALSE(cmp(Tensor::from<bool>({2}, {true, false}), Tensor::from<bool>({2}, {true, true})).empty());
  CHECK(cmp(Tensor::from<float>({2}, {1, 2}), Tensor::from<int32_t>({2}, {1, 2})) == "dtype int32, expected float32");
  CHECK(cmp(Tensor::from<float>({2}, {1, 2}), Tensor::from<float>({1, 2}, {1, 2})) == "shape [1, 2], expected [2]");
  CHECK(cmp(Tensor::from<float>({0, 3}, {}), Tensor::from<float>({0, 3}, {})).empty());
  CHECK(cmp(Tensor::from<float>({1}, {1}), Tensor()) == "no output produced");
}
