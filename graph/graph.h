#pragma once
// The graph IR: ONNX's model reduced to what Octet executes. Values are named
// by strings, as in ONNX; an empty input name is an omitted optional input.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "graph/tensor.h"

namespace octet::graph {

struct Attribute {
  enum class Kind { Float, Int, String, Tensor, Floats, Ints, Strings };
  Kind kind = Kind::Int;
  float f = 0;
  int64_t i = 0;
  std::string s;
  graph::Tensor t;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  std::vector<std::string> strings;

  // For building graphs in code (tests, passes): Attribute::of(3),
  // Attribute::of(std::vector<int64_t>{1, 1}), Attribute::of("SAME_UPPER").
  static Attribute of(int64_t v);
  static Attribute of(float v);
  static Attribute of(const std::string& v);
  static Attribute of(const char* v) { return of(std::string(v)); }
  static Attribute of(std::vector<int64_t> v);
  static Attribute of(std::vector<float> v);
  static Attribute of(graph::Tensor v);
};

struct Node {
  std::string name;
  std::string op_type;
  std::string domain;  // "" is the default ONNX domain
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::map<std::string, Attribute> attrs;
  // The model's default-domain opset (Graph::opset), stamped on each node by
  // infer_shapes so shape rules and ops can follow version-dependent
  // semantics (Softmax's axis, Clip's bounds). 0 means unknown: newest.
  int64_t opset = 0;

  bool has_attr(const std::string& key) const { return attrs.count(key) != 0; }
  // Typed getters: the default when absent; octet::FormatError naming the
  // node and attribute when present with the wrong kind.
  int64_t attr_int(const std::string& key, int64_t fallback) const;
  float attr_float(const std::string& key, float fallback) const;
  std::string attr_string(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const std::string& key, std::vector<int64_t> fallback = {}) const;
  std::vector<float> attr_floats(const std::string& key, std::vector<float> fallback = {}) const;
  const Tensor& attr_tensor(const std::string& key) const;

  // "Conv 'conv1'": how errors name a node.
  std::string label() const;
  // The i-th input name, or "" when the input is omitted or beyond the list.
  const std::string& input(size_t i) const;
};

// ONNX Runtime's contrib domain, home of the quantized ops that standard ONNX
// lacks (QLinearAdd, QLinearConcat, QGemm, ...); Octet's quantized graphs use
// them with ONNX Runtime's signatures.
inline const char* const kMicrosoftDomain = "com.microsoft";

// How op tables key a node: its op_type in the default domain ("" or
// "ai.onnx"), "domain:op_type" in any other.
std::string op_key(const Node& node);
std::string op_key(const std::string& domain, const std::string& op_type);

// True when the node's model predates `version` of the default domain (a
// node of unknown opset, 0, follows the newest version).
inline bool opset_before(const Node& node, int64_t version) { return node.opset != 0 && node.opset < version; }

// Type and shape of a value; a dim of -1 is unknown (symbolic in the file,
// named by dim_params[i]).
struct ValueInfo {
  std::string name;
  DType dtype = DType::Undefined;
  Shape shape;
  std::vector<std::string> dim_params;
  bool has_shape = false;  // false: the file gave no shape at all
};

struct Graph {
  std::string name;
  std::string producer;
  int64_t opset = 0;  // of the default ONNX domain
  std::vector<ValueInfo> inputs;   // excludes inputs that are initializers
  std::vector<ValueInfo> outputs;
  std::map<std::string, ValueInfo> value_info;  // intermediate types, if given
  std::map<std::string, Tensor> initializers;
  std::vector<Node> nodes;  // topologically sorted after import
  // Model files mapped from disk whose bytes initializers point into (a
  // .octet loaded from a path): graph::release_mapped_pages may drop the
  // pages of weights the kernels have copied into their own layout.
  // Weak: the mapping lives as long as its tensors do, and an expired one
  // is skipped (its address range may hold other memory by then).
  struct MappedFile {
    std::weak_ptr<const uint8_t> data;
    size_t size;
  };
  std::vector<MappedFile> mapped_files;

  bool is_initializer(const std::string& value) const { return initializers.count(value) != 0; }
};

// Orders nodes so every input is produced before use; throws
// octet::FormatError naming a value with no producer or a cycle.
void topological_sort(Graph& g);

}  // namespace octet::graph
