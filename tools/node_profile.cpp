#include "tools/node_profile.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "tools/format.h"
#include "tools/json_text.h"

namespace octet::cli {

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string shape_text(const graph::Tensor& t) {
  std::string s = "[";
  for (size_t i = 0; i < t.shape().size(); ++i) s += (i ? ", " : "") + std::to_string(t.shape()[i]);
  return s + "]";
}

}  // namespace

NodeProfile profile_nodes(engine::Session& s, const std::vector<graph::Tensor>& inputs, int64_t runs) {
  s.run(inputs);  // plans a model with symbolic dims, so planned_graph() is the one that runs
  const auto& nodes = s.planned_graph().nodes;
  std::unordered_map<std::string, size_t> producer;
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const auto& out : nodes[i].outputs)
      if (!out.empty()) producer.emplace(out, i);

  NodeProfile p;
  for (const auto& n : nodes) p.nodes.push_back({n.name, n.op_type, "", 0});
  std::vector<std::vector<double>> ms(nodes.size());
  std::vector<double> whole;
  for (int64_t r = 0; r < runs; ++r) {
    std::vector<char> seen(nodes.size(), 0);
    const Clock::time_point t0 = Clock::now();
    Clock::time_point last = t0;
    s.run(inputs, [&](const std::string& value, const graph::Tensor& t) {
      const Clock::time_point now = Clock::now();
      auto it = producer.find(value);
      if (it == producer.end() || seen[it->second]) return;
      seen[it->second] = 1;
      ms[it->second].push_back(std::chrono::duration<double, std::milli>(now - last).count());
      if (p.nodes[it->second].shape.empty()) p.nodes[it->second].shape = shape_text(t);
      last = now;
    });
    whole.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  for (size_t i = 0; i < nodes.size(); ++i) p.nodes[i].median_ms = ms[i].empty() ? 0 : median(ms[i]);
  p.total_ms = median(whole);
  return p;
}

void print_profile(const NodeProfile& p, size_t top) {
  double sum = 0;
  std::map<std::string, std::pair<int, double>> by_op;
  for (const auto& n : p.nodes) {
    sum += n.median_ms;
    by_op[n.op_type].first += 1;
    by_op[n.op_type].second += n.median_ms;
  }
  const double pct = sum > 0 ? 100.0 / sum : 0;
  std::printf("\nprofile: median per node; the nodes sum to %.3f ms, a whole run took %.3f ms\n", sum, p.total_ms);
  std::vector<std::pair<std::string, std::pair<int, double>>> ops(by_op.begin(), by_op.end());
  std::sort(ops.begin(), ops.end(), [](const auto& a, const auto& b) { return a.second.second > b.second.second; });
  std::printf("\n  %-28s %6s %10s %7s\n", "op type", "nodes", "ms", "%");
  for (const auto& o : ops)
    std::printf("  %-28s %6d %10.3f %6.1f%%\n", printable(o.first).c_str(), o.second.first, o.second.second,
                o.second.second * pct);
  std::vector<const NodeTime*> order;
  for (const auto& n : p.nodes) order.push_back(&n);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->median_ms > b->median_ms; });
  if (order.size() > top) order.resize(top);
  // The name last: exported names run long.
  std::printf("\n  %9s %7s  %-24s %-20s %s\n", "ms", "%", "op type", "output shape", "node (slowest first)");
  for (const NodeTime* n : order)
    std::printf("  %9.3f %6.1f%%  %-24s %-20s %s\n", n->median_ms, n->median_ms * pct, printable(n->op_type).c_str(),
                n->shape.c_str(), printable(n->name).c_str());
}

std::string profile_json(const NodeProfile& p) {
  std::string s = "[";
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    const NodeTime& n = p.nodes[i];
    s += (i ? ", " : "") + std::string("{\"node\": ") + json_string(n.name) + ", \"op_type\": " +
         json_string(n.op_type) + ", \"output_shape\": " + json_string(n.shape) +
         ", \"median_ms\": " + json_number(n.median_ms) + "}";
  }
  return s + "]";
}

}  // namespace octet::cli
