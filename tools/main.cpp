// `octet`: inspect, run and test ONNX models from the command line.
// Exit codes: 0 success, 1 model/data/runtime error, 2 usage error.
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "graph/error.h"
#include "tools/cli_args.h"
#include "tools/commands.h"

#ifndef OCTET_VERSION
#error "the build defines OCTET_VERSION from the CMake project version"
#endif

namespace {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

struct Command {
  const char* name;
  int (*fn)(const std::vector<std::string>&);
  const char* summary;
};

const Command kCommands[] = {
    {"inspect", octet::cli::cmd_inspect, "show a model's inputs, outputs, operators and parameters"},
    {"run", octet::cli::cmd_run, "run a model on .npy inputs and write .npy outputs"},
    {"onnx-test", octet::cli::cmd_onnx_test, "run ONNX backend test-case directories and compare outputs"},
    {"quantize", octet::cli::cmd_quantize, "calibrate an FP32 model and write an INT8 .octet model"},
    {"eval", octet::cli::cmd_eval, "top-1 accuracy of a model on .npy data and labels"},
    {"bench", octet::cli::cmd_bench, "latency (median, p10, p90), peak memory and size of a model"},
    {"export-qdq", octet::cli::cmd_export_qdq, "write an INT8 .octet model as a standard QDQ ONNX model"},
    {"compare", octet::cli::cmd_compare, "SQNR, max error, cosine and top-1 agreement of a model against a reference"},
};

void print_help() {
  std::printf("usage: octet COMMAND [ARGS...]\n       octet --help | --version\n\ncommands:\n");
  for (const Command& c : kCommands) std::printf("  %-10s %s\n", c.name, c.summary);
  std::printf("\n'octet COMMAND --help' describes a command.\n"
              "Exit status: 0 success, 1 error in a model or data file, 2 bad command line.\n");
}

const Command* find_command(const std::string& name) {
  for (const Command& c : kCommands)
    if (name == c.name) return &c;
  return nullptr;
}

int dispatch(const std::vector<std::string>& words) {
  if (words.empty()) throw octet::cli::UsageError("no command given (try 'octet --help')");
  const std::string& first = words[0];
  if (first == "--help" || first == "-h" || first == "help") {
    print_help();
    return 0;
  }
  if (first == "--version") {
    std::printf("octet %s\n", OCTET_VERSION);
    return 0;
  }
  const Command* cmd = find_command(first);
  if (!cmd) throw octet::cli::UsageError("unknown command '" + first + "' (try 'octet --help')");
  return cmd->fn(std::vector<std::string>(words.begin() + 1, words.end()));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> words(argv + (argc > 0 ? 1 : 0), argv + argc);
  try {
    return dispatch(words);
  } catch (const octet::cli::UsageError& e) {
    std::fprintf(stderr, "octet: usage error: %s\n", e.what());
    return kExitUsage;
  } catch (const octet::Error& e) {
    std::fprintf(stderr, "octet: error: %s\n", e.what());
    return kExitError;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "octet: error: out of memory\n");
    return kExitError;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "octet: error: %s\n", e.what());
    return kExitError;
  } catch (...) {
    std::fprintf(stderr, "octet: error: unknown failure\n");
    return kExitError;
  }
}
