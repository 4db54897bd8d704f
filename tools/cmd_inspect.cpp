// `octet inspect MODEL`: what a model file declares, without running it.
#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>

#include "graph/model_file.h"
#include "quant/import_qdq.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/format.h"

namespace octet::cli {

namespace {

const char kHelp[] =
    "usage: octet inspect MODEL\n"
    "\n"
    "Prints an ONNX or .octet model's producer, opset, inputs and outputs (dtype and\n"
    "shape, symbolic dims by name), the number of operators of each type, and\n"
    "the parameter count (elements of all initializers) and their size.\n"
    "\n"
    "For a QDQ model (DequantizeLinear -> op -> QuantizeLinear groups, as\n"
    "quantization-aware training exports them) it also lists which ops run on\n"
    "INT8 kernels with the model's scales, as run, eval, bench and compare run\n"
    "them, and which stay FP32 and why.\n";

void print_values(const char* title, const std::vector<graph::ValueInfo>& values) {
  std::printf("%s (%zu):\n", title, values.size());
  size_t width = 0;
  for (const auto& v : values) width = std::max(width, printable(v.name).size());
  for (const auto& v : values)
    std::printf("  %-*s  %-8s %s\n", static_cast<int>(width), printable(v.name).c_str(), graph::dtype_name(v.dtype),
                value_shape(v).c_str());
}

// Most frequent first; ties by name, so the listing is stable.
void print_op_counts(const graph::Graph& g) {
  std::map<std::string, size_t> counts;
  for (const auto& n : g.nodes) counts[printable(graph::op_key(n))]++;
  std::vector<std::pair<std::string, size_t>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::printf("operators (%zu nodes):\n", g.nodes.size());
  size_t width = 0;
  for (const auto& kv : sorted) width = std::max(width, kv.first.size());
  for (const auto& kv : sorted) std::printf("  %-*s  %zu\n", static_cast<int>(width), kv.first.c_str(), kv.second);
}

void print_parameters(const graph::Graph& g) {
  uint64_t count = 0, bytes = 0;
  for (const auto& kv : g.initializers) {
    count += static_cast<uint64_t>(kv.second.numel());
    bytes += kv.second.nbytes();
  }
  std::printf("parameters: %s in %zu initializers, %s bytes (%s)\n", grouped(count).c_str(), g.initializers.size(),
              grouped(bytes).c_str(), human_bytes(bytes).c_str());
}

// What quant::import_qdq makes of the model's QDQ groups.
void print_qdq_import(const graph::Graph& stored) {
  graph::Graph g = stored;
  const quant::QdqImportReport r = quant::import_qdq(g);
  if (r.fused.empty() && r.left_float.empty()) return;
  std::map<std::string, std::string> op_of;
  for (const auto& n : g.nodes) op_of[n.name] = graph::op_key(n);
  std::printf("QDQ groups on INT8 kernels (%zu):\n", r.fused.size());
  for (const auto& name : r.fused)
    std::printf("  %s  %s\n", printable(name).c_str(), printable(op_of[name]).c_str());
  std::printf("QDQ groups left in FP32 (%zu):\n", r.left_float.size());
  for (const auto& why : r.left_float) std::printf("  %s\n", printable(why).c_str());
}

}  // namespace

int cmd_inspect(const std::vector<std::string>& args) {
  ParsedArgs a = parse_args(args, {});
  if (a.help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (a.positional.size() != 1) throw UsageError("inspect takes exactly one MODEL (see 'octet inspect --help')");
  const std::string& path = a.positional[0];
  graph::Graph g = graph::load_model(path);
  std::printf("model:    %s\n", printable(path).c_str());
  if (!g.name.empty()) std::printf("graph:    %s\n", printable(g.name).c_str());
  std::printf("producer: %s\n", g.producer.empty() ? "(not given)" : printable(g.producer).c_str());
  std::printf("opset:    %lld\n", static_cast<long long>(g.opset));
  print_values("inputs", g.inputs);
  print_values("outputs", g.outputs);
  print_op_counts(g);
  print_parameters(g);
  print_qdq_import(g);
  return 0;
}

}  // namespace octet::cli
