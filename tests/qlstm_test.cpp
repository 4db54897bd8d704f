// INT8 LSTM (kernels/qlstm.h) and com.microsoft:DynamicQuantizeLSTM:
//  - the vectorized sigmoid / tanh against the std:: ones over a dense
//    sweep (the bound kernels/qlstm.h states);
//  - the driver with Scalar activations bit for bit against
//    kernels/ref/qlstm_ref at every ISA this CPU runs (so the INT8
//    projections, zero-point folding and F32 epilogues are exact), and with
//    Vector activations within the tolerance the activation bound gives;
//  - the op against the FP32 LSTM op on the dequantized weights (SQNR),
//    also with batch entries 10^b apart in range, a floor that one
//    per-tensor scale fails (per-row quantization, kernels/qlstm.h);
//  - extreme inputs, the shape rule's errors, the op through a Session.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "engine/session.h"
#include "kernels/fp32/elementwise_f32.h"
#include "kernels/qlstm.h"
#include "kernels/ref/qlstm_ref.h"
#include "prepared_op_harness.h"
#include "quant/error_metrics.h"

using namespace octet;
using namespace octet::testing;
using graph::DType;
using graph::Shape;
using graph::Tensor;

namespace {

std::mt19937& rng() {
  static std::mt19937 g(77031);
  return g;
}

// The vectorized activations' stated bound (kernels/qlstm.h): 2^-23, two
// ulp just below 1, the same on every target (kernels/fp32/portable_exp.h).
constexpr float kActivationError = 1.1920929e-7f;

// ---- a random LSTM, quantized per column ----

struct QLstmModel {
  int64_t S = 7, B = 3, I = 13, H = 11;
  std::string direction = "forward";
  int64_t layout = 0;
  bool per_column = true, bias = true, peephole = false, seq_lens = false, states = false;
  float clip = 0;
  bool input_forget = false;
  DType w_type = DType::Int8;
  int32_t w_zp = 0;  // the stored zero point (uint8: 128 is the symmetric one)
  float x_lo = -2.0f, x_hi = 2.0f;
  int64_t D() const { return direction == "bidirectional" ? 2 : 1; }
};

// One weight input: q [D, K, 4H] with its scale and zero point, and the FP32
// weight ONNX LSTM takes, [D, 4H, K], that q dequantizes to.
struct QuantizedWeight {
  Tensor q, scale, zero_point, dequantized;
};

QuantizedWeight quantize_weight(const QLstmModel& m, int64_t K) {
  const int64_t D = m.D(), N = 4 * m.H;
  const float range = 1.0f / std::sqrt(static_cast<float>(m.H));
  std::vector<float> w = random_floats(rng(), static_cast<size_t>(D * N * K), -range, range);  // [D, 4H, K]
  const int64_t cols = m.per_column ? N : 1;
  // The largest |q| that q + zero point still stores in the weight type.
  const float q_limit = static_cast<float>(m.w_type == DType::UInt8 ? std::min(m.w_zp, 255 - m.w_zp)
                                                                     : 127 - std::abs(m.w_zp));
  std::vector<float> scale(static_cast<size_t>(D * cols), 0.0f);
  for (int64_t d = 0; d < D; ++d)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k) {
        float& s = scale[d * cols + (m.per_column ? n : 0)];
        s = std::max(s, std::fabs(w[(d * N + n) * K + k]) / q_limit);
      }
  QuantizedWeight out;
  out.q = Tensor(m.w_type, {D, K, N});
  std::vector<float> deq(w.size());
  for (int64_t d = 0; d < D; ++d)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k) {
        const float s = scale[d * cols + (m.per_column ? n : 0)];
        const int32_t q = static_cast<int32_t>(std::nearbyint(w[(d * N + n) * K + k] / s));
        const int64_t at = (d * K + k) * N + n;
        if (m.w_type == DType::UInt8)
          out.q.data<uint8_t>()[at] = static_cast<uint8_t>(q + m.w_zp);
        else
          out.q.data<int8_t>()[at] = static_cast<int8_t>(q + m.w_zp);
        deq[(d * N + n) * K + k] = s * static_cast<float>(q);
      }
  const Shape sshape = m.per_column ? Shape{D, N} : Shape{D};
  out.scale = Tensor::from<float>(sshape, scale);
  out.zero_point = zero_point(m.w_type, m.w_zp, sshape);
  out.dequantized = Tensor::from<float>({D, N, K}, deq);
  return out;
}

graph::Attribute attr_int(int64_t v) {
  graph::Attribute a;
  a.kind = graph::Attribute::Kind::Int;
  a.i = v;
  return a;
}
graph::Attribute attr_float(float v) {
  graph::Attribute a;
  a.kind = graph::Attribute::Kind::Float;
  a.f = v;
  return a;
}
graph::Attribute attr_string(const std::string& v) {
  graph::Attribute a;
  a.kind = graph::Attribute::Kind::String;
  a.s = v;
  return a;
}

// The DynamicQuantizeLSTM node and the FP32 LSTM node on the dequantized weights.
struct Cases {
  NodeCase q, f;
};

Cases make_cases(const QLstmModel& m) {
  const int64_t D = m.D(), H = m.H;
  const Shape xs = m.layout == 0 ? Shape{m.S, m.B, m.I} : Shape{m.B, m.S, m.I};
  Tensor x = Tensor::from<float>(xs, random_floats(rng(), static_cast<size_t>(m.S * m.B * m.I), m.x_lo, m.x_hi));
  QuantizedWeight w = quantize_weight(m, m.I), r = quantize_weight(m, H);
  Tensor b, lens, h0, c0, p;
  if (m.bias) b = Tensor::from<float>({D, 8 * H}, random_floats(rng(), static_cast<size_t>(D * 8 * H), -0.5f, 0.5f));
  if (m.seq_lens) {
    std::vector<int32_t> v(static_cast<size_t>(m.B));
    for (int64_t i = 0; i < m.B; ++i) v[i] = static_cast<int32_t>((m.S * (i + 1)) / m.B) - (i == 0 ? 1 : 0);
    v[0] = 0;  // one empty row
    lens = Tensor::from<int32_t>({m.B}, v);
  }
  if (m.states) {
    const Shape st = m.layout == 0 ? Shape{D, m.B, H} : Shape{m.B, D, H};
    const auto n = static_cast<size_t>(D * m.B * H);
    h0 = Tensor::from<float>(st, random_floats(rng(), n, -0.8f, 0.8f));
    c0 = Tensor::from<float>(st, random_floats(rng(), n, -1.5f, 1.5f));
  }
  if (m.peephole) p = Tensor::from<float>({D, 3 * H}, random_floats(rng(), static_cast<size_t>(D * 3 * H), -0.5f, 0.5f));
  std::map<std::string, graph::Attribute> attrs = {{"hidden_size", attr_int(H)},
                                                   {"direction", attr_string(m.direction)},
                                                   {"layout", attr_int(m.layout)}};
  if (m.clip > 0) attrs["clip"] = attr_float(m.clip);
  if (m.input_forget) attrs["input_forget"] = attr_int(1);
  Cases c;
  c.q.op = "DynamicQuantizeLSTM";
  c.q.domain = graph::kMicrosoftDomain;
  c.q.inputs = {x, w.q, r.q, b, lens, h0, c0, p, w.scale, w.zero_point, r.scale, r.zero_point};
  c.q.attrs = attrs;
  c.q.outputs = {"y", "y_h", "y_c"};
  c.f.op = "LSTM";
  c.f.inputs = {x, w.dequantized, r.dequantized, b, lens, h0, c0, p};
  c.f.attrs = attrs;
  c.f.outputs = c.q.outputs;
  return c;
}

// Y, Y_h, Y_c of the node's reference OpFn.
std::vector<Tensor> evaluate(const NodeCase& c) {
  graph::Graph g = c.graph();
  auto infos = infos_of(g);
  return engine::evaluate_node(g.nodes[0], c.input_ptrs(), output_infos(c, infos));
}

double sqnr(const Tensor& ref, const Tensor& got) {
  REQUIRE(ref.shape() == got.shape());
  quant::ErrorStats e;
  e.add(ref.data<float>(), got.data<float>(), ref.numel());
  return e.sqnr_db();
}

float max_abs_diff(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  float m = 0;
  for (int64_t i = 0; i < a.numel(); ++i) m = std::max(m, std::fabs(a.data<float>()[i] - b.data<float>()[i]));
  return m;
}

// ---- the kernels directly, one direction ----

struct KernelRun {
  std::vector<float> y, y_h, y_c;
};

// Runs direction k of the quantized case with the reference (isa null) or
// the driver at `isa`; X quantized once, per row, as the op does.
KernelRun run_kernel(const QLstmModel& m, const NodeCase& c, int64_t k, const kernels::Isa* isa,
                     kernels::QLstmActivations act) {
  const int64_t D = m.D(), S = m.S, B = m.B, I = m.I, H = m.H, N = 4 * H;
  const bool bf = m.layout == 1;
  kernels::LstmDims d{S, B, I, H};
  kernels::LstmStrides s;
  s.x_step = bf ? I : B * I;
  s.x_batch = bf ? S * I : I;
  s.y_step = bf ? D * H : D * B * H;
  s.y_batch = bf ? S * D * H : H;
  s.state_batch = bf ? D * H : H;
  const int64_t dir_off = bf ? H : B * H;
  kernels::LstmOptions opt;
  opt.clip = m.clip;
  opt.input_forget = m.input_forget;
  const Tensor& x = c.inputs[0];
  std::vector<uint8_t> xq(static_cast<size_t>(x.numel()));
  std::vector<kernels::DynamicQuantized> xqp(static_cast<size_t>(S * B));
  kernels::quantize_dynamic_u8_rows(x.data<float>(), S * B, I, xq.data(), xqp.data());
  KernelRun out;
  out.y.assign(static_cast<size_t>(S * B * D * H), -1.0f);
  out.y_h.assign(static_cast<size_t>(B * D * H), -1.0f);
  out.y_c = out.y_h;
  auto opt_f = [&](size_t i, int64_t per_dir) { return c.inputs[i].empty() ? nullptr : c.inputs[i].data<float>() + k * per_dir; };
  const int32_t* lens = c.inputs[4].empty() ? nullptr : c.inputs[4].data<int32_t>();
  auto fill = [&](auto& dir) {
    dir.bias = opt_f(3, 8 * H);
    dir.peephole = opt_f(7, 3 * H);
    dir.initial_h = opt_f(5, dir_off);
    dir.initial_c = opt_f(6, dir_off);
    dir.y = out.y.data() + k * dir_off;
    dir.y_h = out.y_h.data() + k * dir_off;
    dir.y_c = out.y_c.data() + k * dir_off;
    dir.reverse = m.direction == "reverse" || k == 1;
  };
  const int64_t cols = m.per_column ? N : 1;
  const float* ws = c.inputs[8].data<float>() + k * cols;
  const float* rs = c.inputs[10].data<float>() + k * cols;
  REQUIRE(m.w_type == DType::Int8);
  REQUIRE(m.w_zp == 0);
  const int8_t* w = c.inputs[1].data<int8_t>() + k * I * N;
  const int8_t* r = c.inputs[2].data<int8_t>() + k * H * N;
  if (!isa) {
    kernels::QLstmDirectionRef dir;
    dir.w = {w, nullptr, ws, nullptr, m.per_column};
    dir.r = {r, nullptr, rs, nullptr, m.per_column};
    fill(dir);
    kernels::qlstm_direction_ref(d, s, opt, xq.data(), xqp.data(), lens, dir);
  } else {
    const auto pw = kernels::prepack_qlstm_weights(*isa, I, N, w, ws, m.per_column);
    const auto pr = kernels::prepack_qlstm_weights(*isa, H, N, r, rs, m.per_column);
    kernels::QLstmDirection dir;
    dir.w = &pw;
    dir.r = &pr;
    fill(dir);
    kernels::QLstmScratch scratch;
    // Twice through the same scratch: the second run must not see the first's state.
    kernels::qlstm_direction(d, s, opt, xq.data(), xqp.data(), lens, dir, scratch, act);
    kernels::qlstm_direction(d, s, opt, xq.data(), xqp.data(), lens, dir, scratch, act);
  }
  return out;
}

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  float m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

std::vector<QLstmModel> kernel_sweep() {
  std::vector<QLstmModel> v;
  QLstmModel m;
  v.push_back(m);
  m.direction = "reverse", m.peephole = true, m.states = true, v.push_back(m);
  m = {};
  m.direction = "bidirectional", m.layout = 1, m.seq_lens = true, m.per_column = false, v.push_back(m);
  m = {};
  m.S = 5, m.B = 1, m.I = 67, m.H = 37, m.clip = 0.9f, m.input_forget = true, m.states = true, v.push_back(m);
  m = {};
  m.S = 3, m.B = 5, m.I = 130, m.H = 64, m.peephole = true, m.seq_lens = true, v.push_back(m);
  m = {};
  m.S = 1, m.B = 1, m.states = true, v.push_back(m);  // one row: both projections fold the zero point
  return v;
}

}  // namespace

TEST_CASE("qlstm: vectorized sigmoid and tanh stay within the stated bound of std::", "[qlstm]") {
  // A dense sweep of [-20, 20] (past it both saturate): 2^21 points.
  const int64_t n = int64_t(1) << 21;
  std::vector<float> x(static_cast<size_t>(n)), s(x.size()), t(x.size());
  for (int64_t i = 0; i < n; ++i) x[i] = -20.0f + 40.0f * static_cast<float>(i) / static_cast<float>(n);
  kernels::sigmoid_f32(x.data(), s.data(), n);
  kernels::tanh_f32(x.data(), t.data(), n);
  float es = 0, et = 0;
  for (int64_t i = 0; i < n; ++i) {
    es = std::max(es, std::fabs(s[i] - kernels::qlstm_sigmoid_ref(x[i])));
    et = std::max(et, std::fabs(t[i] - kernels::qlstm_tanh_ref(x[i])));
  }
  INFO("max |sigmoid_f32 - std| = " << es << ", max |tanh_f32 - std| = " << et);
  CHECK(es <= kActivationError);
  CHECK(et <= kActivationError);
  CHECK(es > 0);  // the sweep does reach the vector path's rounding differences
  // And random points of [-100, 100], saturation included.
  std::uniform_real_distribution<float> wide(-100.0f, 100.0f);
  for (auto& v : x) v = wide(rng());
  kernels::sigmoid_f32(x.data(), s.data(), n);
  kernels::tanh_f32(x.data(), t.data(), n);
  es = et = 0;
  for (int64_t i = 0; i < n; ++i) {
    es = std::max(es, std::fabs(s[i] - kernels::qlstm_sigmoid_ref(x[i])));
    et = std::max(et, std::fabs(t[i] - kernels::qlstm_tanh_ref(x[i])));
  }
  CHECK(es <= kActivationError);
  CHECK(et <= kActivationError);
}

TEST_CASE("qlstm: the driver with scalar activations is bit-exact with the reference at every ISA", "[qlstm]") {
  for (const QLstmModel& m : kernel_sweep()) {
    const Cases c = make_cases(m);
    for (int64_t k = 0; k < m.D(); ++k) {
      const KernelRun want = run_kernel(m, c.q, k, nullptr, kernels::QLstmActivations::Scalar);
      for (kernels::Isa isa : kernels::supported_isas()) {
        INFO("ISA " << kernels::isa_name(isa) << ", I " << m.I << ", H " << m.H << ", direction " << k);
        const KernelRun got = run_kernel(m, c.q, k, &isa, kernels::QLstmActivations::Scalar);
        REQUIRE(got.y == want.y);
        REQUIRE(got.y_h == want.y_h);
        REQUIRE(got.y_c == want.y_c);
      }
    }
  }
}

TEST_CASE("qlstm: extreme weights and inputs stay exact (255 against -128)", "[qlstm]") {
  QLstmModel m;
  m.S = 3, m.B = 2, m.I = 300, m.H = 40, m.bias = false;
  Cases c = make_cases(m);
  std::fill_n(c.q.inputs[0].data<float>(), c.q.inputs[0].numel(), 7.0f);  // xq = 255 everywhere
  std::fill_n(c.q.inputs[1].data<int8_t>(), c.q.inputs[1].numel(), int8_t(-128));
  std::fill_n(c.q.inputs[2].data<int8_t>(), c.q.inputs[2].numel(), int8_t(127));
  const KernelRun want = run_kernel(m, c.q, 0, nullptr, kernels::QLstmActivations::Scalar);
  for (kernels::Isa isa : kernels::supported_isas()) {
    INFO("ISA " << kernels::isa_name(isa));
    const KernelRun got = run_kernel(m, c.q, 0, &isa, kernels::QLstmActivations::Scalar);
    REQUIRE(got.y == want.y);
    REQUIRE(got.y_c == want.y_c);
  }
}

TEST_CASE("qlstm: vectorized activations stay within the activation bound of the reference", "[qlstm]") {
  // One step from given states: h0 and the projections are identical, only
  // the nonlinearities differ. With |i|, |f|, |o|, |tanh| <= 1 and errors
  // e <= kActivationError in each, |dc| <= e (|c0| + 1) + e and
  // |dh| <= e + |dc| + e; the float ops around them add a few ulp of |c|.
  QLstmModel m;
  m.S = 1, m.states = true, m.peephole = true, m.H = 45;
  const Cases c = make_cases(m);
  const KernelRun want = run_kernel(m, c.q, 0, nullptr, kernels::QLstmActivations::Scalar);
  const float c0 = 1.5f;  // |initial_c| bound of make_cases
  const float dc = kActivationError * (c0 + 2.0f) + 4 * std::numeric_limits<float>::epsilon() * (c0 + 1.0f);
  const float dh = 2 * kActivationError + dc + 2 * std::numeric_limits<float>::epsilon();
  for (kernels::Isa isa : kernels::supported_isas()) {
    INFO("ISA " << kernels::isa_name(isa));
    const KernelRun got = run_kernel(m, c.q, 0, &isa, kernels::QLstmActivations::Vector);
    const float diff_c = max_abs_diff(got.y_c, want.y_c), diff_h = max_abs_diff(got.y, want.y);
    INFO("one step: |dc| " << diff_c << " <= " << dc << ", |dh| " << diff_h << " <= " << dh);
    CHECK(diff_c <= dc);
    CHECK(diff_h <= dh);
    CHECK(diff_h > 0);  // the vector path did run
  }
  // Over a sequence an activation difference can flip one rounding of the
  // dynamically quantized h: the paths then differ by a few quanta of h
  // (h in [-1, 1], quantum <= 2 / 255) carried through the gates, not more.
  QLstmModel seq;
  seq.S = 12, seq.peephole = true;
  const Cases cs = make_cases(seq);
  const KernelRun ref = run_kernel(seq, cs.q, 0, nullptr, kernels::QLstmActivations::Scalar);
  for (kernels::Isa isa : kernels::supported_isas()) {
    INFO("ISA " << kernels::isa_name(isa));
    const KernelRun got = run_kernel(seq, cs.q, 0, &isa, kernels::QLstmActivations::Vector);
    const float diff = max_abs_diff(got.y, ref.y);
    INFO("sequence: |dh| " << diff);
    CHECK(diff <= 4.0f * 2.0f / 255.0f);
  }
}

TEST_CASE("DynamicQuantizeLSTM: SQNR against the FP32 LSTM on the dequantized weights", "[qlstm]") {
  std::vector<std::pair<std::string, QLstmModel>> models;
  QLstmModel m;
  models.push_back({"forward", m});
  m.direction = "reverse", models.push_back({"reverse", m});
  m = {};
  m.direction = "bidirectional", models.push_back({"bidirectional", m});
  m.layout = 1, models.push_back({"bidirectional, layout 1", m});
  m = {};
  m.seq_lens = true, m.B = 4, models.push_back({"sequence_lens", m});
  m.direction = "bidirectional", m.layout = 1, models.push_back({"bidirectional sequence_lens layout 1", m});
  m = {};
  m.states = true, models.push_back({"initial states", m});
  m.peephole = true, models.push_back({"peepholes", m});
  m.per_column = false, models.push_back({"per-direction scales", m});
  m = {};
  m.clip = 1.5f, m.input_forget = true, models.push_back({"clip, input_forget", m});
  m = {};
  m.S = 20, m.B = 2, m.I = 40, m.H = 64, m.direction = "bidirectional", models.push_back({"larger", m});
  m = {};
  m.w_type = DType::UInt8, m.w_zp = 128, models.push_back({"uint8 weights, zero point 128", m});
  m.w_zp = 120, models.push_back({"uint8 weights, zero point 120", m});
  for (const auto& [name, model] : models) {
    INFO(name);
    const Cases c = make_cases(model);
    const std::vector<Tensor> want = evaluate(c.f);
    const std::vector<Tensor> got = evaluate(c.q);
    for (size_t o = 0; o < 3; ++o) {
      INFO("output " << o << ": SQNR " << sqnr(want[o], got[o]) << " dB");
      CHECK(sqnr(want[o], got[o]) > 30.0);
    }
    for (kernels::Isa isa : kernels::supported_isas()) {
      INFO("session at " << kernels::isa_name(isa));
      const Tensor y = run_session(c.q, isa);
      CHECK(sqnr(want[0], y) > 30.0);
      // The fast path differs from the reference by its activations only.
      const float diff = max_abs_diff(y, got[0]);
      INFO("fast vs reference |dY| " << diff);
      CHECK(diff <= 4.0f * 2.0f / 255.0f);
    }
  }
}

TEST_CASE("DynamicQuantizeLSTM: all-zero and constant inputs", "[qlstm]") {
  SECTION("zero X, no bias, zero states: every gate is 0.5 and Y is exactly 0") {
    QLstmModel m;
    m.bias = false, m.direction = "bidirectional";
    Cases c = make_cases(m);
    std::fill_n(c.q.inputs[0].data<float>(), c.q.inputs[0].numel(), 0.0f);
    const std::vector<Tensor> got = evaluate(c.q);
    for (const Tensor& t : got)
      for (int64_t i = 0; i < t.numel(); ++i) REQUIRE(t.data<float>()[i] == 0.0f);
    for (kernels::Isa isa : kernels::supported_isas()) {
      const Tensor y = run_session(c.q, isa);
      for (int64_t i = 0; i < y.numel(); ++i) REQUIRE(y.data<float>()[i] == 0.0f);
    }
  }
  for (float v : {0.0f, 3.0f, -2.0f}) {
    INFO("X all " << v);
    QLstmModel m;
    m.states = true;
    Cases c = make_cases(m);
    std::fill_n(c.q.inputs[0].data<float>(), c.q.inputs[0].numel(), v);  // c.f shares the buffer
    const std::vector<Tensor> want = evaluate(c.f);
    const std::vector<Tensor> got = evaluate(c.q);
    CHECK(sqnr(want[0], got[0]) > 30.0);
    for (kernels::Isa isa : kernels::supported_isas()) CHECK(sqnr(want[0], run_session(c.q, isa)) > 30.0);
  }
}

TEST_CASE("DynamicQuantizeLSTM: the fast path is taken for symmetric weights, else the reference runs", "[qlstm]") {
  QLstmModel m;
  const Cases sym = make_cases(m);
  m.w_type = DType::UInt8, m.w_zp = 128;
  const Cases u8 = make_cases(m);
  m.w_zp = 121;
  const Cases asym = make_cases(m);
  for (kernels::Isa isa : kernels::supported_isas()) {
    Tensor out;
    CHECK(prepare_direct(sym.q, isa, &out) != nullptr);
    CHECK(prepare_direct(u8.q, isa, &out) != nullptr);
  }
  // No prepared op: the session runs the reference OpFn, bit for bit.
  check_case(asym.q, false);
  NodeCase runtime_w = sym.q;
  runtime_w.runtime = {0, 1};
  check_case(runtime_w, false);
}

TEST_CASE("DynamicQuantizeLSTM: the shape rule rejects bad models", "[qlstm]") {
  QLstmModel m;
  auto infer = [](const NodeCase& nc) {
    graph::Graph g = nc.graph();
    return infos_of(g);
  };
  const Cases good = make_cases(m);
  auto infos = infer(good.q);
  CHECK(infos.at("y").shape == Shape{m.S, 1, m.B, m.H});
  CHECK(infos.at("y_h").shape == Shape{1, m.B, m.H});
  auto bad = [&](auto edit) {
    NodeCase c = good.q;
    edit(c);
    return c;
  };
  // W in ONNX LSTM's [D, 4H, I] layout instead of ONNX Runtime's [D, I, 4H].
  CHECK_THROWS_AS(infer(bad([&](NodeCase& c) { c.inputs[1] = filled(rng(), DType::Int8, {1, 4 * m.H, m.I}); })),
                  FormatError);
  CHECK_THROWS_AS(infer(bad([&](NodeCase& c) { c.inputs[1] = good.f.inputs[1]; })), UnsupportedError);
  CHECK_THROWS_AS(infer(bad([&](NodeCase& c) { c.inputs[2] = filled(rng(), DType::UInt8, {1, m.H, 4 * m.H}); })),
                  FormatError);
  CHECK_THROWS_AS(infer(bad([&](NodeCase& c) { c.inputs[8] = Tensor::from<float>({3}, {1, 1, 1}); })), FormatError);
  CHECK_THROWS_AS(infer(bad([&](NodeCase& c) { c.inputs[9] = zero_point(DType::UInt8, 0, {1, 4 * m.H}); })),
                  FormatError);
  CHECK_THROWS_AS(infer(bad([&](NodeCase& c) { c.inputs[11] = zero_point(DType::Int8, 0, {1}); })), FormatError);
  CHECK_THROWS_AS(infer(bad([&](NodeCase& c) { c.inputs.resize(8); })), FormatError);  // no scales
  CHECK_THROWS_AS(infer(bad([&](NodeCase& c) { c.inputs[3] = Tensor::from<float>({1, 4}, {0, 0, 0, 0}); })),
                  FormatError);
  CHECK_THROWS_AS(infer(bad([&](NodeCase& c) { c.attrs["direction"] = attr_string("sideways"); })), FormatError);
  CHECK_THROWS_AS(infer(bad([&](NodeCase& c) {
                    graph::Attribute a;
                    a.kind = graph::Attribute::Kind::Strings;
                    a.strings = {"Relu", "Tanh", "Tanh"};
                    c.attrs["activations"] = a;
                  })),
                  UnsupportedError);
  CHECK_THROWS_AS(infer(bad([&](NodeCase& c) { c.attrs["hidden_size"] = attr_int(m.H + 1); })), FormatError);
}

TEST_CASE("DynamicQuantizeLSTM: sequence_lens outside [0, seq_length] is refused at run time", "[qlstm]") {
  QLstmModel m;
  m.seq_lens = true;
  Cases c = make_cases(m);
  c.q.inputs[4].data<int32_t>()[1] = static_cast<int32_t>(m.S + 1);
  CHECK_THROWS_AS(evaluate(c.q), FormatError);
  for (kernels::Isa isa : kernels::supported_isas()) {
    Tensor out;
    CHECK_THROWS_AS(prepare_direct(c.q, isa, &out), FormatError);
  }
}

TEST_CASE("DynamicQuantizeLSTM: per-row quantization keeps rows of very different ranges", "[qlstm]") {
  // Batch entry b's every row (token) scaled by 10^-b; no bias and zero
  // states, so the LSTM runs near its linear regime and entry b's gates, c
  // and h scale with it: per-row qparams (X per token, h per batch row)
  // see the same relative error in every entry. One scale for the whole
  // tensor, set by entry 0, would leave entry 3 (|x| <= 2e-3) one or two
  // of its 256 levels and quantize it to almost nothing (SQNR near 0 dB).
  QLstmModel m;
  m.S = 9, m.B = 4, m.bias = false;
  Cases c = make_cases(m);
  float* x = c.q.inputs[0].data<float>();  // c.f shares the buffer
  for (int64_t t = 0; t < m.S; ++t)
    for (int64_t b = 0; b < m.B; ++b)
      for (int64_t i = 0; i < m.I; ++i) x[(t * m.B + b) * m.I + i] *= std::pow(10.0f, -static_cast<float>(b));
  const Tensor want = evaluate(c.f)[0];  // [S, 1, B, H]
  // SQNR of one batch entry's Y over every step.
  auto entry_sqnr = [&](const Tensor& got, int64_t b) {
    quant::ErrorStats e;
    for (int64_t t = 0; t < m.S; ++t) {
      const int64_t at = (t * m.B + b) * m.H;
      e.add(want.data<float>() + at, got.data<float>() + at, m.H);
    }
    return e.sqnr_db();
  };
  std::vector<std::pair<std::string, Tensor>> runs = {{"reference", evaluate(c.q)[0]}};
  for (kernels::Isa isa : kernels::supported_isas()) runs.push_back({kernels::isa_name(isa), run_session(c.q, isa)});
  for (const auto& [name, y] : runs)
    for (int64_t b = 0; b < m.B; ++b) {
      INFO(name << ", batch entry " << b << " (X scaled by 1e-" << b << "): SQNR " << entry_sqnr(y, b) << " dB");
      CHECK(entry_sqnr(y, b) > 40.0);
    }
}
