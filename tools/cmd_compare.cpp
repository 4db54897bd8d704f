// `octet compare REF_MODEL MODEL --data X.npy [--per-layer] [--batch N] [--json]`.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "engine/session.h"
#include "graph/error.h"
#include "graph/npy.h"
#include "quant/error_metrics.h"
#include "quant/quantized_values.h"
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
    "usage: octet compare REF_MODEL MODEL --data X.npy [--per-layer] [--batch N] [--json]\n"
    "\n"
    "Runs both models (ONNX or .octet, one input each) on the same samples and\n"
    "measures how far MODEL's outputs are from REF_MODEL's, output by output\n"
    "(matched by position), over all samples together:\n"
    "  SQNR        10 log10(sum ref^2 / sum (ref - x)^2) in dB (inf: identical)\n"
    "  max error   largest |ref - x|\n"
    "  cosine      sum(ref x) / sqrt(sum ref^2 sum x^2)\n"
    "  top-1       fraction of rows (last axis) whose argmax agrees\n"
    "\n"
    "  -d, --data X.npy  the samples stacked on axis 0 ([N, ...])\n"
    "  -b, --batch N     samples per run when the batch dim is symbolic\n"
    "                    (default 32); a fixed batch dim B runs B at a time\n"
    "      --per-layer   also compare every float value of REF_MODEL that MODEL\n"
    "                    carries quantized (V as V_quantized with initializers\n"
    "                    V_scale and V_zero_point), dequantized; worst SQNR first\n"
    "      --json        print one JSON object: count, outputs[] (index, ref_name,\n"
    "                    name, sqnr_db, max_abs_error, cosine, top1_agreement) and\n"
    "                    with --per-layer layers[] (name, quantized, sqnr_db,\n"
    "                    max_abs_error, cosine); an infinite SQNR is \"inf\"\n";

bool is_quantized_name(const std::string& name) {
  static const std::string suffix = "_quantized";
  return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct OutputStats {
  quant::ErrorStats error;
  quant::Top1Agreement top1;
};

struct LayerStats {
  std::string name;
  quant::QuantizedValue q;
  quant::ErrorStats error;
};

// Runs the reference and the model batch by batch and keeps only running
// sums: no batch's values outlive its run.
class Comparison {
 public:
  Comparison(engine::Session& ref, engine::Session& model, bool per_layer)
      : ref_(ref), model_(model), per_layer_(per_layer), outputs_(ref.outputs().size()) {}

  void run_batch(const Tensor& x) {
    // The model's quantized values of this batch, to meet the reference's
    // float values when the reference runs. Until the first run has planned
    // the model, its qparams are unknown, so every "*_quantized" is kept.
    std::map<std::string, Tensor> captured;
    auto capture = [&](const std::string& name, const Tensor& t) {
      if (looked_up_ ? wanted_.count(name) != 0 : is_quantized_name(name)) captured[name] = t.clone();
    };
    std::vector<Tensor> got = per_layer_ ? model_.run({x}, capture) : model_.run({x});
    // Constants live in the planned graph, which exists after the first run.
    if (per_layer_ && !looked_up_) {
      quantized_ = quant::quantized_values(model_.planned_graph());
      for (const auto& kv : quantized_) wanted_.insert(kv.second.quantized);
      looked_up_ = true;
    }
    auto compare = [&](const std::string& name, const Tensor& t) {
      auto q = quantized_.find(name);
      if (q == quantized_.end() || t.dtype() != graph::DType::Float32) return;
      auto c = captured.find(q->second.quantized);
      if (c != captured.end()) add_layer(name, q->second, t, c->second);
    };
    std::vector<Tensor> want = per_layer_ ? ref_.run({x}, compare) : ref_.run({x});
    for (size_t i = 0; i < outputs_.size(); ++i) add_output(i, want.at(i), got.at(i));
  }

  const std::vector<OutputStats>& outputs() const { return outputs_; }

  // Worst SQNR first; a NaN (a model that produced NaN) before all.
  std::vector<const LayerStats*> layers_by_sqnr() const {
    std::vector<const LayerStats*> out;
    for (const auto& kv : layers_) out.push_back(&kv.second);
    auto key = [](const LayerStats* l) {
      double s = l->error.sqnr_db();
      return std::isnan(s) ? -INFINITY : s;
    };
    std::stable_sort(out.begin(), out.end(), [&](auto* a, auto* b) { return key(a) < key(b); });
    return out;
  }
  const std::map<std::string, std::string>& skipped() const { return skipped_; }

 private:
  void add_output(size_t i, const Tensor& want, const Tensor& got) {
    const std::string& name = ref_.outputs()[i].name;
    if (want.dtype() != graph::DType::Float32 || got.dtype() != graph::DType::Float32)
      throw UnsupportedError("output " + std::to_string(i) + " ('" + printable(name) + "'): compare needs float32 " +
                             "outputs, got " + graph::dtype_name(want.dtype()) + " and " +
                             graph::dtype_name(got.dtype()));
    if (want.shape() != got.shape())
      throw FormatError("output " + std::to_string(i) + " ('" + printable(name) + "'): the reference gives " +
                        graph::shape_str(want.shape()) + ", the model " + graph::shape_str(got.shape()));
    OutputStats& s = outputs_[i];
    s.error.add(want.data<float>(), got.data<float>(), want.numel());
    const int64_t classes = want.rank() == 0 ? 1 : want.dim(want.rank() - 1);
    if (classes > 0) s.top1.add(want.data<float>(), got.data<float>(), want.numel() / classes, classes);
  }

  // A value whose shapes differ (a model that changed its layout) cannot be
  // compared element by element; it is reported as skipped, not guessed at.
  void add_layer(const std::string& name, const quant::QuantizedValue& q, const Tensor& want, const Tensor& got) {
    if (got.dtype() != q.dtype) {
      skipped_[name] = std::string("'") + q.quantized + "' is " + graph::dtype_name(got.dtype()) +
                       " but its zero point is " + graph::dtype_name(q.dtype);
      return;
    }
    if (got.shape() != want.shape()) {
      skipped_[name] = "shape " + graph::shape_str(want.shape()) + " in the reference, " +
                       graph::shape_str(got.shape()) + " in the model";
      return;
    }
    std::vector<float> real(static_cast<size_t>(got.numel()));
    for (int64_t i = 0; i < got.numel(); ++i) real[i] = q.scale * static_cast<float>(code(got, i) - q.zero_point);
    LayerStats& l = layers_[name];
    l.name = name;
    l.q = q;
    l.error.add(want.data<float>(), real.data(), want.numel());
  }

  static int32_t code(const Tensor& t, int64_t i) {
    return t.dtype() == graph::DType::UInt8 ? t.data<uint8_t>()[i] : t.data<int8_t>()[i];
  }

  engine::Session& ref_;
  engine::Session& model_;
  bool per_layer_;
  std::vector<OutputStats> outputs_;
  bool looked_up_ = false;
  std::map<std::string, quant::QuantizedValue> quantized_;
  std::set<std::string> wanted_;  // the quantized names in quantized_
  std::map<std::string, LayerStats> layers_;
  std::map<std::string, std::string> skipped_;  // value -> why
};

std::string output_label(const engine::Session& ref, const engine::Session& model, size_t i) {
  const std::string& a = ref.outputs()[i].name;
  const std::string& b = model.outputs()[i].name;
  return a == b ? "'" + printable(a) + "'" : "'" + printable(a) + "' (reference) vs '" + printable(b) + "' (model)";
}

void print_text(const Comparison& c, const engine::Session& ref, const engine::Session& model, int64_t n,
                int64_t batch, bool per_layer) {
  std::printf("samples: %lld (batches of %lld)\n", static_cast<long long>(n), static_cast<long long>(batch));
  for (size_t i = 0; i < c.outputs().size(); ++i) {
    const OutputStats& s = c.outputs()[i];
    std::printf("output %zu %s\n", i, output_label(ref, model, i).c_str());
    std::printf("  SQNR %.2f dB, max abs error %.6g, cosine %.6f, top-1 agreement %.4f (%lld of %lld)\n",
                s.error.sqnr_db(), s.error.max_abs_error(), s.error.cosine(), s.top1.fraction(),
                static_cast<long long>(s.top1.agreeing()), static_cast<long long>(s.top1.rows()));
  }
  if (!per_layer) return;
  auto layers = c.layers_by_sqnr();
  if (layers.empty()) {
    std::printf("per layer: no float value of the reference is carried quantized by the model\n");
    return;
  }
  std::printf("per layer, worst SQNR first (%zu values):\n", layers.size());
  std::printf("  %9s  %13s  %9s  %s\n", "SQNR dB", "max abs error", "cosine", "value");
  for (const LayerStats* l : layers)
    std::printf("  %9.2f  %13.6g  %9.6f  %s\n", l->error.sqnr_db(), l->error.max_abs_error(), l->error.cosine(),
                printable(l->name).c_str());
}

std::string metrics_json(const quant::ErrorStats& e) {
  return "\"sqnr_db\": " + json_number(e.sqnr_db()) + ", \"max_abs_error\": " + json_number(e.max_abs_error()) +
         ", \"cosine\": " + json_number(e.cosine());
}

void print_json(const Comparison& c, const engine::Session& ref, const engine::Session& model, int64_t n,
                bool per_layer) {
  std::string out = "{\"count\": " + std::to_string(n) + ", \"outputs\": [";
  for (size_t i = 0; i < c.outputs().size(); ++i) {
    const OutputStats& s = c.outputs()[i];
    out += (i ? ", " : "") + std::string("{\"index\": ") + std::to_string(i) +
           ", \"ref_name\": " + json_string(ref.outputs()[i].name) + ", \"name\": " +
           json_string(model.outputs()[i].name) + ", " + metrics_json(s.error) +
           ", \"top1_agreement\": " + json_number(s.top1.fraction()) + "}";
  }
  out += "]";
  if (per_layer) {
    out += ", \"layers\": [";
    bool first = true;
    for (const LayerStats* l : c.layers_by_sqnr()) {
      out += (first ? "" : ", ") + std::string("{\"name\": ") + json_string(l->name) +
             ", \"quantized\": " + json_string(l->q.quantized) + ", " + metrics_json(l->error) + "}";
      first = false;
    }
    out += "]";
  }
  std::printf("%s}\n", out.c_str());
}

}  // namespace

int cmd_compare(const std::vector<std::string>& args) {
  using Kind = OptionSpec::Kind;
  ParsedArgs a = parse_args(args, {{"data", 'd', Kind::Value},
                                   {"batch", 'b', Kind::Value},
                                   {"per-layer", 0, Kind::Flag},
                                   {"json", 0, Kind::Flag}});
  if (a.help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (a.positional.size() != 2) throw UsageError("compare needs REF_MODEL and MODEL (see 'octet compare --help')");
  const std::string data_path = a.value("data", "");
  if (data_path.empty()) throw UsageError("compare needs --data X.npy");
  const int64_t requested = a.integer("batch", 32, 1);
  const bool per_layer = a.flag("per-layer");

  engine::Session ref = open_session(a.positional[0]);
  // Per layer, values are compared in the graph's own layout and names, so
  // the channels-last rewrite of INT8 chains stays off (the outputs are the
  // same bits either way).
  engine::SessionOptions model_options;
  model_options.int8_nhwc = !per_layer;
  engine::Session model = open_session(a.positional[1], model_options);
  const graph::ValueInfo& ref_input = single_input(ref, a.positional[0]);
  const graph::ValueInfo& model_input = single_input(model, a.positional[1]);
  if (ref.outputs().size() != model.outputs().size())
    throw FormatError("the reference has " + std::to_string(ref.outputs().size()) + " outputs, the model " +
                      std::to_string(model.outputs().size()) + "; outputs are compared by position");
  Tensor x = graph::read_npy(data_path);
  check_stacked(ref_input, x, data_path);
  check_stacked(model_input, x, data_path);
  const int64_t n = x.dim(0);
  const int64_t batch = choose_batch({&ref_input, &model_input}, n, requested, a.values.count("batch") != 0, data_path);

  Comparison c(ref, model, per_layer);
  for (int64_t start = 0; start < n; start += batch) c.run_batch(take_rows(x, start, std::min(batch, n - start)));

  for (const auto& [name, why] : c.skipped())
    std::fprintf(stderr, "octet: note: value '%s' not compared: %s\n", printable(name).c_str(), printable(why).c_str());
  if (a.flag("json"))
    print_json(c, ref, model, n, per_layer);
  else
    print_text(c, ref, model, n, batch, per_layer);
  return 0;
}

}  // namespace octet::cli
