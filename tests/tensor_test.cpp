#include <catch2/catch.hpp>

#include "graph/error.h"
#include "graph/tensor.h"

using namespace octet::graph;

TEST_CASE("tensor storage is aligned, zeroed and typed") {
  Tensor t(DType::Float32, {3, 5});
  REQUIRE(t.numel() == 15);
  REQUIRE(t.nbytes() == 60);
  REQUIRE(reinterpret_cast<uintptr_t>(t.raw()) % 64 == 0);
  REQUIRE(t.data<float>()[14] == 0.0f);
  REQUIRE_THROWS_AS(t.data<int32_t>(), octet::Error);
}

TEST_CASE("shape_numel rejects negative dims and overflow") {
  REQUIRE(shape_numel({}) == 1);
  REQUIRE(shape_numel({2, 0, 7}) == 0);
  REQUIRE_THROWS_AS(shape_numel({2, -1}), octet::FormatError);
  REQUIRE_THROWS_AS(shape_numel({1 << 30, 1 << 30, 1 << 30}), octet::FormatError);
}

TEST_CASE("reshaped shares the buffer and checks the count") {
  Tensor t = Tensor::from<int64_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor r = t.reshaped({3, 2});
  REQUIRE(r.raw() == t.raw());
  REQUIRE(r.to_int64() == std::vector<int64_t>{1, 2, 3, 4, 5, 6});
  REQUIRE_THROWS(t.reshaped({4}));
  Tensor c = t.clone();
  c.data<int64_t>()[0] = 9;
  REQUIRE(t.data<int64_t>()[0] == 1);
}
