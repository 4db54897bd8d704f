// `octet export-qdq MODEL.octet -o OUT.onnx`: an INT8 model as standard QDQ ONNX.
#include <cstdio>

#include "graph/model_file.h"
#include "graph/onnx_export.h"
#include "quant/export_qdq.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/format.h"

namespace octet::cli {

namespace {

const char kHelp[] =
    "usage: octet export-qdq MODEL -o OUT.onnx\n"
    "\n"
    "Writes an INT8 model made by `octet quantize` as a standard QDQ ONNX model:\n"
    "each quantized op becomes its float op between DequantizeLinear of its\n"
    "8-bit inputs and QuantizeLinear of its output, with Octet's scales and zero\n"
    "points, so ONNX Runtime and other runtimes run exactly Octet's quantization\n"
    "(ONNX Runtime fuses the groups into its integer kernels). A ReLU or Clip\n"
    "that the output's quantization range already implies is dropped.\n"
    "\n"
    "  -o, --output FILE   the ONNX file to write (replaced atomically)\n";

}  // namespace

int cmd_export_qdq(const std::vector<std::string>& args) {
  const ParsedArgs a = parse_args(args, {{"output", 'o', OptionSpec::Kind::Value}});
  if (a.help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (a.positional.size() != 1) throw UsageError("export-qdq takes one model (try 'octet export-qdq --help')");
  const std::string out = a.value("output", "");
  if (out.empty()) throw UsageError("export-qdq needs -o OUT.onnx");
  const graph::Graph qdq = quant::export_qdq(graph::load_model(a.positional[0]));
  graph::save_onnx(qdq, out);
  std::printf("wrote %s: %zu nodes\n", printable(out).c_str(), qdq.nodes.size());
  return 0;
}

}  // namespace octet::cli
