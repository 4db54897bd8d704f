// engine::BufferPool: a freed buffer the pool made is handed out again for
// the same byte size, never while someone else holds it, and storage the
// pool did not make is never adopted; a session's outputs kept by the
// caller survive the next run.
#include <catch2/catch.hpp>

#include <vector>

#include "engine/buffer_pool.h"
#include "engine/session.h"
#include "test_graphs.h"

using namespace octet;
using graph::DType;
using graph::Tensor;

namespace {

// y = -relu(x) through an intermediate the plan frees, so run after run
// the pool hands buffers back and forth.
graph::Graph relu_neg_graph() {
  graph::Graph g;
  g.opset = 13;
  g.inputs.push_back(octet::testing::float_value("x", {1, 4}));
  g.outputs.push_back(octet::testing::float_value("y", {1, 4}));
  g.nodes.push_back(octet::testing::make_node("Relu", {"x"}, {"r"}));
  g.nodes.push_back(octet::testing::make_node("Neg", {"r"}, {"y"}));
  return g;
}

}  // namespace

TEST_CASE("BufferPool reuses a freed buffer of the same size only", "[buffer_pool]") {
  engine::BufferPool pool;
  Tensor a = pool.make(DType::Float32, {3, 5});
  const void* first = a.raw();
  pool.recycle(a);
  CHECK(a.empty());
  Tensor same_bytes = pool.make(DType::UInt8, {60});  // 60 bytes, the same 64-byte capacity
  CHECK(same_bytes.raw() == first);
  CHECK(same_bytes.shape() == graph::Shape{60});
  Tensor other = pool.make(DType::Float32, {100});
  CHECK(other.raw() != first);
}

TEST_CASE("BufferPool keeps a buffer that is still held elsewhere", "[buffer_pool]") {
  engine::BufferPool pool;
  Tensor a = pool.make(DType::Float32, {16});
  Tensor held = a;  // a caller's copy of an output
  const void* p = a.raw();
  pool.recycle(a);
  Tensor b = pool.make(DType::Float32, {16});
  CHECK(b.raw() != p);
  CHECK(held.raw() == p);
}

TEST_CASE("BufferPool never adopts storage it did not make", "[buffer_pool]") {
  engine::BufferPool pool;
  Tensor foreign(DType::Float32, {16});
  const void* p = foreign.raw();
  pool.recycle(foreign);
  Tensor b = pool.make(DType::Float32, {16});
  CHECK(b.raw() != p);
}

TEST_CASE("Session: outputs kept from one run are intact after the next", "[buffer_pool]") {
  engine::Session s(relu_neg_graph());
  const Tensor x1 = Tensor::from<float>({1, 4}, {-1.f, 2.f, -3.f, 4.f});
  const Tensor x2 = Tensor::from<float>({1, 4}, {5.f, -6.f, 7.f, -8.f});
  const std::vector<Tensor> y1 = s.run({x1});
  const std::vector<Tensor> y2 = s.run({x2});
  const std::vector<Tensor> y3 = s.run({x1});
  CHECK(std::vector<float>(y1[0].data<float>(), y1[0].data<float>() + 4) == std::vector<float>{0, -2, 0, -4});
  CHECK(std::vector<float>(y2[0].data<float>(), y2[0].data<float>() + 4) == std::vector<float>{-5, 0, -7, 0});
  CHECK(std::vector<float>(y3[0].data<float>(), y3[0].data<float>() + 4) == std::vector<float>{0, -2, 0, -4});
}
