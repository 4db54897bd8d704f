#pragma once
// The subcommands of `octet`. Each takes the words after its name and
// returns the process exit code; usage mistakes throw cli::UsageError,
// model and data errors octet::Error.
#include <string>
#include <vector>

namespace octet::cli {

int cmd_inspect(const std::vector<std::string>& args);
int cmd_run(const std::vector<std::string>& args);
int cmd_onnx_test(const std::vector<std::string>& args);
int cmd_quantize(const std::vector<std::string>& args);
int cmd_eval(const std::vector<std::string>& args);
int cmd_bench(const std::vector<std::string>& args);
int cmd_compare(const std::vector<std::string>& args);
int cmd_export_qdq(const std::vector<std::string>& args);

}  // namespace octet::cli
