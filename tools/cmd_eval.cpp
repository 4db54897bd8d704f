// `octet eval MODEL --data X.npy --labels Y.npy [--batch N] [--json]`.
#include <algorithm>
#include <cstdio>

#include "engine/session.h"
#include "graph/error.h"
#include "graph/npy.h"
#include "quant/error_metrics.h"
#include "tools/batches.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/format.h"
#include "tools/json_text.h"
#include "tools/model_session.h"

namespace octet::cli {

using graph::Tensor;

namespace {

const char kHelp[] =
    "usage: octet eval MODEL --data X.npy --labels Y.npy [--batch N] [--json]\n"
    "\n"
    "Top-1 accuracy of MODEL (ONNX or .octet, one input) on labelled samples:\n"
    "the predicted class is the argmax over the last axis of output 0.\n"
    "\n"
    "  -d, --data X.npy     the samples stacked on axis 0: shape [N, ...] for an\n"
    "                       input [B, ...]\n"
    "  -l, --labels Y.npy   the classes, int64 or int32, shape [N]\n"
    "  -b, --batch N        samples per run when the model's batch dim is\n"
    "                       symbolic (default 32); a fixed batch dim B runs B at\n"
    "                       a time, and N must be a multiple of B\n"
    "      --json           print {\"accuracy\": A, \"count\": N, \"correct\": C}\n";

// Labels as int64, checked against the data.
std::vector<int64_t> read_labels(const std::string& path, int64_t n) {
  Tensor y = graph::read_npy(path);
  if (y.dtype() != graph::DType::Int64 && y.dtype() != graph::DType::Int32)
    throw FormatError(path + ": labels must be int64 or int32, the file has " + graph::dtype_name(y.dtype()));
  if (y.rank() != 1 || y.dim(0) != n)
    throw FormatError(path + ": labels must have shape [" + std::to_string(n) + "] (one per sample), the file has " +
                      graph::shape_str(y.shape()));
  return y.to_int64();
}

// Correct predictions in one batch's output 0: [rows, classes], one row per sample.
int64_t count_correct(const Tensor& scores, const std::vector<int64_t>& labels, int64_t first, int64_t rows,
                      const std::string& output_name) {
  if (scores.dtype() != graph::DType::Float32 || scores.rank() == 0 || scores.dim(scores.rank() - 1) == 0 ||
      scores.numel() / scores.dim(scores.rank() - 1) != rows)
    throw FormatError("output '" + printable(output_name) + "' is " + graph::dtype_name(scores.dtype()) + " " +
                      graph::shape_str(scores.shape()) + " for a batch of " + std::to_string(rows) +
                      "; eval needs float32 class scores, one row (last axis) per sample");
  const int64_t classes = scores.dim(scores.rank() - 1);
  const float* s = scores.data<float>();
  int64_t correct = 0;
  for (int64_t r = 0; r < rows; ++r)
    if (quant::argmax(s + r * classes, classes) == labels[first + r]) ++correct;
  return correct;
}

}  // namespace

int cmd_eval(const std::vector<std::string>& args) {
  using Kind = OptionSpec::Kind;
  ParsedArgs a = parse_args(args, {{"data", 'd', Kind::Value},
                                   {"labels", 'l', Kind::Value},
                                   {"batch", 'b', Kind::Value},
                                   {"json", 0, Kind::Flag}});
  if (a.help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (a.positional.size() != 1) throw UsageError("eval needs exactly one MODEL (see 'octet eval --help')");
  const std::string data_path = a.value("data", ""), labels_path = a.value("labels", "");
  if (data_path.empty() || labels_path.empty()) throw UsageError("eval needs --data X.npy and --labels Y.npy");
  const int64_t requested = a.integer("batch", 32, 1);

  engine::Session session = open_session(a.positional[0]);
  const graph::ValueInfo& input = single_input(session, a.positional[0]);
  if (session.outputs().empty()) throw FormatError(a.positional[0] + ": the model has no outputs");
  Tensor x = graph::read_npy(data_path);
  check_stacked(input, x, data_path);
  const int64_t n = x.dim(0);
  std::vector<int64_t> labels = read_labels(labels_path, n);
  const int64_t batch = choose_batch({&input}, n, requested, a.values.count("batch") != 0, data_path);

  int64_t correct = 0;
  for (int64_t start = 0; start < n; start += batch) {
    const int64_t rows = std::min(batch, n - start);
    std::vector<Tensor> out = session.run({take_rows(x, start, rows)});
    correct += count_correct(out.at(0), labels, start, rows, session.outputs()[0].name);
  }
  const double accuracy = static_cast<double>(correct) / n;
  if (a.flag("json"))
    std::printf("{\"accuracy\": %s, \"count\": %lld, \"correct\": %lld}\n", json_number(accuracy).c_str(),
                static_cast<long long>(n), static_cast<long long>(correct));
  else
    std::printf("accuracy: %.4f (%lld of %lld correct)\n", accuracy, static_cast<long long>(correct),
                static_cast<long long>(n));
  return 0;
}

}  // namespace octet::cli
