// `octet bench MODEL [--runs N] [--warmup N] [--threads N] [--input X.npy ...] [--profile] [--json]`.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

#include "engine/session.h"
#include "graph/error.h"
#include "graph/npy.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/format.h"
#include "tools/json_text.h"
#include "tools/model_session.h"
#include "tools/node_profile.h"
#include "tools/paths.h"

namespace octet::cli {

using graph::Tensor;

namespace {


const char kHelp[] =
    "usage: octet bench MODEL [--runs N] [--warmup N] [--threads N] [--input X.npy ...]\n"
    "                         [--profile] [--top N] [--json]\n"
    "\n"
    "Times MODEL (ONNX or .octet): each run's wall time, after untimed warm-up\n"
    "runs (the first run plans a model with symbolic dims). Prints the median,\n"
    "p10 and p90 latency in ms, the process's peak resident memory, the\n"
    "model file's size and the activation arena a run uses.\n"
    "\n"
    "  -n, --runs N         timed runs (default 50)\n"
    "  -w, --warmup N       untimed runs first (default 5)\n"
    "  -t, --threads N      threads per run (default 1); the convolutions split\n"
    "                       their output rows or channels among them, outputs\n"
    "                       unchanged\n"
    "  -i, --input X.npy    inputs in the model's order; by default float inputs\n"
    "                       are uniform random in [-1, 1) (fixed seed) and\n"
    "                       integer ones zero, shaped as the model's inputs with\n"
    "                       symbolic dims set to 1\n"
    "      --profile        then as many runs again, timed node by node: the\n"
    "                       median ms per op type and the slowest nodes (the\n"
    "                       nodes of the planned graph, INT8 conv chains\n"
    "                       rewritten channels-last)\n"
    "      --top N          nodes listed by --profile (default 20)\n"
    "      --json           print one JSON object: median_ms, p10_ms, p90_ms,\n"
    "                       peak_rss_bytes, model_bytes, arena_bytes, runs, isa,\n"
    "                       threads, and with --profile a list of {node,\n"
    "                       op_type, output_shape, median_ms} in run order\n";

// A fixed seed, so every bench of a model times the same input.
constexpr unsigned kSeed = 20240501;

Tensor random_input(const graph::ValueInfo& v, std::mt19937& rng) {
  if (!v.has_shape)
    throw Error("input '" + printable(v.name) + "' has no shape in the model; give one with --input");
  graph::Shape shape = v.shape;
  for (auto& d : shape) d = d < 0 ? 1 : d;
  Tensor t(v.dtype, shape);  // zero-filled: the integer inputs' value
  if (v.dtype == graph::DType::Float32) {
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    float* p = t.data<float>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = uniform(rng);
  }
  return t;
}

std::vector<Tensor> bench_inputs(const engine::Session& s, const std::vector<std::string>& paths) {
  std::vector<Tensor> inputs;
  if (!paths.empty()) {
    if (paths.size() != s.inputs().size())
      throw UsageError(std::to_string(paths.size()) + " inputs given, but the model takes " +
                       std::to_string(s.inputs().size()));
    for (const auto& p : paths) inputs.push_back(graph::read_npy(p));
    return inputs;
  }
  std::mt19937 rng(kSeed);
  for (const auto& v : s.inputs()) inputs.push_back(random_input(v, rng));
  return inputs;
}

// The q-th quantile of sorted values, interpolated linearly between the two
// nearest ranks (NumPy's default), so p10 of 50 runs is not just one run.
double quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

std::vector<double> time_runs(engine::Session& s, const std::vector<Tensor>& inputs, int64_t warmup, int64_t runs) {
  for (int64_t i = 0; i < warmup; ++i) s.run(inputs);
  std::vector<double> ms;
  for (int64_t i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    s.run(inputs);
    const auto t1 = std::chrono::steady_clock::now();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms;
}

// ru_maxrss is in KiB on Linux.
// The process's peak resident memory: VmHWM from /proc/self/status. Not
// getrusage's ru_maxrss, which Linux carries across execve: started from a
// Python script, octet would report the script's peak if it was higher.
uint64_t peak_rss_bytes() {
  if (std::FILE* status = std::fopen("/proc/self/status", "r")) {
    char line[256];
    uint64_t kib = 0;
    while (std::fgets(line, sizeof line, status))
      if (std::strncmp(line, "VmHWM:", 6) == 0) kib = std::strtoull(line + 6, nullptr, 10);
    std::fclose(status);
    if (kib > 0) return kib * 1024;
  }
  struct rusage usage {};  // no /proc: the best there is
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;
}

struct Report {
  double median_ms, p10_ms, p90_ms;
  uint64_t peak_rss, model_bytes, arena_bytes;
  int64_t runs, warmup;
  const char* isa;
  int threads;
};

void print_json(const Report& r, const NodeProfile* profile) {
  const std::string nodes = profile ? ", \"profile\": " + profile_json(*profile) : "";
  std::printf("{\"median_ms\": %s, \"p10_ms\": %s, \"p90_ms\": %s, \"peak_rss_bytes\": %llu, \"model_bytes\": %llu, "
              "\"arena_bytes\": %llu, \"runs\": %lld, \"isa\": %s, \"threads\": %d%s}\n",
              json_number(r.median_ms).c_str(), json_number(r.p10_ms).c_str(), json_number(r.p90_ms).c_str(),
              static_cast<unsigned long long>(r.peak_rss), static_cast<unsigned long long>(r.model_bytes),
              static_cast<unsigned long long>(r.arena_bytes), static_cast<long long>(r.runs), json_string(r.isa).c_str(), r.threads, nodes.c_str());
}

void print_text(const std::string& model, const Report& r) {
  std::printf("model:    %s (%s)\n", printable(model).c_str(), human_bytes(r.model_bytes).c_str());
  std::printf("isa:      %s, %d thread%s\n", r.isa, r.threads, r.threads == 1 ? "" : "s");
  std::printf("runs:     %lld timed after %lld warm-up\n", static_cast<long long>(r.runs),
              static_cast<long long>(r.warmup));
  std::printf("latency:  median %.3f ms, p10 %.3f ms, p90 %.3f ms\n", r.median_ms, r.p10_ms, r.p90_ms);
  std::printf("peak RSS: %s\n", human_bytes(r.peak_rss).c_str());
  std::printf("arena:    %s of activations per run context\n", human_bytes(r.arena_bytes).c_str());
}

}  // namespace

int cmd_bench(const std::vector<std::string>& args) {
  using Kind = OptionSpec::Kind;
  ParsedArgs a = parse_args(args, {{"runs", 'n', Kind::Value},
                                   {"warmup", 'w', Kind::Value},
                                   {"threads", 't', Kind::Value},
                                   {"input", 'i', Kind::Values},
                                   {"profile", 0, Kind::Flag},
                                   {"top", 0, Kind::Value},
                                   {"json", 0, Kind::Flag}});
  if (a.help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (a.positional.size() != 1) throw UsageError("bench needs exactly one MODEL (see 'octet bench --help')");
  const int64_t runs = a.integer("runs", 50, 1), warmup = a.integer("warmup", 5, 0), top = a.integer("top", 20, 1);
  const engine::SessionOptions options = session_options(a);
  const std::string& model = a.positional[0];

  engine::Session session = open_session(model, options);
  std::vector<Tensor> inputs = bench_inputs(session, a.all("input"));
  std::vector<double> ms = time_runs(session, inputs, warmup, runs);
  const int64_t model_bytes = file_size(model);
  if (model_bytes < 0) throw Error("cannot read the size of " + model);
  Report r{quantile(ms, 0.5), quantile(ms, 0.1), quantile(ms, 0.9), peak_rss_bytes(),
           static_cast<uint64_t>(model_bytes), session.arena_bytes(), runs, warmup, kernels::isa_name(session.isa()), options.threads};
  // After the whole-run timing, so the observer's clock reads never touch it.
  NodeProfile profile;
  if (a.flag("profile")) profile = profile_nodes(session, inputs, runs);
  if (a.flag("json")) {
    print_json(r, a.flag("profile") ? &profile : nullptr);
  } else {
    print_text(model, r);
    if (a.flag("profile")) print_profile(profile, static_cast<size_t>(top));
  }
  return 0;
}

}  // namespace octet::cli
