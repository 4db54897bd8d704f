#include "graph/passes.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "graph/error.h"
#include "graph/rewriter.h"

namespace octet::graph {

namespace {

struct BnScale {
  std::vector<double> scale, shift;  // y = x * scale + shift, per channel
};

// The per-channel affine map of an inference BatchNormalization whose
// parameters are float initializers of `channels` elements.
std::optional<BnScale> bn_affine(const Graph& g, const Node& bn, int64_t channels) {
  if (bn.attr_int("training_mode", 0) != 0 || (bn.has_attr("is_test") && bn.attr_int("is_test", 1) == 0) ||
      bn.attr_int("spatial", 1) != 1)
    return std::nullopt;
  for (size_t k = 1; k < bn.outputs.size(); ++k)
    if (!bn.outputs[k].empty()) return std::nullopt;
  const float* p[4];
  for (size_t k = 0; k < 4; ++k) {
    auto it = g.initializers.find(bn.input(k + 1));
    if (it == g.initializers.end() || it->second.dtype() != DType::Float32 || it->second.numel() != channels)
      return std::nullopt;
    p[k] = it->second.data<float>();
  }
  const double eps = bn.attr_float("epsilon", 1e-5f);
  BnScale s;
  for (int64_t c = 0; c < channels; ++c) {
    const double k = p[0][c] / std::sqrt(static_cast<double>(p[3][c]) + eps);
    s.scale.push_back(k);
    s.shift.push_back(p[1][c] - p[2][c] * k);
  }
  return s;
}

const Tensor* float_initializer(const Graph& g, const std::string& name) {
  auto it = g.initializers.find(name);
  return it == g.initializers.end() || it->second.dtype() != DType::Float32 ? nullptr : &it->second;
}

// Conv weight [M, C/group, k...]: each output channel's filter is one run.
bool fold_into_conv(Rewriter& r, Node& conv, const Node& bn) {
  const Tensor* w = float_initializer(r.g, conv.input(1));
  if (!w || w->rank() < 2 || w->dim(0) == 0) return false;
  const int64_t m = w->dim(0), per_channel = w->numel() / m;
  const Tensor* b = conv.input(2).empty() ? nullptr : float_initializer(r.g, conv.input(2));
  if (!conv.input(2).empty() && (!b || b->numel() != m)) return false;
  std::optional<BnScale> s = bn_affine(r.g, bn, m);
  if (!s) return false;
  Tensor w2(DType::Float32, w->shape()), b2(DType::Float32, {m});
  const float* wd = w->data<float>();
  for (int64_t c = 0; c < m; ++c) {
    for (int64_t j = 0; j < per_channel; ++j)
      w2.data<float>()[c * per_channel + j] = static_cast<float>(wd[c * per_channel + j] * s->scale[c]);
    const double bias = b ? b->data<float>()[c] : 0.0;
    b2.data<float>()[c] = static_cast<float>(bias * s->scale[c] + s->shift[c]);
  }
  r.replace_input(conv, 1, r.fresh_name(conv.input(1) + "_bn_folded"), w2);
  r.replace_input(conv, 2, r.fresh_name((b ? conv.input(2) : conv.input(1)) + "_bn_folded_bias"), b2);
  return true;
}

// Gemm Y = alpha * A' B' + beta * C, [rows, N]: BatchNormalization's channel
// axis (1) is Y's columns, so column j of B' and of C scale by scale[j].
bool fold_into_gemm(Rewriter& r, Node& gemm, const Node& bn) {
  const Tensor* b = float_initializer(r.g, gemm.input(1));
  if (!b || b->rank() != 2) return false;
  const bool tb = gemm.attr_int("transB", 0) == 1;
  const int64_t n = tb ? b->dim(0) : b->dim(1), k = tb ? b->dim(1) : b->dim(0);
  const Tensor* c = gemm.input(2).empty() ? nullptr : float_initializer(r.g, gemm.input(2));
  if (!gemm.input(2).empty() && !c) return false;
  // C broadcasts to [rows, N]: as [c_rows, c_cols] with c_cols 1 or N.
  int64_t c_rows = 1, c_cols = 1;
  if (c) {
    if (c->rank() > 2) return false;
    if (c->rank() >= 1) c_cols = c->dim(c->rank() - 1);
    if (c->rank() == 2) c_rows = c->dim(0);
    if (c_cols != 1 && c_cols != n) return false;
  }
  std::optional<BnScale> s = bn_affine(r.g, bn, n);
  if (!s) return false;
  Tensor b2(DType::Float32, b->shape());
  const float* bd = b->data<float>();
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const int64_t at = tb ? j * k + i : i * n + j;
      b2.data<float>()[at] = static_cast<float>(bd[at] * s->scale[j]);
    }
  Tensor c2 = c_rows == 1 ? Tensor(DType::Float32, {n}) : Tensor(DType::Float32, {c_rows, n});
  const double beta = gemm.attr_float("beta", 1.f);
  for (int64_t i = 0; i < c_rows; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const double cv = c ? beta * c->data<float>()[i * c_cols + (c_cols == 1 ? 0 : j)] : 0.0;
      c2.data<float>()[i * n + j] = static_cast<float>(cv * s->scale[j] + s->shift[j]);
    }
  r.replace_input(gemm, 1, r.fresh_name(gemm.input(1) + "_bn_folded"), b2);
  r.replace_input(gemm, 2, r.fresh_name((c ? gemm.input(2) : gemm.input(1)) + "_bn_folded_bias"), c2);
  gemm.attrs["beta"] = Attribute::of(1.f);
  return true;
}

void fold_one_batch_norm(Rewriter& r, size_t i) {
  const Node& bn = r.g.nodes[i];
  const std::string x = bn.input(0);
  if (bn.outputs.empty() || bn.outputs[0].empty()) return;
  Node* p = r.producer(x);
  if (!p || !r.is_private(x) || p->outputs.size() != 1 || has_fused_activation(*p)) return;
  const bool folded =
      (is_op(*p, "Conv") && fold_into_conv(r, *p, bn)) || (is_op(*p, "Gemm") && fold_into_gemm(r, *p, bn));
  if (!folded) return;
  const std::string y = bn.outputs[0];
  r.remove(i);
  r.rename_output(*p, 0, y);
}

}  // namespace

void fold_batch_norm(Graph& g) {
  run_pass(g, [](Rewriter& r, size_t i) {
    if (is_op(r.g.nodes[i], "BatchNormalization")) fold_one_batch_norm(r, i);
  });
}

}  // namespace octet::graph
