// `octet run MODEL --input [NAME=]FILE.npy ... [--output-dir DIR]`.
#include <cstdio>
#include <map>

#include "engine/session.h"
#include "graph/error.h"
#include "graph/npy.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/format.h"
#include "tools/model_session.h"
#include "tools/paths.h"

namespace octet::cli {

using graph::Tensor;

namespace {

const char kHelp[] =
    "usage: octet run MODEL --input [NAME=]FILE.npy [...] [--output-dir DIR] [--threads N]\n"
    "\n"
    "Runs MODEL (ONNX) on the given inputs and writes each output to\n"
    "DIR/OUTPUT_NAME.npy (DIR defaults to '.', created if missing).\n"
    "\n"
    "  -i, --input [NAME=]FILE  an input tensor; without NAME= inputs are taken\n"
    "                           in the model's order. Repeat the option or list\n"
    "                           several files after one --input.\n"
    "  -o, --output-dir DIR     where to write the outputs\n"
    "  -t, --threads N          threads for the run (default 1); the outputs are\n"
    "                           the same for any N\n"
    "\n"
    "Output names are escaped for the file system: bytes other than letters,\n"
    "digits, '_', '-' and '.' (and a leading '.') become %XX.\n";

struct InputSpec {
  std::string name;  // empty: positional
  std::string path;
};

bool is_input_name(const engine::Session& s, const std::string& name) {
  for (const auto& v : s.inputs())
    if (v.name == name) return true;
  return false;
}

std::string input_names(const engine::Session& s) {
  std::string out;
  for (const auto& v : s.inputs()) out += (out.empty() ? "" : ", ") + printable(v.name);
  return out.empty() ? "none" : out;
}

// NAME=FILE when NAME is one of the model's inputs; otherwise the whole word
// is a path (paths may hold '='), unless no such file exists, where a
// mistyped name is the likelier story.
InputSpec parse_input_spec(const engine::Session& s, const std::string& word) {
  size_t eq = word.find('=');
  if (eq == std::string::npos) return {"", word};
  std::string name = word.substr(0, eq);
  if (is_input_name(s, name)) return {name, word.substr(eq + 1)};
  if (path_exists(word)) return {"", word};
  throw UsageError("the model has no input named '" + printable(name) + "' (its inputs: " + input_names(s) + ")");
}

// Named inputs go to their names; the rest fill the remaining inputs in the
// model's order.
std::vector<Tensor> bind_inputs(const engine::Session& s, const std::vector<std::string>& words) {
  const auto& infos = s.inputs();
  std::vector<std::string> paths(infos.size());
  std::vector<std::string> positional;
  for (const auto& w : words) {
    InputSpec spec = parse_input_spec(s, w);
    if (spec.name.empty()) {
      positional.push_back(spec.path);
      continue;
    }
    for (size_t i = 0; i < infos.size(); ++i) {
      if (infos[i].name != spec.name) continue;
      if (!paths[i].empty()) throw UsageError("input '" + printable(spec.name) + "' given more than once");
      paths[i] = spec.path;
    }
  }
  size_t next = 0;
  for (size_t i = 0; i < infos.size() && next < positional.size(); ++i)
    if (paths[i].empty()) paths[i] = positional[next++];
  if (next < positional.size())
    throw UsageError(std::to_string(words.size()) + " inputs given, but the model takes " +
                     std::to_string(infos.size()) + " (" + input_names(s) + ")");
  std::vector<Tensor> tensors;
  for (size_t i = 0; i < infos.size(); ++i) {
    if (paths[i].empty()) throw UsageError("no file given for input '" + printable(infos[i].name) + "'");
    tensors.push_back(graph::read_npy(paths[i]));
  }
  return tensors;
}

bool safe_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.';
}

// A file name that cannot leave DIR or hide: '/' and '%' are escaped, so
// distinct names stay distinct, and a leading '.' too, which rules out "."
// and "..".
std::string file_name_for(const std::string& output) {
  std::string out = output.empty() ? "%" : "";  // no escaped name is a bare '%'
  for (size_t i = 0; i < output.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(output[i]);
    if (safe_byte(c) && !(i == 0 && c == '.')) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out + ".npy";
}

// Writes every output or none: when one fails, the files this run already
// wrote are removed before the error goes on.
void write_outputs(const engine::Session& s, const std::vector<Tensor>& outputs, const std::string& dir) {
  std::vector<std::string> written;
  try {
    for (size_t i = 0; i < outputs.size(); ++i) {
      std::string path = join_path(dir, file_name_for(s.outputs()[i].name));
      graph::write_npy(path, outputs[i]);
      written.push_back(path);
      std::printf("wrote %s  %s %s\n", printable(path).c_str(), graph::dtype_name(outputs[i].dtype()),
                  graph::shape_str(outputs[i].shape()).c_str());
    }
  } catch (...) {
    for (const auto& p : written) {
      std::remove(p.c_str());
      std::fprintf(stderr, "octet: removed %s\n", printable(p).c_str());
    }
    throw;
  }
}

}  // namespace

int cmd_run(const std::vector<std::string>& args) {
  using Kind = OptionSpec::Kind;
  ParsedArgs a = parse_args(args, {{"input", 'i', Kind::Values}, {"output-dir", 'o', Kind::Value}, {"threads", 't', Kind::Value}});
  if (a.help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (a.positional.empty()) throw UsageError("run needs a MODEL (see 'octet run --help')");
  if (a.positional.size() > 1)
    throw UsageError("unexpected argument '" + printable(a.positional[1]) + "' (inputs go after --input)");
  std::string dir = a.value("output-dir", ".");
  engine::Session session = open_session(a.positional[0], session_options(a));
  std::vector<Tensor> inputs = bind_inputs(session, a.all("input"));
  std::vector<Tensor> outputs = session.run(inputs);
  if (outputs.size() != session.outputs().size()) throw Error("the model returned an unexpected number of outputs");
  make_directories(dir);
  write_outputs(session, outputs, dir);
  return 0;
}

}  // namespace octet::cli
