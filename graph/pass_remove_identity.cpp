#include "graph/passes.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "graph/error.h"
#include "graph/rewriter.h"

namespace octet::graph {

namespace {

bool is_inference_dropout(Rewriter& r, const Node& n) {
  if (!is_op(n, "Dropout")) return false;
  if (n.outputs.size() > 1 && !n.outputs[1].empty() && (r.uses(n.outputs[1]) || r.is_graph_output(n.outputs[1])))
    return false;  // the mask is read
  if (n.has_attr("is_test") && n.attr_int("is_test", 1) == 0) return false;
  std::optional<Tensor> ratio, training;
  if (!n.input(1).empty() && !(ratio = r.constant(n.input(1)))) return false;
  if (!n.input(2).empty() && !(training = r.constant(n.input(2)))) return false;
  try {
    check_dropout_inference(with_opset(n, r.g), ratio ? &*ratio : nullptr, training ? &*training : nullptr);
    return true;
  } catch (const Error&) {
    return false;  // training or malformed: the op reports it at run time
  }
}

void remove_pass_through(Rewriter& r, size_t i) {
  Node& n = r.g.nodes[i];
  const std::string x = n.input(0), y = n.outputs.empty() ? "" : n.outputs[0];
  if (x.empty() || y.empty()) return;
  if (!r.is_graph_output(y)) {
    r.remove(i);
    r.replace_uses(y, x);
    return;
  }
  // y must keep its name: the producer of x is renamed to y instead.
  Node* p = r.producer(x);
  if (!p || r.is_graph_output(x)) return;
  r.remove(i);
  r.replace_uses(x, y);
  for (size_t k = 0; k < p->outputs.size(); ++k)
    if (p->outputs[k] == x) r.rename_output(*p, k, y);
}

}  // namespace

void remove_identities(Graph& g) {
  run_pass(g, [](Rewriter& r, size_t i) {
    const Node& n = r.g.nodes[i];
    if (is_op(n, "Identity") || is_inference_dropout(r, n)) remove_pass_through(r, i);
  });
}

}  // namespace octet::graph
