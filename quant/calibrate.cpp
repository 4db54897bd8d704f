#include "quant/calibrate.h"

#include <set>
#include <unordered_map>

#include "graph/error.h"
#include "quant/histogram.h"

namespace octet::quant {

using graph::DType;
using graph::Tensor;

namespace {

struct KindName {
  ObserverKind kind;
  const char* name;
};
constexpr KindName kKindNames[] = {{ObserverKind::MinMax, "minmax"},
                                   {ObserverKind::MovingAverage, "moving-average"},
                                   {ObserverKind::Percentile, "percentile"},
                                   {ObserverKind::Entropy, "entropy"},
                                   {ObserverKind::Mse, "mse"}};

// The observers of one calibration, created as values first show up so the
// default set needs no list of the planned graph's values.
class ObserverTable {
 public:
  explicit ObserverTable(const CalibrationOptions& options)
      : options_(options), wanted_(options.values.begin(), options.values.end()) {}

  void observe(const std::string& name, const Tensor& value) {
    if (value.dtype() != DType::Float32) {
      if (wanted_.count(name) && options_.require_all_values)
        throw UnsupportedError("calibration: value '" + name + "' is " + graph::dtype_name(value.dtype()) +
                               ", not float32");
      return;
    }
    auto it = observers_.find(name);
    if (it == observers_.end()) {
      if (!wanted_.empty() && !wanted_.count(name)) return;
      it = observers_.emplace(name, make_observer(options_)).first;
    }
    it->second->observe(value.data<float>(), value.numel());
  }

  std::map<std::string, Range> ranges() const {
    for (const auto& name : wanted_)
      if (options_.require_all_values && !observers_.count(name))
        throw Error("calibration: the model has no value named '" + name + "' (names as in the planned graph)");
    std::map<std::string, Range> result;
    for (const auto& kv : observers_) {
      try {
        result[kv.first] = kv.second->range();
      } catch (const Error& e) {
        throw Error("calibration: value '" + kv.first + "': " + e.what());
      }
    }
    return result;
  }

 private:
  const CalibrationOptions& options_;
  std::set<std::string> wanted_;
  std::unordered_map<std::string, std::unique_ptr<Observer>> observers_;
};

}  // namespace

ObserverKind observer_kind_from_name(const std::string& name) {
  std::string known;
  for (const auto& kn : kKindNames) {
    if (name == kn.name) return kn.kind;
    known += std::string(known.empty() ? "" : ", ") + kn.name;
  }
  throw Error("unknown observer '" + name + "' (expected one of " + known + ")");
}

const char* observer_kind_name(ObserverKind kind) {
  for (const auto& kn : kKindNames)
    if (kn.kind == kind) return kn.name;
  return "?";
}

std::unique_ptr<Observer> make_observer(const CalibrationOptions& o) {
  switch (o.kind) {
    case ObserverKind::MinMax: return std::make_unique<MinMaxObserver>();
    case ObserverKind::MovingAverage: return std::make_unique<MovingAverageMinMaxObserver>(o.averaging_constant);
    case ObserverKind::Percentile: return std::make_unique<PercentileObserver>(o.percentile, o.bins);
    case ObserverKind::Entropy:
      return std::make_unique<EntropyObserver>(o.entropy_levels, o.bins, o.scheme.symmetric ? 0 : 2 * o.entropy_levels);
    case ObserverKind::Mse: return std::make_unique<MseObserver>(o.scheme, o.bins);
  }
  throw Error("unknown observer kind");
}

std::map<std::string, Range> calibrate(engine::Session& session, SampleSource& samples,
                                       const CalibrationOptions& options, ProgressSink* progress) {
  const int64_t total = samples.size();
  if (total <= 0) throw Error("calibration needs at least one sample");
  make_observer(options);  // bad parameters fail before the first run
  ObserverTable table(options);
  engine::Session::ValueObserver hook = [&table](const std::string& name, const Tensor& value) {
    table.observe(name, value);
  };
  const auto& model_inputs = session.inputs();
  std::vector<Tensor> inputs;
  int64_t done = 0;
  while (samples.next(inputs)) {
    // Graph inputs are produced by no node, so the hook never sees them.
    for (size_t i = 0; i < inputs.size() && i < model_inputs.size(); ++i)
      table.observe(model_inputs[i].name, inputs[i]);
    session.run(inputs, hook);
    inputs.clear();
    ++done;
    if (progress) progress->update(done, total);
  }
  if (done != total)
    throw Error("calibration: the sample source promised " + std::to_string(total) + " samples and gave " +
                std::to_string(done));
  return table.ranges();
}

}  // namespace octet::quant
