#pragma once
// Command-line parsing shared by the subcommands: GNU-style long options
// (--name VALUE, --name=VALUE), short aliases (-n VALUE), "--" to end options.
// Mistakes throw UsageError, which main() turns into exit code 2.
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace octet::cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OptionSpec {
  enum class Kind {
    Flag,    // --verbose
    Value,   // --output-dir DIR, at most once
    Values,  // --input A [B ...], repeatable; takes every following non-option word
  };
  std::string name;  // without the leading "--"
  char alias = 0;    // short form, 0 for none
  Kind kind = Kind::Flag;
};

struct ParsedArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> values;  // Value and Values options
  std::map<std::string, bool> flags;
  bool help = false;

  bool flag(const std::string& name) const { return flags.count(name) != 0; }
  // The option's value, or `fallback` when it was not given.
  std::string value(const std::string& name, const std::string& fallback) const;
  const std::vector<std::string>& all(const std::string& name) const;
  // The option's value as a whole number >= `min`, or `fallback` when it was
  // not given; UsageError for anything else ("--runs 1e3", "--runs -1").
  int64_t integer(const std::string& name, int64_t fallback, int64_t min) const;
};

// `-h` and `--help` are always accepted and set `help`.
ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs);

}  // namespace octet::cli
