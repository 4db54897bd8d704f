// `octet onnx-test DIR...`: runs ONNX backend test cases (model.onnx and
// test_data_set_*/{input,output}_N.pb) and compares the outputs.
#include <algorithm>
#include <cstdio>
#include <exception>

#include "engine/session.h"
#include "graph/error.h"
#include "graph/onnx_import.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/format.h"
#include "tools/paths.h"
#include "tools/tensor_compare.h"

namespace octet::cli {

using graph::Tensor;

namespace {

const char kHelp[] =
    "usage: octet onnx-test [--verbose] DIR...\n"
    "\n"
    "Each DIR is an ONNX backend test case: model.onnx and test_data_set_*/\n"
    "holding input_N.pb and output_N.pb. Every data set is run and each output\n"
    "compared with |got - expected| <= 1e-7 + 1e-3 * |expected| (NaN equal to\n"
    "NaN; integers exactly; dtypes and shapes must match). One line is printed\n"
    "per failure, then 'N passed, N failed'. Exit status 1 if any test failed.\n"
    "\n"
    "  -v, --verbose  also print a line for each test that passes\n";

std::string test_name(const std::string& dir) {
  return printable(last_component(dir));
}

// test_data_set_0, _1, ..., _10 in numeric order.
std::vector<std::string> data_sets(const std::string& dir) {
  std::vector<std::string> names;
  for (const std::string& name : list_directory(dir))
    if (name.rfind("test_data_set_", 0) == 0 && is_directory(join_path(dir, name))) names.push_back(name);
  std::sort(names.begin(), names.end(), [](const std::string& x, const std::string& y) {
    return x.size() != y.size() ? x.size() < y.size() : x < y;
  });
  std::vector<std::string> sets;
  for (const std::string& name : names) sets.push_back(join_path(dir, name));
  return sets;
}

// prefix_0.pb, prefix_1.pb, ... up to the first missing index.
std::vector<Tensor> read_numbered(const std::string& dir, const std::string& prefix) {
  std::vector<Tensor> tensors;
  for (size_t i = 0;; ++i) {
    const std::string p = join_path(dir, prefix + "_" + std::to_string(i) + ".pb");
    if (!path_exists(p)) break;
    tensors.push_back(graph::read_tensor_proto_file(p));
  }
  return tensors;
}

class Runner {
 public:
  explicit Runner(bool verbose) : verbose_(verbose) {}

  void run_test(const std::string& dir) {
    std::string name = test_name(dir);
    bool ok;
    try {
      ok = run_sets(dir, name);
    } catch (const std::exception& e) {
      report(name, "", "", e.what());
      ok = false;
    }
    (ok ? passed_ : failed_)++;
    if (ok && verbose_) std::printf("ok   %s\n", name.c_str());
  }

  int finish() const {
    std::printf("%zu passed, %zu failed\n", passed_, failed_);
    return failed_ == 0 ? 0 : 1;
  }

 private:
  bool run_sets(const std::string& dir, const std::string& name) {
    std::vector<std::string> sets = data_sets(dir);
    if (sets.empty()) throw Error("no test_data_set_* directory in " + dir);
    graph::Graph model = graph::import_onnx_file(join_path(dir, "model.onnx"));
    bool ok = true;
    for (const auto& set : sets) {
      std::string set_name = last_component(set);
      try {
        ok = run_set(model, set, name, set_name) && ok;
      } catch (const std::exception& e) {
        report(name, set_name, "", e.what());
        ok = false;
      }
    }
    return ok;
  }

  bool run_set(const graph::Graph& model, const std::string& set, const std::string& name,
               const std::string& set_name) {
    std::vector<Tensor> inputs = read_numbered(set, "input");
    std::vector<Tensor> expected = read_numbered(set, "output");
    engine::Session session(model);
    std::vector<Tensor> got = session.run(inputs);
    if (got.size() != expected.size()) {
      report(name, set_name, "", "the model gave " + std::to_string(got.size()) + " outputs, the test expects " +
                                     std::to_string(expected.size()));
      return false;
    }
    bool ok = true;
    for (size_t i = 0; i < got.size(); ++i) {
      std::string diff = compare_tensors(expected[i], got[i], Tolerance{});
      if (diff.empty()) continue;
      std::string output = i < session.outputs().size() ? session.outputs()[i].name : std::to_string(i);
      report(name, set_name, output, diff);
      ok = false;
    }
    return ok;
  }

  void report(const std::string& name, const std::string& set, const std::string& output, const std::string& what) {
    std::string where = name;
    if (!set.empty()) where += " " + printable(set);
    if (!output.empty()) where += " output '" + printable(output) + "'";
    std::printf("FAIL %s: %s\n", where.c_str(), printable(what).c_str());
    std::fflush(stdout);
  }

  bool verbose_;
  size_t passed_ = 0, failed_ = 0;
};

}  // namespace

int cmd_onnx_test(const std::vector<std::string>& args) {
  ParsedArgs a = parse_args(args, {{"verbose", 'v', OptionSpec::Kind::Flag}});
  if (a.help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (a.positional.empty())
    throw UsageError("onnx-test needs at least one test directory (see 'octet onnx-test --help')");
  Runner runner(a.flag("verbose"));
  for (const auto& dir : a.positional) runner.run_test(dir);
  return runner.finish();
}

}  // namespace octet::cli
