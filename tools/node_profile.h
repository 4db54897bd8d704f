#pragma once
// Where a run's time goes, node by node: `octet bench --profile`, the
// counterpart of ONNX Runtime's session profiling and TFLite's op profiling.
#include <string>
#include <vector>

#include "engine/session.h"

namespace octet::cli {

struct NodeTime {
  std::string name, op_type, shape;  // shape: the node's first output
  double median_ms = 0;              // over the profiled runs
};

struct NodeProfile {
  std::vector<NodeTime> nodes;  // in run order
  double total_ms = 0;          // the median run, timed whole
};

// Runs `runs` times with a value observer that stamps the clock at each
// node's first output, so a node's time is what ran since the previous
// node's (its own op plus its buffer handling). Nodes of the planned graph
// (graph::keep_int8_nhwc's rewrite included).
NodeProfile profile_nodes(engine::Session& s, const std::vector<graph::Tensor>& inputs, int64_t runs);

void print_profile(const NodeProfile& p, size_t top);
std::string profile_json(const NodeProfile& p);

}  // namespace octet::cli
