// LSTM against PyTorch (torch.nn.LSTM 1.13, weights converted from the ONNX
// gate order i, o, f, c to torch's i, f, g, o), the ONNX backend test data,
// and a hand evaluation of the ONNX equations for what torch lacks
// (peepholes, clip, input_forget).
#include <catch2/catch.hpp>
#include <cmath>

#include "engine/session.h"
#include "graph/error.h"

using namespace octet;
using graph::DType;
using graph::Shape;
using graph::Tensor;

namespace {

// The deterministic values the torch script used: sin(0.37 i + k) * 0.6.
std::vector<float> gen(size_t n, double k) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>(std::sin(0.37 * i + k) * 0.6);
  return v;
}

struct LstmCase {
  graph::Node node;
  std::vector<std::pair<std::string, Tensor>> inputs;  // in LSTM input order; empty name = omitted
};

// One LSTM node; X is a graph input, the rest initializers. Runs it and
// returns Y, Y_h, Y_c.
std::vector<Tensor> run_lstm(const LstmCase& c) {
  graph::Graph g;
  g.opset = 14;
  graph::Node n = c.node;
  n.op_type = "LSTM";
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const auto& [name, t] = c.inputs[i];
    n.inputs.push_back(name);
    if (name.empty()) continue;
    if (i == 0)
      g.inputs.push_back({name, t.dtype(), t.shape(), {}, true});
    else
      g.initializers[name] = t;
  }
  n.outputs = {"Y", "Y_h", "Y_c"};
  for (const auto& o : n.outputs) g.outputs.push_back({o, DType::Float32, {}, {}, false});
  g.nodes.push_back(n);
  engine::Session s(g);
  return s.run({c.inputs[0].second});
}

graph::Attribute int_attr(int64_t v) {
  graph::Attribute a;
  a.kind = graph::Attribute::Kind::Int;
  a.i = v;
  return a;
}
graph::Attribute string_attr(const std::string& v) {
  graph::Attribute a;
  a.kind = graph::Attribute::Kind::String;
  a.s = v;
  return a;
}
graph::Attribute float_attr(float v) {
  graph::Attribute a;
  a.kind = graph::Attribute::Kind::Float;
  a.f = v;
  return a;
}

void require_close(const Tensor& t, const Shape& shape, const std::vector<float>& want, float tol = 2e-6f) {
  REQUIRE(t.shape() == shape);
  REQUIRE(static_cast<size_t>(t.numel()) == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("element " << i);
    REQUIRE(t.data<float>()[i] == Approx(want[i]).margin(tol));
  }
}

// Bidirectional, S=4, B=3, I=3, H=2, bias and initial states, layout 1.
constexpr int64_t S = 4, B = 3, I = 3, H = 2, D = 2;

LstmCase torch_case(bool with_lens) {
  LstmCase c;
  c.node.attrs["direction"] = string_attr("bidirectional");
  c.node.attrs["hidden_size"] = int_attr(H);
  c.node.attrs["layout"] = int_attr(1);
  c.inputs = {{"X", Tensor::from<float>({B, S, I}, gen(B * S * I, 4.0))},
              {"W", Tensor::from<float>({D, 4 * H, I}, gen(D * 4 * H * I, 1.0))},
              {"R", Tensor::from<float>({D, 4 * H, H}, gen(D * 4 * H * H, 2.0))},
              {"B", Tensor::from<float>({D, 8 * H}, gen(D * 8 * H, 3.0))},
              {with_lens ? "lens" : "", Tensor::from<int32_t>({B}, {4, 2, 3})},
              {"h0", Tensor::from<float>({B, D, H}, gen(B * D * H, 5.0))},
              {"c0", Tensor::from<float>({B, D, H}, gen(B * D * H, 6.0))}};
  return c;
}

const std::vector<float> kTorchY = {
    -0.1659988f, -0.1322743f, 0.2452404f,  0.1484672f,  -0.1813226f, -0.1253111f, 0.1460129f,  0.1116117f,
    -0.0182027f, -0.0657041f, -0.0557489f, -0.0037040f, 0.1759464f,  0.0213170f,  0.0051372f,  0.0477211f,
    0.2141357f,  0.1607404f,  0.0248275f,  0.1093081f,  0.0814309f,  0.1779870f,  0.2009196f,  0.1890205f,
    -0.0583697f, 0.0656661f,  0.2618459f,  0.1691318f,  -0.0926985f, 0.0009668f,  0.1694724f,  0.1581840f,
    0.1710197f,  0.0818479f,  -0.1315775f, -0.1150250f, 0.2350755f,  0.1176624f,  -0.0709627f, -0.0733357f,
    0.2057072f,  0.1685235f,  0.0452013f,  0.0450189f,  0.0374015f,  0.1311830f,  0.1706655f,  0.0724569f};
const std::vector<float> kTorchYh = {0.1759464f,  0.0213170f, 0.2452404f, 0.1484672f, -0.0926985f, 0.0009668f,
                                     0.0248275f,  0.1093081f, 0.0374015f, 0.1311830f, -0.1315775f, -0.1150250f};
const std::vector<float> kTorchYc = {0.5054219f,  0.0791419f, 0.5604820f, 0.6309013f, -0.1884907f, 0.0016627f,
                                     0.0575554f,  0.2045298f, 0.0687513f, 0.2159062f, -0.2814755f, -0.1841629f};

// out[j...] = t[i...] with out dim k = t dim perm[k] (numpy.transpose).
Tensor permute(const Tensor& t, const std::vector<size_t>& perm) {
  Shape in = t.shape(), out_shape(in.size());
  for (size_t k = 0; k < perm.size(); ++k) out_shape[k] = in[perm[k]];
  Tensor out(DType::Float32, out_shape);
  std::vector<int64_t> in_strides(in.size(), 1);
  for (size_t k = in.size() - 1; k-- > 0;) in_strides[k] = in_strides[k + 1] * in[k + 1];
  for (int64_t flat = 0; flat < out.numel(); ++flat) {
    int64_t rest = flat, src = 0;
    for (size_t k = out_shape.size(); k-- > 0;) {
      src += (rest % out_shape[k]) * in_strides[perm[k]];
      rest /= out_shape[k];
    }
    out.data<float>()[flat] = t.data<float>()[src];
  }
  return out;
}

std::vector<float> values(const Tensor& t) { return {t.data<float>(), t.data<float>() + t.numel()}; }

}  // namespace

TEST_CASE("LSTM bidirectional, layout 1, initial states: matches torch.nn.LSTM") {
  auto out = run_lstm(torch_case(false));
  require_close(out[0], {B, S, D, H}, kTorchY);
  require_close(out[1], {B, D, H}, kTorchYh);
  require_close(out[2], {B, D, H}, kTorchYc);
}

TEST_CASE("LSTM layout 0 gives the layout 1 result transposed") {
  LstmCase c = torch_case(false);
  c.node.attrs.erase("layout");
  for (size_t i : {0, 5, 6}) c.inputs[i].second = permute(c.inputs[i].second, {1, 0, 2});
  auto out = run_lstm(c);
  require_close(out[0], {S, D, B, H}, values(permute(Tensor::from<float>({B, S, D, H}, kTorchY), {1, 2, 0, 3})));
  require_close(out[1], {D, B, H}, values(permute(Tensor::from<float>({B, D, H}, kTorchYh), {1, 0, 2})));
  require_close(out[2], {D, B, H}, values(permute(Tensor::from<float>({B, D, H}, kTorchYc), {1, 0, 2})));
}

TEST_CASE("LSTM with per-batch sequence_lens matches packed torch.nn.LSTM") {
  auto out = run_lstm(torch_case(true));
  require_close(out[0], {B, S, D, H},
                {-0.1659988f, -0.1322743f, 0.2452404f,  0.1484672f,  -0.1813226f, -0.1253111f, 0.1460129f,
                 0.1116117f,  -0.0182027f, -0.0657041f, -0.0557489f, -0.0037040f, 0.1759464f,  0.0213170f,
                 0.0051372f,  0.0477211f,  0.2141357f,  0.1607404f,  0.0244722f,  0.0936648f,  0.0814309f,
                 0.1779870f,  0.1870723f,  0.1414519f,  0.0f,        0.0f,        0.0f,        0.0f,
                 0.0f,        0.0f,        0.0f,        0.0f,        0.1710197f,  0.0818479f,  -0.1787300f,
                 -0.1630269f, 0.2350755f,  0.1176624f,  -0.1458325f, -0.1561861f, 0.2057072f,  0.1685235f,
                 -0.0792085f, -0.0646417f, 0.0f,        0.0f,        0.0f,        0.0f});
  require_close(out[1], {B, D, H},
                {0.1759464f, 0.0213170f, 0.2452404f, 0.1484672f, 0.0814309f, 0.1779870f, 0.0244722f, 0.0936648f,
                 0.2057072f, 0.1685235f, -0.1787300f, -0.1630269f});
  require_close(out[2], {B, D, H},
                {0.5054219f, 0.0791419f, 0.5604820f, 0.6309013f, 0.1581109f, 0.3372546f, 0.0564261f, 0.1721426f,
                 0.4954175f, 0.4784729f, -0.3878870f, -0.2568798f});
}

namespace {

// One unit, one batch row, three steps; values of the ONNX equations
// evaluated by hand in float64 (see the comment at the top).
LstmCase unit_case() {
  LstmCase c;
  c.node.attrs["hidden_size"] = int_attr(1);
  c.inputs = {{"X", Tensor::from<float>({3, 1, 1}, {0.9f, -1.7f, 2.5f})},
              {"W", Tensor::from<float>({1, 4, 1}, {1.5f, -0.8f, 0.6f, 2.0f})},
              {"R", Tensor::from<float>({1, 4, 1}, {0.4f, 0.9f, -1.2f, 0.7f})},
              {"B", Tensor::from<float>({1, 8}, {0.1f, -0.2f, 0.3f, 0.05f, -0.3f, 0.2f, 0.1f, 0.4f})},
              {"", Tensor()},
              {"h0", Tensor::from<float>({1, 1, 1}, {0.25f})},
              {"c0", Tensor::from<float>({1, 1, 1}, {-0.6f})},
              {"P", Tensor::from<float>({1, 3}, {0.5f, -0.7f, 0.8f})}};
  return c;
}

}  // namespace

TEST_CASE("LSTM peepholes, clip and input_forget follow the ONNX equations") {
  SECTION("peepholes") {
    auto out = run_lstm(unit_case());
    require_close(out[0], {3, 1, 1, 1}, {0.1168092f, 0.0605918f, 0.0502239f}, 1e-6f);
    require_close(out[2], {1, 1, 1}, {1.0392446f}, 1e-6f);
  }
  SECTION("clip") {
    LstmCase c = unit_case();
    c.node.attrs["clip"] = float_attr(0.8f);
    auto out = run_lstm(c);
    require_close(out[0], {3, 1, 1, 1}, {0.0476140f, -0.1076977f, 0.1041703f}, 1e-6f);
    require_close(out[2], {1, 1, 1}, {0.3495831f}, 1e-6f);
  }
  SECTION("input_forget") {
    LstmCase c = unit_case();
    c.node.attrs["input_forget"] = int_attr(1);
    auto out = run_lstm(c);
    require_close(out[0], {3, 1, 1, 1}, {0.1456385f, 0.3031761f, 0.0618472f}, 1e-6f);
    require_close(out[2], {1, 1, 1}, {0.9881834f}, 1e-6f);
  }
}

TEST_CASE("LSTM with peepholes: ONNX backend test data") {
  LstmCase c;
  c.node.attrs["hidden_size"] = int_attr(3);
  c.inputs = {{"X", Tensor::from<float>({1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})},
              {"W", Tensor::from<float>({1, 12, 4}, std::vector<float>(48, 0.1f))},
              {"R", Tensor::from<float>({1, 12, 3}, std::vector<float>(36, 0.1f))},
              {"B", Tensor::from<float>({1, 24}, std::vector<float>(24, 0.0f))},
              {"lens", Tensor::from<int32_t>({2}, {1, 1})},
              {"h0", Tensor::from<float>({1, 2, 3}, std::vector<float>(6, 0.0f))},
              {"c0", Tensor::from<float>({1, 2, 3}, std::vector<float>(6, 0.0f))},
              {"P", Tensor::from<float>({1, 9}, std::vector<float>(9, 0.1f))}};
  auto out = run_lstm(c);
  require_close(out[1], {1, 2, 3}, {0.3750691f, 0.3750691f, 0.3750691f, 0.6801309f, 0.6801309f, 0.6801309f}, 1e-6f);
}

TEST_CASE("LSTM rejects bad models and unsupported activations") {
  SECTION("activations other than the defaults") {
    LstmCase c = unit_case();
    graph::Attribute a;
    a.kind = graph::Attribute::Kind::Strings;
    a.strings = {"Sigmoid", "Tanh", "Relu"};
    c.node.attrs["activations"] = a;
    REQUIRE_THROWS_AS(run_lstm(c), UnsupportedError);
  }
  SECTION("W of the wrong size") {
    LstmCase c = unit_case();
    c.inputs[1].second = Tensor::from<float>({1, 3, 1}, {1, 2, 3});
    REQUIRE_THROWS_AS(run_lstm(c), FormatError);
  }
  SECTION("a sequence length past seq_length") {
    LstmCase c = unit_case();
    c.inputs[4] = {"lens", Tensor::from<int32_t>({1}, {4})};
    REQUIRE_THROWS_AS(run_lstm(c), FormatError);
  }
  SECTION("unknown direction") {
    LstmCase c = unit_case();
    c.node.attrs["direction"] = string_attr("sideways");
    REQUIRE_THROWS_AS(run_lstm(c), FormatError);
  }
}
