#include "tools/model_session.h"

#include "graph/model_file.h"
#include "quant/import_qdq.h"

namespace octet::cli {

engine::SessionOptions session_options(const ParsedArgs& a) {
  constexpr int64_t kMaxThreads = 256;
  const int64_t threads = a.integer("threads", 1, 1);
  if (threads > kMaxThreads)
    throw UsageError("option '--threads' needs a whole number <= " + std::to_string(kMaxThreads) + ", not '" +
                     std::to_string(threads) + "'");
  engine::SessionOptions options;
  options.threads = static_cast<int>(threads);
  return options;
}

engine::Session open_session(const std::string& path, engine::SessionOptions options) {
  graph::Graph g = graph::load_model(path);
  quant::import_qdq(g);
  return engine::Session(std::move(g), options);
}

}  // namespace octet::cli
