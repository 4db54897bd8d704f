#include "tools/cli_args.h"

#include <charconv>

namespace octet::cli {

namespace {

const OptionSpec* find_long(const std::vector<OptionSpec>& specs, const std::string& name) {
  for (const auto& s : specs)
    if (s.name == name) return &s;
  return nullptr;
}

const OptionSpec* find_short(const std::vector<OptionSpec>& specs, char alias) {
  for (const auto& s : specs)
    if (s.alias != 0 && s.alias == alias) return &s;
  return nullptr;
}

bool is_option(const std::string& word) { return word.size() > 1 && word[0] == '-'; }

class Parser {
 public:
  Parser(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs) : args_(args), specs_(specs) {}

  ParsedArgs run() {
    while (i_ < args_.size()) {
      const std::string& word = args_[i_++];
      if (word == "--") {
        while (i_ < args_.size()) out_.positional.push_back(args_[i_++]);
      } else if (word == "-h" || word == "--help") {
        out_.help = true;
      } else if (word.rfind("--", 0) == 0) {
        long_option(word.substr(2));
      } else if (is_option(word)) {
        short_option(word);
      } else {
        out_.positional.push_back(word);
      }
    }
    return out_;
  }

 private:
  void long_option(const std::string& body) {
    size_t eq = body.find('=');
    std::string name = body.substr(0, eq);
    const OptionSpec* spec = find_long(specs_, name);
    if (!spec) throw UsageError("unknown option '--" + name + "'");
    if (eq == std::string::npos) {
      take(*spec, "--" + name);
    } else {
      if (spec->kind == OptionSpec::Kind::Flag) throw UsageError("option '--" + name + "' takes no value");
      store(*spec, "--" + name, body.substr(eq + 1));
      if (spec->kind == OptionSpec::Kind::Values) take_more(*spec);
    }
  }

  void short_option(const std::string& word) {
    const OptionSpec* spec = word.size() == 2 ? find_short(specs_, word[1]) : nullptr;
    if (!spec) throw UsageError("unknown option '" + word + "'");
    take(*spec, word);
  }

  // The option's value(s) from the following words.
  void take(const OptionSpec& spec, const std::string& shown) {
    if (spec.kind == OptionSpec::Kind::Flag) {
      out_.flags[spec.name] = true;
      return;
    }
    if (i_ >= args_.size() || is_option(args_[i_])) throw UsageError("option '" + shown + "' needs a value");
    store(spec, shown, args_[i_++]);
    if (spec.kind == OptionSpec::Kind::Values) take_more(spec);
  }

  void take_more(const OptionSpec& spec) {
    while (i_ < args_.size() && !is_option(args_[i_])) out_.values[spec.name].push_back(args_[i_++]);
  }

  void store(const OptionSpec& spec, const std::string& shown, const std::string& value) {
    auto& slot = out_.values[spec.name];
    if (spec.kind == OptionSpec::Kind::Value && !slot.empty())
      throw UsageError("option '" + shown + "' given more than once");
    if (value.empty()) throw UsageError("option '" + shown + "' needs a non-empty value");
    slot.push_back(value);
  }

  const std::vector<std::string>& args_;
  const std::vector<OptionSpec>& specs_;
  size_t i_ = 0;
  ParsedArgs out_;
};

}  // namespace

std::string ParsedArgs::value(const std::string& name, const std::string& fallback) const {
  auto it = values.find(name);
  return it == values.end() || it->second.empty() ? fallback : it->second.front();
}

const std::vector<std::string>& ParsedArgs::all(const std::string& name) const {
  static const std::vector<std::string> none;
  auto it = values.find(name);
  return it == values.end() ? none : it->second;
}

int64_t ParsedArgs::integer(const std::string& name, int64_t fallback, int64_t min) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return fallback;
  const std::string& text = it->second.front();
  int64_t v = 0;
  auto res = std::from_chars(text.data(), text.data() + text.size(), v);
  if (res.ec != std::errc() || res.ptr != text.data() + text.size() || v < min)
    throw UsageError("option '--" + name + "' needs a whole number >= " + std::to_string(min) + ", not '" + text +
                     "'");
  return v;
}

ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs) {
  return Parser(args, specs).run();
}

}  // namespace octet::cli
