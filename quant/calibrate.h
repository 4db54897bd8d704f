#pragma once
// Calibration: run the FP32 model over representative samples and let one
// observer per value watch what it takes, giving the range each value's
// activation qparams are chosen from (quant/qparams.h).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/session.h"
#include "quant/observers.h"
#include "quant/progress.h"
#include "quant/qparams.h"
#include "quant/sample_source.h"

namespace octet::quant {

enum class ObserverKind { MinMax, MovingAverage, Percentile, Entropy, Mse };

// "minmax", "moving-average", "percentile", "entropy", "mse" (the CLI's
// --observer names); octet::Error listing them for anything else.
ObserverKind observer_kind_from_name(const std::string& name);
const char* observer_kind_name(ObserverKind kind);

struct CalibrationOptions {
  ObserverKind kind = ObserverKind::MinMax;
  // Parameters of the kinds that use them (defaults as the observers').
  float averaging_constant = 0.01f;  // moving-average
  double percentile = 99.99;         // percentile
  int bins = 2048;                   // histogram kinds
  int entropy_levels = 128;          // entropy: per side (twice that for one-signed values, asymmetric scheme)
  QuantScheme scheme;                // mse: the qparams whose error it minimizes; entropy: levels
  // Values to observe, by name in the session's planned graph. Empty: every
  // float32 value a node produces plus the float32 graph inputs.
  std::vector<std::string> values;
  // When false, a named value that planning folded away or that is not
  // float32 is left out of the result instead of being an error (what
  // quantization wants: such a value has nothing to quantize).
  bool require_all_values = true;
};

// A fresh observer of `options.kind` with its parameters.
std::unique_ptr<Observer> make_observer(const CalibrationOptions& options);

// Runs the session on every sample of `samples` and returns each observed
// value's range. Memory is one observer per value: no sample or value is
// kept after its run. `progress`, when given, hears after each sample.
// Throws octet::Error when there is no sample, a named value never appears,
// or a value had no finite value to range over (the message names it).
std::map<std::string, Range> calibrate(engine::Session& session, SampleSource& samples,
                                       const CalibrationOptions& options, ProgressSink* progress = nullptr);

}  // namespace octet::quant
