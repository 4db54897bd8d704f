#include "tools/model_session.h"

#include "graph/model_file.h"
#include "quant/import_qdq.h"

namespace octet::cli {

engine::Session open_session(const std::string& path, engine::SessionOptions options) {
  graph::Graph g = graph::load_model(path);
  quant::import_qdq(g);
  return engine::Session(std::move(g), options);
}

}  // namespace octet::cli
