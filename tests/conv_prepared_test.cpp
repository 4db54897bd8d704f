// The prepared FP32 Conv (engine/ops/conv_prepared.cpp: weights packed once
// per session) against the reference Conv op, bit for bit, at every ISA
// level this CPU runs: directly and through a Session. At Ref, and for one
// input channel per group, the prepare declines and the reference runs.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "graph/passes.h"
#include "kernels/fp32/conv_f32.h"
#include "kernels/fp32/sgemm_packed.h"
#include "prepared_op_harness.h"

using namespace octet;
using graph::Attribute;
using testing::NodeCase;

namespace {

struct ConvCase {
  int64_t batch, channels, h, w, m, kh, kw, group;
  std::vector<int64_t> strides, pads;
  bool bias, relu;
};

NodeCase node_case(const ConvCase& c, std::mt19937& rng) {
  NodeCase nc;
  nc.op = "Conv";
  const graph::Shape x_shape = {c.batch, c.channels, c.h, c.w}, w_shape = {c.m, c.channels / c.group, c.kh, c.kw};
  nc.inputs.push_back(graph::Tensor::from<float>(
      x_shape, testing::random_floats(rng, static_cast<size_t>(graph::shape_numel(x_shape)), -2.f, 2.f)));
  nc.inputs.push_back(graph::Tensor::from<float>(
      w_shape, testing::random_floats(rng, static_cast<size_t>(graph::shape_numel(w_shape)), -1.f, 1.f)));
  if (c.bias)
    nc.inputs.push_back(
        graph::Tensor::from<float>({c.m}, testing::random_floats(rng, static_cast<size_t>(c.m), -1.f, 1.f)));
  if (c.group != 1) nc.attrs["group"] = Attribute::of(c.group);
  if (!c.strides.empty()) nc.attrs["strides"] = Attribute::of(c.strides);
  if (!c.pads.empty()) nc.attrs["pads"] = Attribute::of(c.pads);
  if (c.relu) nc.attrs[graph::kActivationMin] = Attribute::of(0.f);
  return nc;
}

// check_case with the prepared op expected at every level but Ref. The
// reference Conv runs the packed GEMM at conv_f32_level(), fixed for the
// process; when that is Ref (OCTET_ISA=ref at its first call) it runs Eigen
// instead, and only the SIMD levels are compared with one another.
void check_conv(const NodeCase& nc, bool fast) {
  const bool reference_is_packed = kernels::conv_f32_level() != kernels::Isa::Ref;
  graph::Tensor want = testing::reference(nc);
  bool have_packed = reference_is_packed;
  for (kernels::Isa isa : kernels::supported_isas()) {
    INFO("ISA " << kernels::isa_name(isa));
    graph::Tensor direct;
    auto op = testing::prepare_direct(nc, isa, &direct);
    // The ARM levels run the FP32 path as Eigen, the Ref level's code (kernels/isa.h).
    REQUIRE((op != nullptr) == (fast && kernels::fp32_level(isa) != kernels::Isa::Ref));
    if (op && !have_packed) {
      want = direct;  // the first SIMD level's bits stand for the others
      have_packed = true;
    }
    if (op) REQUIRE(testing::same_bits(direct, want));
    if (isa == kernels::Isa::Ref || reference_is_packed)
      REQUIRE(testing::same_bits(testing::run_session(nc, isa), testing::reference(nc)));
  }
}

}  // namespace

TEST_CASE("prepared FP32 Conv gives the reference Conv's bits", "[conv_prepared]") {
  std::mt19937 rng(11);
  const ConvCase cases[] = {
      // resnet18's last layers: 7x7 = 49 pixels, a one-column tail panel.
      {1, 32, 7, 7, 40, 3, 3, 1, {}, {1, 1, 1, 1}, true, true},
      {2, 16, 14, 14, 24, 3, 3, 1, {2, 2}, {1, 1, 1, 1}, true, false},  // stride 2, batch 2: 49 pixels again
      {1, 8, 9, 11, 20, 3, 3, 2, {}, {1, 0, 2, 1}, false, true},        // groups 2, uneven pads
      {1, 12, 10, 10, 18, 1, 1, 2, {}, {}, true, false},               // pointwise, groups 2
      {1, 6, 5, 7, 300, 3, 3, 1, {2, 1}, {1, 1, 1, 1}, false, false},  // many rows, 15 pixels
      {1, 40, 8, 8, 17, 3, 3, 1, {}, {1, 1, 1, 1}, true, true},        // depth 360: two K blocks
  };
  for (const ConvCase& c : cases) {
    INFO("m=" << c.m << " c=" << c.channels << " group=" << c.group << " bias=" << c.bias << " relu=" << c.relu);
    check_conv(node_case(c, rng), true);
  }
}

TEST_CASE("prepared FP32 Conv leaves depthwise and one-channel groups to the reference", "[conv_prepared]") {
  std::mt19937 rng(12);
  check_conv(node_case({1, 8, 6, 6, 8, 3, 3, 8, {}, {1, 1, 1, 1}, true, false}, rng), false);   // depthwise
  check_conv(node_case({1, 4, 6, 6, 8, 3, 3, 4, {}, {1, 1, 1, 1}, false, true}, rng), false);   // multiplier 2
  check_conv(node_case({1, 1, 12, 12, 6, 5, 5, 1, {}, {}, true, false}, rng), false);           // one input channel
}

TEST_CASE("prepared FP32 Conv declines runtime weights", "[conv_prepared]") {
  std::mt19937 rng(13);
  NodeCase nc = node_case({1, 4, 6, 6, 8, 3, 3, 1, {}, {}, true, false}, rng);
  nc.runtime = {0, 1};
  check_conv(nc, false);
}
