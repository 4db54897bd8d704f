// Calibration: the session's value hook, .npy sample sources, observer ranges
// of every intermediate against hand-computed ones, and the progress text.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "engine/session.h"
#include "graph/error.h"
#include "graph/npy.h"
#include "graph/onnx_import.h"
#include "quant/calibrate.h"
#include "tests/test_graphs.h"

using namespace octet;
using graph::DType;
using graph::Graph;
using graph::Node;
using graph::Tensor;
using quant::Range;
namespace fs = std::filesystem;

using octet::testing::float_value;
using octet::testing::make_node;

namespace {

// y = Relu(x * 2) + c. Relu follows a Mul, which it is not fused into, so
// m, r and y are all produced.
Graph mul_relu_add(graph::Shape x_shape) {
  Graph g;
  g.opset = 13;
  g.inputs.push_back(float_value("x", x_shape));
  g.outputs.push_back(float_value("y", {}));
  g.initializers["two"] = Tensor::scalar<float>(2.f);
  g.initializers["c"] = Tensor::from<float>({4}, {1.f, -1.f, 0.5f, 0.f});
  g.nodes.push_back(make_node("Mul", {"x", "two"}, {"m"}));
  g.nodes.push_back(make_node("Relu", {"m"}, {"r"}));
  g.nodes.push_back(make_node("Add", {"r", "c"}, {"y"}));
  return g;
}

const std::vector<std::vector<float>> kSamples = {
    {1.f, -2.f, 3.f, 0.5f}, {-4.f, 0.25f, 2.f, -1.f}, {0.f, 5.f, -0.5f, 1.f}};

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("octet_calibrate_test_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const Tensor& t) const {
    std::string p = (path / name).string();
    graph::write_npy(p, t);
    return p;
  }
};

std::vector<float> values_of(const Tensor& t) {
  const float* d = t.data<float>();
  return std::vector<float>(d, d + t.numel());
}

void check_range(const std::map<std::string, Range>& ranges, const std::string& name, float lo, float hi) {
  INFO(name);
  REQUIRE(ranges.count(name) == 1);
  CHECK(ranges.at(name).min == lo);
  CHECK(ranges.at(name).max == hi);
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("Session::run with an observer sees each produced value once per run", "[calibrate]") {
  engine::Session s(mul_relu_add({1, 4}));
  std::map<std::string, int> seen;
  std::vector<float> m;
  engine::Session::ValueObserver hook = [&](const std::string& name, const Tensor& v) {
    ++seen[name];
    if (name == "m") m = values_of(v);
  };
  Tensor x = Tensor::from<float>({1, 4}, kSamples[0]);
  std::vector<Tensor> plain = s.run({x});
  std::vector<Tensor> observed = s.run({x}, hook);
  s.run({Tensor::from<float>({1, 4}, kSamples[1])}, hook);
  CHECK(seen == std::map<std::string, int>{{"m", 2}, {"r", 2}, {"y", 2}});
  CHECK(m == std::vector<float>{-8.f, 0.5f, 4.f, -2.f});
  CHECK(values_of(observed[0]) == values_of(plain[0]));
  CHECK(values_of(plain[0]) == std::vector<float>{3.f, -1.f, 6.5f, 1.f});
  // An empty observer is the plain run.
  CHECK(values_of(s.run({x}, engine::Session::ValueObserver())[0]) == values_of(plain[0]));
}

TEST_CASE("calibrate: MinMax ranges of every value, by hand", "[calibrate]") {
  // x over the samples: [-4, 5]; m = 2x: [-8, 10]; r = Relu(m): [0, 10];
  // y = r + c: {3,-1,6.5,1}, {1,-0.5,4.5,0}, {1,9,0.5,2} -> [-1, 9].
  engine::Session s(mul_relu_add({1, 4}));
  TempDir dir;
  quant::CalibrationOptions options;  // MinMax, every float value

  SECTION("one .npy per sample") {
    std::vector<std::string> paths;
    for (size_t i = 0; i < kSamples.size(); ++i)
      paths.push_back(dir.write("s" + std::to_string(i) + ".npy", Tensor::from<float>({1, 4}, kSamples[i])));
    quant::NpyFilesSource source(paths, s.inputs());
    REQUIRE(source.size() == 3);
    auto ranges = quant::calibrate(s, source, options);
    CHECK(ranges.size() == 4);
    check_range(ranges, "x", -4.f, 5.f);
    check_range(ranges, "m", -8.f, 10.f);
    check_range(ranges, "r", 0.f, 10.f);
    check_range(ranges, "y", -1.f, 9.f);
  }
  SECTION("one stacked .npy, and a chosen subset of values") {
    std::vector<float> all;
    for (const auto& v : kSamples) all.insert(all.end(), v.begin(), v.end());
    quant::StackedNpySource source(dir.write("stack.npy", Tensor::from<float>({3, 4}, all)), s.inputs());
    REQUIRE(source.size() == 3);
    options.values = {"r", "y"};
    auto ranges = quant::calibrate(s, source, options);
    CHECK(ranges.size() == 2);
    check_range(ranges, "r", 0.f, 10.f);
    check_range(ranges, "y", -1.f, 9.f);
  }
  SECTION("moving average: c = 0.5 over the per-sample extremes of y") {
    // y's per-sample (min, max): (-1, 6.5), (-0.5, 4.5), (0.5, 9).
    // min: -1 -> -0.75 -> -0.125; max: 6.5 -> 5.5 -> 7.25.
    std::vector<std::string> paths;
    for (size_t i = 0; i < kSamples.size(); ++i)
      paths.push_back(dir.write("s" + std::to_string(i) + ".npy", Tensor::from<float>({1, 4}, kSamples[i])));
    quant::NpyFilesSource source(paths, s.inputs());
    options.kind = quant::ObserverKind::MovingAverage;
    options.averaging_constant = 0.5f;
    auto ranges = quant::calibrate(s, source, options);
    check_range(ranges, "y", -0.125f, 7.25f);
  }
  SECTION("a value the model does not have is named") {
    quant::StackedNpySource source(dir.write("one.npy", Tensor::from<float>({1, 4}, kSamples[0])), s.inputs());
    options.values = {"nope"};
    CHECK_THAT(message_of([&] { quant::calibrate(s, source, options); }),
               Catch::Contains("no value named 'nope'"));
  }
  SECTION("unless missing values are allowed: then it is only left out") {
    quant::StackedNpySource source(dir.write("one.npy", Tensor::from<float>({1, 4}, kSamples[0])), s.inputs());
    options.values = {"nope", "r"};
    options.require_all_values = false;
    auto ranges = quant::calibrate(s, source, options);
    CHECK(ranges.size() == 1);
    CHECK(ranges.count("r") == 1);
  }
}

TEST_CASE("calibrate: progress after each sample", "[calibrate]") {
  struct Record : quant::ProgressSink {
    std::vector<std::pair<int64_t, int64_t>> calls;
    void update(int64_t done, int64_t total) override { calls.push_back({done, total}); }
  } record;
  engine::Session s(mul_relu_add({1, 4}));
  TempDir dir;
  quant::StackedNpySource source(dir.write("stack.npy", Tensor::from<float>({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8})),
                                 s.inputs());
  quant::calibrate(s, source, {}, &record);
  CHECK(record.calls == std::vector<std::pair<int64_t, int64_t>>{{1, 2}, {2, 2}});
}

TEST_CASE("StackedNpySource splits [N, ...] along the model's batch", "[calibrate]") {
  TempDir dir;
  std::vector<float> all(24);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<float>(i);
  std::string path = dir.write("stack.npy", Tensor::from<float>({6, 4}, all));

  SECTION("batch 1 (symbolic) gives N samples of [1, 4]") {
    quant::StackedNpySource source(path, {float_value("x", {-1, 4})});
    REQUIRE(source.size() == 6);
    std::vector<Tensor> in;
    for (int k = 0; k < 6; ++k) {
      REQUIRE(source.next(in));
      REQUIRE(in.size() == 1);
      CHECK(in[0].shape() == graph::Shape{1, 4});
      CHECK(values_of(in[0]) == std::vector<float>(all.begin() + 4 * k, all.begin() + 4 * k + 4));
    }
    CHECK_FALSE(source.next(in));
  }
  SECTION("batch 2 gives N / 2 samples of [2, 4]") {
    quant::StackedNpySource source(path, {float_value("x", {2, 4})});
    REQUIRE(source.size() == 3);
    std::vector<Tensor> in;
    source.next(in);
    REQUIRE(source.next(in));
    CHECK(in[0].shape() == graph::Shape{2, 4});
    CHECK(values_of(in[0]) == std::vector<float>(all.begin() + 8, all.begin() + 16));
  }
  SECTION("wrong shapes are refused with what was expected") {
    auto msg = [&](const graph::ValueInfo& want) {
      return message_of([&] { quant::StackedNpySource(path, {want}); });
    };
    CHECK_THAT(msg(float_value("x", {1, 5})),
               Catch::Contains("stack.npy: shape [6, 4] does not stack inputs of 'x' [1, 5]") &&
                   Catch::Contains("expected [N, 5]"));
    CHECK_THAT(msg(float_value("x", {1, 2, 2})), Catch::Contains("expected [N, 2, 2]"));
    CHECK_THAT(msg(float_value("x", {4, 4})), Catch::Contains("multiple of 4"));
    CHECK_THAT(msg(float_value("x", {})), Catch::Contains("scalar"));
    CHECK_THROWS_AS(quant::StackedNpySource(path, {float_value("x", {1, 4}), float_value("z", {1, 4})}), UnsupportedError);
    graph::ValueInfo ints = float_value("x", {1, 4});
    ints.dtype = DType::Int64;
    CHECK_THAT(msg(ints), Catch::Contains("must be int64"));
  }
}

TEST_CASE("NpyFilesSource names the file that does not fit", "[calibrate]") {
  TempDir dir;
  std::string good = dir.write("good.npy", Tensor::from<float>({1, 4}, {1, 2, 3, 4}));
  std::string bad = dir.write("bad.npy", Tensor::from<float>({1, 3}, {1, 2, 3}));
  quant::NpyFilesSource source({good, bad}, {float_value("x", {-1, 4})});
  std::vector<Tensor> in;
  REQUIRE(source.next(in));
  CHECK_THAT(message_of([&] { source.next(in); }),
             Catch::Contains("bad.npy: input 'x' must have shape [?, 4], the file has [1, 3]"));
}

TEST_CASE("observer kinds by their CLI names", "[calibrate]") {
  for (auto kind : {quant::ObserverKind::MinMax, quant::ObserverKind::MovingAverage, quant::ObserverKind::Percentile,
                    quant::ObserverKind::Entropy, quant::ObserverKind::Mse})
    CHECK(quant::observer_kind_from_name(quant::observer_kind_name(kind)) == kind);
  CHECK_THAT(message_of([] { quant::observer_kind_from_name("kl"); }),
             Catch::Contains("minmax, moving-average, percentile, entropy, mse"));
}

namespace {

// A FILE* writing to memory, for what ProgressBar draws.
struct MemoryStream {
  char* data = nullptr;
  size_t size = 0;
  std::FILE* file = open_memstream(&data, &size);
  ~MemoryStream() {
    std::fclose(file);
    std::free(data);
  }
  std::string str() {
    std::fflush(file);
    return std::string(data, size);
  }
};

}  // namespace

TEST_CASE("progress text and bar", "[calibrate]") {
  CHECK(quant::format_progress(0, 100, 0.0) == "0/100 samples");
  CHECK(quant::format_progress(25, 100, 5.0) == "25/100 samples  5.0/s  15s left");
  CHECK(quant::format_progress(10, 1000, 2.0) == "10/1000 samples  5.0/s  3m18s left");
  CHECK(quant::format_progress(100, 100, 20.0) == "100/100 samples  5.0/s  in 20s");
  SECTION("not a terminal: only the final line") {
    MemoryStream out;
    quant::ProgressBar bar(out.file, false);
    bar.update(1, 2);
    CHECK(out.str().empty());
    bar.update(2, 2);
    CHECK(out.str().find('\r') == std::string::npos);
    CHECK(out.str().rfind("2/2 samples", 0) == 0);
    CHECK(out.str().back() == '\n');
  }
  SECTION("a terminal: redrawn in place, newline at the end") {
    MemoryStream out;
    quant::ProgressBar bar(out.file, true);
    bar.update(1, 2);
    bar.update(2, 2);
    std::string s = out.str();
    CHECK(s.rfind("\r1/2 samples", 0) == 0);
    CHECK(std::count(s.begin(), s.end(), '\r') == 2);
    CHECK(std::count(s.begin(), s.end(), '\n') == 1);
  }
}

TEST_CASE("calibrate the bundled digits CNN over its 16 test images one by one", "[calibrate]") {
  const std::string dir = std::string(OCTET_SOURCE_DIR) + "/models/bundled/";
  // The model's batch axis is symbolic, so the [16, 1, 8, 8] stack splits
  // into 16 samples of one image.
  Graph g = graph::import_onnx_file(dir + "digits_cnn.onnx");
  REQUIRE(g.inputs[0].shape == graph::Shape{-1, 1, 8, 8});
  engine::Session s(std::move(g));
  quant::CalibrationOptions minmax;
  quant::StackedNpySource source(dir + "digits_input.npy", s.inputs());
  REQUIRE(source.size() == 16);
  auto mm = quant::calibrate(s, source, minmax);

  // Every float value of the planned graph got a range.
  std::vector<std::string> expected{s.inputs()[0].name};
  for (const auto& node : s.planned_graph().nodes)
    for (const auto& out : node.outputs) expected.push_back(out);
  std::sort(expected.begin(), expected.end());
  std::vector<std::string> got;
  for (const auto& kv : mm) got.push_back(kv.first);
  CHECK(got == expected);

  // The logits' range is the extremes of the outputs of the samples run directly.
  quant::StackedNpySource again(dir + "digits_input.npy", s.inputs());
  std::vector<Tensor> in;
  float lo = INFINITY, hi = -INFINITY;
  while (again.next(in)) {
    std::vector<float> y = values_of(s.run(in)[0]);
    lo = std::min(lo, *std::min_element(y.begin(), y.end()));
    hi = std::max(hi, *std::max_element(y.begin(), y.end()));
  }
  check_range(mm, s.outputs()[0].name, lo, hi);

  // Percentile clips inside the MinMax range, for every value.
  quant::CalibrationOptions pct;
  pct.kind = quant::ObserverKind::Percentile;
  pct.percentile = 99.0;
  quant::StackedNpySource third(dir + "digits_input.npy", s.inputs());
  auto pr = quant::calibrate(s, third, pct);
  REQUIRE(pr.size() == mm.size());
  bool clipped_somewhere = false;
  for (const auto& kv : pr) {
    INFO(kv.first);
    const Range& full = mm.at(kv.first);
    CHECK(kv.second.min >= full.min);
    CHECK(kv.second.max <= full.max);
    CHECK(kv.second.min <= kv.second.max);
    clipped_somewhere = clipped_somewhere || kv.second.max < full.max || kv.second.min > full.min;
  }
  CHECK(clipped_somewhere);
}
