// `octet quantize MODEL.onnx --calib PATH -o OUT.octet [options]`: static
// post-training quantization (calibrate, quantize, save).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "engine/session.h"
#include "graph/error.h"
#include "graph/octet_format.h"
#include "graph/onnx_import.h"
#include "quant/calibrate.h"
#include "quant/quantize_dynamic.h"
#include "quant/quantize_static.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/format.h"
#include "tools/paths.h"

namespace octet::cli {


namespace {

const char kHelp[] =
    "usage: octet quantize MODEL.onnx --calib PATH -o OUT.octet [options]\n"
    "       octet quantize MODEL.onnx --mode dynamic -o OUT.octet [options]\n"
    "\n"
    "Calibrates MODEL on representative inputs, quantizes it to INT8 (weights\n"
    "int8 per output channel, activations per tensor) and writes an .octet\n"
    "model that `octet run`, `eval`, `bench` and `compare` load like ONNX.\n"
    "\n"
    "  --mode MODE           static (default): activation ranges from --calib;\n"
    "                        dynamic: Gemm and MatMul weights int8, their inputs\n"
    "                        quantized per call from their own range (no --calib;\n"
    "                        every other op stays FP32)\n"
    "  --calib PATH          a directory of .npy files, each one full model input,\n"
    "                        or one .npy stacking samples on the batch axis\n"
    "                        ([N, ...] for a model whose input is [1, ...])\n"
    "  -o, --output FILE     the .octet file to write (replaced atomically)\n"
    "  --observer NAME       minmax (default), moving-average, percentile,\n"
    "                        entropy or mse: how activation ranges are chosen\n"
    "  --per-tensor          one weight scale per tensor instead of per channel\n"
    "  --activations TYPE    uint8 (default) or int8\n"
    "  --reduce-range        7-bit weights (|q| <= 63): exact fast path on\n"
    "                        AVX2 CPUs without VNNI, slightly less accurate\n"
    "  --exclude NAMES       comma-separated node names to keep in FP32\n"
    "  -v, --verbose         list FP32 nodes and print timing and memory\n"
    "\n"
    "Nodes with no INT8 kernel run in FP32 between a dequantize and a quantize.\n"
    "A progress bar is drawn on stderr when it is a terminal.\n";

std::set<std::string> split_names(const std::string& list) {
  std::set<std::string> names;
  for (size_t start = 0; start <= list.size();) {
    size_t end = std::min(list.find(',', start), list.size());
    if (end > start) names.insert(list.substr(start, end - start));
    start = end + 1;
  }
  return names;
}

quant::StaticQuantOptions parse_options(const ParsedArgs& a) {
  quant::StaticQuantOptions o;
  const std::string act = a.value("activations", "uint8");
  if (act != "uint8" && act != "int8") throw UsageError("--activations must be uint8 or int8, not '" + act + "'");
  o.activations.dtype = act == "uint8" ? graph::DType::UInt8 : graph::DType::Int8;
  o.per_channel = !a.flag("per-tensor");
  o.reduce_range = a.flag("reduce-range");
  o.exclude = split_names(a.value("exclude", ""));
  return o;
}

quant::ObserverKind parse_observer(const std::string& name) {
  try {
    return quant::observer_kind_from_name(name);
  } catch (const Error& e) {
    throw UsageError(std::string("--observer: ") + e.what());
  }
}

// .npy files of a directory in name order, so runs are reproducible.
std::vector<std::string> npy_files(const std::string& dir) {
  std::vector<std::string> paths;
  for (const std::string& name : list_directory(dir)) {
    const std::string path = join_path(dir, name);
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0 && is_regular_file(path))
      paths.push_back(path);
  }
  std::sort(paths.begin(), paths.end());
  if (paths.empty()) throw Error(dir + ": no .npy files to calibrate on");
  return paths;
}

std::unique_ptr<quant::SampleSource> open_samples(const std::string& path, const engine::Session& s) {
  if (is_directory(path)) return std::make_unique<quant::NpyFilesSource>(npy_files(path), s.inputs());
  return std::make_unique<quant::StackedNpySource>(path, s.inputs());
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;  // Linux reports KiB
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::map<std::string, quant::Range> run_calibration(const graph::Graph& g, const std::string& calib,
                                                    quant::CalibrationOptions& options, bool verbose) {
  engine::Session session(g);
  std::unique_ptr<quant::SampleSource> samples = open_samples(calib, session);
  quant::ProgressBar bar(stderr, isatty(STDERR_FILENO) != 0);
  const auto start = std::chrono::steady_clock::now();
  auto ranges = quant::calibrate(session, *samples, options, &bar);
  const double seconds = seconds_since(start);
  if (verbose)
    std::printf("calibration: %lld samples, %s observer, %.2f s (%.1f ms per sample), %zu values observed\n",
                static_cast<long long>(samples->size()), quant::observer_kind_name(options.kind), seconds,
                1000.0 * seconds / std::max<int64_t>(1, samples->size()), ranges.size());
  return ranges;
}

// Runs the quantized model on the first sample, so a model that cannot plan
// or run is reported before anything is written.
// Without samples (dynamic mode), float inputs of zeros (symbolic dims 1)
// stand in for one.
std::vector<graph::Tensor> zero_inputs(const engine::Session& s) {
  std::vector<graph::Tensor> inputs;
  for (const auto& v : s.inputs()) {
    graph::Shape shape = v.shape;
    for (auto& d : shape) d = d < 0 ? 1 : d;
    inputs.emplace_back(v.dtype, shape);
  }
  return inputs;
}

void check_runs(const graph::Graph& q, const std::string& calib) {
  engine::Session session(q);
  std::vector<graph::Tensor> sample;
  if (calib.empty())
    sample = zero_inputs(session);
  else
    open_samples(calib, session)->next(sample);
  session.run(sample);
}

void print_summary(const quant::QuantizeSummary& summary, const std::string& model, const std::string& out,
                   bool verbose) {
  const auto in_bytes = file_size(model), out_bytes = file_size(out);
  std::printf("quantized %d nodes to INT8, %d kept in FP32\n", summary.int8_nodes, summary.fp32_count());
  if (verbose) {
    for (const auto& why : summary.fp32_nodes) std::printf("  fp32: %s\n", printable(why).c_str());
    std::string ops;
    for (const auto& kv : summary.no_kernel) ops += " " + printable(kv.first) + " x" + std::to_string(kv.second);
    if (!ops.empty()) std::printf("  fp32, no INT8 kernel:%s\n", ops.c_str());
  }
  std::printf("wrote %s: %llu bytes (%.3fx of %llu)\n", printable(out).c_str(),
              static_cast<unsigned long long>(out_bytes), double(out_bytes) / double(in_bytes),
              static_cast<unsigned long long>(in_bytes));
  if (verbose) std::printf("peak memory: %.1f MB\n", peak_rss_mb());
}

}  // namespace

int cmd_quantize(const std::vector<std::string>& args) {
  using K = OptionSpec::Kind;
  const ParsedArgs a = parse_args(args, {{"calib", 0, K::Value},
                                         {"output", 'o', K::Value},
                                         {"observer", 0, K::Value},
                                         {"per-tensor", 0, K::Flag},
                                         {"activations", 0, K::Value},
                                         {"reduce-range", 0, K::Flag},
                                         {"exclude", 0, K::Value},
                                         {"verbose", 'v', K::Flag},
                                         {"mode", 0, K::Value}});
  if (a.help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (a.positional.size() != 1) throw UsageError("quantize takes one model (try 'octet quantize --help')");
  const std::string calib = a.value("calib", ""), out = a.value("output", ""), mode = a.value("mode", "static");
  if (mode != "static" && mode != "dynamic") throw UsageError("--mode must be static or dynamic, not '" + mode + "'");
  if (calib.empty() && mode == "static") throw UsageError("quantize needs --calib PATH (or --mode dynamic)");
  if (out.empty()) throw UsageError("quantize needs -o OUT.octet");
  const quant::StaticQuantOptions options = parse_options(a);
  quant::CalibrationOptions calibration;
  calibration.kind = parse_observer(a.value("observer", "minmax"));
  calibration.scheme = options.activations;
  const bool verbose = a.flag("verbose");

  const std::string& model = a.positional[0];
  const graph::Graph g = quant::prepare_for_quantization(graph::import_onnx_file(model));
  quant::QuantizeSummary summary;
  graph::Graph q;
  if (mode == "dynamic") {
    q = quant::quantize_dynamic(g, options, &summary);
  } else {
    calibration.values = quant::values_to_calibrate(g, options);
    calibration.require_all_values = false;  // folded or integer values stay FP32
    q = quant::quantize_static(g, run_calibration(g, calib, calibration, verbose), options, &summary);
  }
  check_runs(q, calib);
  graph::save_octet(q, out);
  print_summary(summary, model, out, verbose);
  return 0;
}

}  // namespace octet::cli
