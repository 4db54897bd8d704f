#pragma once
// What the quantization passes (quantize_static, quantize_dynamic) share:
// reading weights from a graph and tidying the graph they write. Internal
// to quant/.
#include <optional>
#include <set>
#include <string>

#include "graph/graph.h"

namespace octet::quant {

// True for a default-domain node of type `op`.
inline bool is(const graph::Node& n, const char* op) { return n.domain.empty() && n.op_type == op; }

// The initializer named `name`, or nullptr.
const graph::Tensor* initializer(const graph::Graph& g, const std::string& name);

bool has_fused_clamp(const graph::Node& n);

// Gemm's C as one bias value per output column (times beta), when it is that.
std::optional<graph::Tensor> gemm_bias(const graph::Tensor& c, int64_t channels, float beta);

// Output columns of a Gemm with constant B.
int64_t gemm_columns(const graph::Graph& g, const graph::Node& n);

// t * factor (t itself when factor is 1), float32.
graph::Tensor scaled(const graph::Tensor& t, float factor);

// Throws octet::Error naming the first of `names` that is no node's name.
void check_node_names(const graph::Graph& g, const std::set<std::string>& names);

// Erases from `out` the initializers of `src` that no node of `out` reads
// any more (the float weights replaced by their int8 twins). Initializers
// the pass made stay, unused qparams included: tools find a quantized
// value's qparams by name.
void drop_replaced_initializers(graph::Graph& out, const graph::Graph& src);

}  // namespace octet::quant
