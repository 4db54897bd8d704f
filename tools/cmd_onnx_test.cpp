// `octet onnx-test DIR...`: runs ONNX backend test cases (model.onnx and
// test_data_set_*/{input,output}_N.pb) and compares the outputs.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <system_error>

#include "engine/session.h"
#include "graph/error.h"
#include "graph/onnx_import.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/format.h"
#include "tools/tensor_compare.h"

namespace octet::cli {

namespace fs = std::filesystem;
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
  fs::path p = fs::path(dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return printable(p.filename().string());
}

// test_data_set_0, _1, ..., _10 in numeric order.
std::vector<fs::path> data_sets(const fs::path& dir) {
  std::vector<fs::path> sets;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename().string().rfind("test_data_set_", 0) == 0 && it->is_directory(ec))
      sets.push_back(it->path());
  if (ec) throw Error("cannot list " + dir.string() + ": " + ec.message());
  std::sort(sets.begin(), sets.end(), [](const fs::path& a, const fs::path& b) {
    std::string x = a.filename().string(), y = b.filename().string();
    return x.size() != y.size() ? x.size() < y.size() : x < y;
  });
  return sets;
}

// prefix_0.pb, prefix_1.pb, ... up to the first missing index.
std::vector<Tensor> read_numbered(const fs::path& dir, const std::string& prefix) {
  std::vector<Tensor> tensors;
  for (size_t i = 0;; ++i) {
    fs::path p = dir / (prefix + "_" + std::to_string(i) + ".pb");
    std::error_code ec;
    if (!fs::exists(p, ec)) break;
    tensors.push_back(graph::read_tensor_proto_file(p.string()));
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
    std::vector<fs::path> sets = data_sets(dir);
    if (sets.empty()) throw Error("no test_data_set_* directory in " + dir);
    graph::Graph model = graph::import_onnx_file((fs::path(dir) / "model.onnx").string());
    bool ok = true;
    for (const auto& set : sets) {
      std::string set_name = set.filename().string();
      try {
        ok = run_set(model, set, name, set_name) && ok;
      } catch (const std::exception& e) {
        report(name, set_name, "", e.what());
        ok = false;
      }
    }
    return ok;
  }

  bool run_set(const graph::Graph& model, const fs::path& set, const std::string& name,
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
