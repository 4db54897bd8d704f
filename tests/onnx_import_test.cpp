#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "graph/error.h"
#include "graph/onnx_import.h"

using namespace octet::graph;

// tests/data/ is written by scripts/make_test_models.py; the expected values
// below are the formulas and literals that script uses.

namespace {

std::string data_path(const std::string& name) { return std::string(OCTET_SOURCE_DIR) + "/tests/data/" + name; }

std::vector<uint8_t> file_bytes(const std::string& name) {
  std::ifstream f(data_path(name), std::ios::binary);
  REQUIRE(f);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// i * step + offset, as ramp() in the script.
std::vector<float> ramp(size_t n, double step, double offset) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>(i * step + offset);
  return v;
}

template <class T> std::vector<T> values(const Tensor& t) {
  const T* p = t.data<T>();
  return std::vector<T>(p, p + t.numel());
}

const Node& node_named(const Graph& g, const std::string& name) {
  for (const auto& n : g.nodes)
    if (n.name == name) return n;
  throw std::runtime_error("no node named " + name);
}

// A minimal protobuf writer for hand-made messages that exercise errors.
struct Proto {
  std::string bytes;
  Proto& varint(uint64_t v) {
    do {
      uint8_t b = v & 0x7f;
      v >>= 7;
      bytes.push_back(static_cast<char>(b | (v ? 0x80 : 0)));
    } while (v);
    return *this;
  }
  Proto& tag(uint32_t field, int wire) { return varint((uint64_t(field) << 3) | wire); }
  Proto& i(uint32_t field, int64_t v) { return tag(field, 0).varint(static_cast<uint64_t>(v)); }
  Proto& s(uint32_t field, const std::string& v) {
    tag(field, 2).varint(v.size());
    bytes += v;
    return *this;
  }
  Proto& m(uint32_t field, const Proto& p) { return s(field, p.bytes); }
  Proto& f(uint32_t field, float v) {
    tag(field, 5);
    char b[4];
    std::memcpy(b, &v, 4);
    bytes.append(b, 4);
    return *this;
  }
};

// ONNX field numbers used by the hand-made messages.
enum : uint32_t { kModelGraph = 7, kModelOpset = 8, kOpsetVersion = 2, kOpsetDomain = 1 };
enum : uint32_t { kGraphNode = 1, kGraphInit = 5, kGraphInput = 11, kGraphOutput = 12, kGraphSparse = 15 };
enum : uint32_t { kNodeIn = 1, kNodeOut = 2, kNodeName = 3, kNodeOp = 4, kNodeAttr = 5, kNodeDomain = 7 };
enum : uint32_t { kAttrName = 1, kAttrF = 2, kAttrI = 3, kAttrG = 6, kAttrType = 20, kAttrRef = 21 };
enum : uint32_t { kTDims = 1, kTType = 2, kTFloat = 4, kTInt32 = 5, kTName = 8, kTRaw = 9, kTLoc = 14 };

Proto relu_node() { return Proto().s(kNodeIn, "x").s(kNodeOut, "y").s(kNodeName, "r").s(kNodeOp, "Relu"); }

Proto float_value_info(const std::string& name) {
  Proto tensor_type = Proto().i(1, 1);
  return Proto().s(1, name).m(2, Proto().m(1, tensor_type));
}

Proto model_with(const Proto& graph, int64_t opset = 13) {
  return Proto().i(1, 7).m(kModelOpset, Proto().s(kOpsetDomain, "").i(kOpsetVersion, opset)).m(kModelGraph, graph);
}

Proto relu_graph_with(const Proto& extra) {
  Proto g = Proto().m(kGraphNode, relu_node()).m(kGraphInput, float_value_info("x"))
                .m(kGraphOutput, float_value_info("y"));
  g.bytes += extra.bytes;
  return g;
}

Graph import(const Proto& model) {
  return import_onnx(reinterpret_cast<const uint8_t*>(model.bytes.data()), model.bytes.size(), "hand.onnx");
}

Tensor tensor(const Proto& t) {
  return parse_tensor_proto(reinterpret_cast<const uint8_t*>(t.bytes.data()), t.bytes.size(), "t.pb");
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const octet::Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("import reads the Conv+Relu+Gemm model the script wrote", "[onnx_import]") {
  Graph g = import_onnx_file(data_path("conv_relu_gemm.onnx"));
  REQUIRE(g.opset == 13);
  REQUIRE(g.producer == "octet-test");
  REQUIRE(g.name == "conv_relu_gemm");

  // W is listed among the inputs but is an initializer, so it is dropped.
  REQUIRE(g.inputs.size() == 1);
  const ValueInfo& x = g.inputs[0];
  REQUIRE(x.name == "x");
  REQUIRE(x.dtype == DType::Float32);
  REQUIRE(x.has_shape);
  REQUIRE(x.shape == Shape{-1, 3, 8, 8});
  REQUIRE(x.dim_params == std::vector<std::string>{"batch", "", "", ""});
  REQUIRE(g.outputs.size() == 1);
  REQUIRE(g.outputs[0].name == "y");
  REQUIRE(g.outputs[0].shape == Shape{-1, 5});
  REQUIRE(g.value_info.count("conv") == 1);
  REQUIRE(g.value_info.at("conv").shape == Shape{-1, 4, 4, 4});

  // The file lists the nodes shuffled; import sorts them.
  REQUIRE(g.nodes.size() == 4);
  REQUIRE(g.nodes[0].name == "conv1");
  REQUIRE(g.nodes[1].name == "relu1");
  REQUIRE(g.nodes[2].name == "reshape1");
  REQUIRE(g.nodes[3].name == "fc");

  const Node& conv = g.nodes[0];
  REQUIRE(conv.op_type == "Conv");
  REQUIRE(conv.domain.empty());
  REQUIRE(conv.inputs == std::vector<std::string>{"x", "W", "B"});
  REQUIRE(conv.outputs == std::vector<std::string>{"conv"});
  REQUIRE(conv.attr_ints("kernel_shape") == std::vector<int64_t>{3, 3});
  REQUIRE(conv.attr_ints("pads") == std::vector<int64_t>{1, 1, 1, 1});
  REQUIRE(conv.attr_ints("strides") == std::vector<int64_t>{2, 2});
  REQUIRE(conv.attr_int("group", 0) == 1);
  REQUIRE(conv.attr_string("auto_pad", "") == "NOTSET");
  const Node& fc = g.nodes[3];
  REQUIRE(fc.attr_float("alpha", 0) == 0.5f);
  REQUIRE(fc.attr_float("beta", 0) == 1.0f);
  REQUIRE(fc.attr_int("transB", 0) == 1);
  REQUIRE(fc.attrs.size() == 3);

  REQUIRE(g.initializers.size() == 5);
  const Tensor& w = g.initializers.at("W");  // raw_data
  REQUIRE(w.dtype() == DType::Float32);
  REQUIRE(w.shape() == Shape{4, 3, 3, 3});
  REQUIRE(values<float>(w) == ramp(108, 0.125, -6.0));
  const Tensor& b = g.initializers.at("B");  // float_data
  REQUIRE(b.shape() == Shape{4});
  REQUIRE(values<float>(b) == std::vector<float>{0.5f, -0.25f, 1.0f, 2.0f});
  const Tensor& shape = g.initializers.at("shape");  // int64_data
  REQUIRE(shape.dtype() == DType::Int64);
  REQUIRE(values<int64_t>(shape) == std::vector<int64_t>{-1, 64});
  const Tensor& gw = g.initializers.at("G");  // float_data, packed
  REQUIRE(gw.shape() == Shape{5, 64});
  REQUIRE(values<float>(gw) == ramp(320, 0.0625, -10.0));
  REQUIRE(values<float>(g.initializers.at("C")) == std::vector<float>{1, 2, 3, 4, 5});
}

TEST_CASE("import reads every supported dtype from typed fields and raw_data", "[onnx_import]") {
  Graph g = import_onnx_file(data_path("dtypes.onnx"));
  REQUIRE(g.opset == 11);  // declared for domain "ai.onnx"
  REQUIRE(g.inputs.empty());
  const auto& init = g.initializers;
  REQUIRE(values<int8_t>(init.at("i8")) == std::vector<int8_t>{-128, -1, 0, 127});
  REQUIRE(values<uint8_t>(init.at("u8")) == std::vector<uint8_t>{0, 1, 200, 255});
  REQUIRE(values<uint8_t>(init.at("u8_typed")) == std::vector<uint8_t>{7, 250});
  REQUIRE(values<bool>(init.at("b")) == std::vector<bool>{true, false, true});
  REQUIRE(values<bool>(init.at("b_raw")) == std::vector<bool>{true, false});
  REQUIRE(init.at("i32").shape() == Shape{2, 2});
  REQUIRE(values<int32_t>(init.at("i32")) == std::vector<int32_t>{INT32_MIN, -5, 6, INT32_MAX});
  REQUIRE(init.at("i32_raw").shape() == Shape{1, 2});
  REQUIRE(values<int32_t>(init.at("i32_raw")) == std::vector<int32_t>{-7, 8});
  REQUIRE(values<int64_t>(init.at("i64_raw")) == std::vector<int64_t>{-(int64_t(1) << 40), 3});
  REQUIRE(values<double>(init.at("d")) == std::vector<double>{0.1, -2.5});
  REQUIRE(init.at("scalar").shape().empty());
  REQUIRE(values<float>(init.at("scalar")) == std::vector<float>{3.5f});
  REQUIRE(init.at("empty").shape() == Shape{0, 3});
  REQUIRE(init.at("empty").numel() == 0);

  REQUIRE(g.nodes[0].domain.empty());  // "ai.onnx" is the default domain
  const Tensor& value = node_named(g, "const").attr_tensor("value");
  REQUIRE(value.shape() == Shape{2, 3});
  REQUIRE(values<float>(value) == ramp(6, 0.5, -1.0));

  const Node& attrs = node_named(g, "attrs");
  REQUIRE(attrs.attr_floats("floats") == std::vector<float>{1.5f, -2.0f});
  REQUIRE(attrs.attr_ints("ints") == std::vector<int64_t>{3, -4, 5});
  REQUIRE(attrs.attrs.at("strings").strings == std::vector<std::string>{"a", "bc"});
  REQUIRE(attrs.attr_float("f", 0) == 0.25f);
  REQUIRE(attrs.attr_int("i", 0) == -9);

  const ValueInfo& untyped = g.outputs.back();
  REQUIRE(untyped.name == "attrs_out");
  REQUIRE(untyped.dtype == DType::Undefined);
  REQUIRE_FALSE(untyped.has_shape);
  REQUIRE(g.outputs[0].dtype == DType::Int8);
  REQUIRE(g.outputs[0].shape == Shape{4});
}

TEST_CASE("a lone TensorProto file is read", "[onnx_import]") {
  Tensor t = read_tensor_proto_file(data_path("tensor_f32.pb"));
  REQUIRE(t.shape() == Shape{2, 3, 4});
  REQUIRE(values<float>(t) == ramp(24, 0.25, -3.0));
}

TEST_CASE("a missing file is an error naming the path", "[onnx_import]") {
  std::string missing = data_path("no_such_model.onnx");
  REQUIRE_THROWS_AS(import_onnx_file(missing), octet::FormatError);
  REQUIRE(error_of([&] { import_onnx_file(missing); }).find(missing) == 0);
  REQUIRE(error_of([&] { read_tensor_proto_file(missing); }).find(missing) == 0);
}

TEST_CASE("hand-made models import and fail where expected", "[onnx_import]") {
  REQUIRE(import(model_with(relu_graph_with(Proto()))).nodes.size() == 1);

  SECTION("no opset for the default domain") {
    Proto m = Proto().m(kModelOpset, Proto().s(kOpsetDomain, "com.x").i(kOpsetVersion, 1))
                  .m(kModelGraph, relu_graph_with(Proto()));
    REQUIRE(error_of([&] { import(m); }) == "hand.onnx: opset_import has no entry for the default ONNX domain");
  }
  SECTION("no graph") {
    REQUIRE(error_of([&] { import(Proto().i(1, 7)); }) == "hand.onnx: model has no graph");
  }
  SECTION("a node of another domain") {
    Proto n = relu_node().s(kNodeDomain, "com.example");
    Proto g2 = Proto().m(kGraphNode, n).m(kGraphInput, float_value_info("x")).m(kGraphOutput, float_value_info("y"));
    REQUIRE_THROWS_AS(import(model_with(g2)), octet::UnsupportedError);
    REQUIRE(error_of([&] { import(model_with(g2)); }) ==
            "hand.onnx: graph.node[0] 'r': operator 'Relu' of domain 'com.example' is not supported (only the "
            "default ONNX domain and com.microsoft are)");
  }
  SECTION("a com.microsoft node keeps its domain; running it is the engine's call") {
    Proto n = relu_node().s(kNodeDomain, "com.microsoft");
    Proto g2 = Proto().m(kGraphNode, n).m(kGraphInput, float_value_info("x")).m(kGraphOutput, float_value_info("y"));
    const octet::graph::Graph g = import(model_with(g2));
    REQUIRE(g.nodes.at(0).domain == "com.microsoft");
  }
  SECTION("a subgraph attribute") {
    Proto attr = Proto().s(kAttrName, "then_branch").m(kAttrG, Proto()).i(kAttrType, 5);
    Proto g = Proto().m(kGraphNode, relu_node().m(kNodeAttr, attr)).m(kGraphInput, float_value_info("x"))
                  .m(kGraphOutput, float_value_info("y"));
    REQUIRE_THROWS_AS(import(model_with(g)), octet::UnsupportedError);
    REQUIRE(error_of([&] { import(model_with(g)); }).find("subgraphs are not supported") != std::string::npos);
  }
  SECTION("a function attribute reference") {
    Proto attr = Proto().s(kAttrName, "alpha").s(kAttrRef, "a").i(kAttrType, 1);
    Proto g = Proto().m(kGraphNode, relu_node().m(kNodeAttr, attr)).m(kGraphInput, float_value_info("x"))
                  .m(kGraphOutput, float_value_info("y"));
    REQUIRE_THROWS_AS(import(model_with(g)), octet::UnsupportedError);
  }
  SECTION("an attribute with a truncated value names the attribute") {
    Proto attr = Proto().s(kAttrName, "pads").tag(kAttrI, 0);
    attr.bytes.push_back(char(0x80));
    Proto g = Proto().m(kGraphNode, relu_node().m(kNodeAttr, attr));
    std::string e = error_of([&] { import(model_with(g)); });
    REQUIRE(e.rfind("hand.onnx: graph.node[0] 'r'.attribute 'pads': truncated varint at byte ", 0) == 0);
  }
  SECTION("attributes without a type take the kind of their value (IR version 1)") {
    Proto attr = Proto().s(kAttrName, "alpha").f(kAttrF, 0.75f);
    Proto g = Proto().m(kGraphNode, relu_node().m(kNodeAttr, attr)).m(kGraphInput, float_value_info("x"))
                  .m(kGraphOutput, float_value_info("y"));
    REQUIRE(import(model_with(g)).nodes[0].attr_float("alpha", 0) == 0.75f);
  }
  SECTION("a sparse initializer") {
    REQUIRE_THROWS_AS(import(model_with(relu_graph_with(Proto().m(kGraphSparse, Proto())))), octet::UnsupportedError);
  }
  SECTION("a sequence-typed input is named") {
    Proto seq = Proto().s(1, "xs").m(2, Proto().m(4, Proto()));
    Proto g = relu_graph_with(Proto().m(kGraphInput, seq));
    REQUIRE_THROWS_AS(import(model_with(g)), octet::UnsupportedError);
    REQUIRE(error_of([&] { import(model_with(g)); }).find("'xs'") != std::string::npos);
  }
  SECTION("a float16 input is refused by name") {
    Proto v = Proto().s(1, "h").m(2, Proto().m(1, Proto().i(1, 10)));
    std::string e = error_of([&] { import(model_with(relu_graph_with(Proto().m(kGraphInput, v)))); });
    REQUIRE(e == "hand.onnx: graph.input[1] 'h': value 'h' has element type FLOAT16 (10), which is not supported");
  }
  SECTION("a node input nobody produces") {
    Proto g = Proto().m(kGraphNode, relu_node()).m(kGraphOutput, float_value_info("y"));
    REQUIRE_THROWS_AS(import(model_with(g)), octet::FormatError);
    REQUIRE(error_of([&] { import(model_with(g)); }).rfind("hand.onnx: graph: ", 0) == 0);
  }
  SECTION("duplicate initializers") {
    Proto t = Proto().i(kTType, 1).s(kTName, "w").f(kTFloat, 1.0f);
    REQUIRE_THROWS_AS(import(model_with(relu_graph_with(Proto().m(kGraphInit, t).m(kGraphInit, t)))),
                      octet::FormatError);
  }
}

TEST_CASE("TensorProto data is checked against dims and type", "[onnx_import]") {
  // dims [2], FLOAT, name "w", then data.
  Proto head = Proto().i(kTDims, 2).i(kTType, 1).s(kTName, "w");
  REQUIRE(values<float>(tensor(Proto(head).f(kTFloat, 1).f(kTFloat, 2))) == std::vector<float>{1, 2});
  REQUIRE(error_of([&] { tensor(Proto(head).f(kTFloat, 1)); }) == "t.pb: holds 1 values, expected 2 for dims [2]");
  REQUIRE(error_of([&] { tensor(Proto(head).s(kTRaw, std::string(7, '\0'))); }) ==
          "t.pb: raw_data has 7 bytes, expected 8 for float32 dims [2]");
  REQUIRE_THROWS_AS(tensor(Proto(head).s(kTRaw, std::string(8, '\0')).f(kTFloat, 1)), octet::FormatError);
  REQUIRE_THROWS_AS(tensor(Proto(head).i(kTInt32, 1).i(kTInt32, 2)), octet::FormatError);  // wrong field
  REQUIRE(error_of([&] { tensor(Proto().i(kTDims, -3).i(kTType, 1)); }) ==
          "t.pb: dims[0] is negative (-3)");
  REQUIRE_THROWS_AS(tensor(Proto().i(kTDims, int64_t(1) << 40).i(kTDims, int64_t(1) << 40).i(kTType, 1)),
                    octet::FormatError);
  // A huge shape with a small payload is refused before any allocation.
  REQUIRE_THROWS_AS(tensor(Proto().i(kTDims, int64_t(1) << 39).i(kTType, 1).s(kTRaw, "abcd")), octet::FormatError);
  // int8 held in int32_data must fit.
  REQUIRE(error_of([&] { tensor(Proto().i(kTDims, 1).i(kTType, 3).i(kTInt32, 200)); }) ==
          "t.pb: int32_data[0] = 200 is out of range for int8");
  REQUIRE(values<int8_t>(tensor(Proto().i(kTDims, 1).i(kTType, 3).i(kTInt32, -100))) == std::vector<int8_t>{-100});

  std::string f16 = error_of([&] { tensor(Proto().i(kTDims, 1).i(kTType, 10).s(kTName, "half").s(kTRaw, "ab")); });
  REQUIRE(f16 == "t.pb: tensor 'half' has data type FLOAT16 (10), which is not supported");
  REQUIRE_THROWS_AS(tensor(Proto().i(kTType, 8).s(6, "str")), octet::UnsupportedError);
  std::string ext = error_of([&] { tensor(Proto(head).i(kTLoc, 1)); });
  REQUIRE(ext.find("external data") != std::string::npos);
  REQUIRE_THROWS_AS(tensor(Proto(head).m(13, Proto().s(1, "location").s(2, "w.bin"))), octet::UnsupportedError);
}

namespace {

// True when import succeeds or throws octet::Error; false on anything else.
bool imports_or_fails_cleanly(const uint8_t* data, size_t size) {
  try {
    import_onnx(data, size, "fuzz.onnx");
  } catch (const octet::Error&) {
  } catch (...) {
    return false;
  }
  try {
    parse_tensor_proto(data, size, "fuzz.pb");
  } catch (const octet::Error&) {
  } catch (...) {
    return false;
  }
  return true;
}

}  // namespace

TEST_CASE("truncated, bit-flipped and random bytes give octet::Error or a graph", "[onnx_import]") {
  for (const char* name : {"conv_relu_gemm.onnx", "dtypes.onnx"}) {
    INFO(name);
    const std::vector<uint8_t> model = file_bytes(name);
    REQUIRE(imports_or_fails_cleanly(model.data(), model.size()));
    size_t bad = 0, first_bad = 0;
    for (size_t len = 0; len < model.size(); ++len) {
      // A copy of exactly `len` bytes, so a sanitizer sees reads past the end.
      std::vector<uint8_t> cut(model.begin(), model.begin() + len);
      if (!imports_or_fails_cleanly(cut.data(), cut.size()) && bad++ == 0) first_bad = len;
    }
    INFO("truncated at " << first_bad);
    REQUIRE(bad == 0);
    std::vector<uint8_t> flipped = model;
    for (size_t bit = 0; bit < model.size() * 8; ++bit) {
      flipped[bit / 8] ^= uint8_t(1u << (bit % 8));
      if (!imports_or_fails_cleanly(flipped.data(), flipped.size()) && bad++ == 0) first_bad = bit;
      flipped[bit / 8] ^= uint8_t(1u << (bit % 8));
    }
    INFO("bit flipped " << first_bad);
    REQUIRE(bad == 0);
    std::mt19937 rng(1234);
    for (int round = 0; round < 3000; ++round) {
      std::vector<uint8_t> mutated = model;
      int edits = 1 + int(rng() % 8);
      for (int e = 0; e < edits; ++e) mutated[rng() % mutated.size()] = uint8_t(rng());
      if (!imports_or_fails_cleanly(mutated.data(), mutated.size()) && bad++ == 0) first_bad = size_t(round);
    }
    INFO("mutation round " << first_bad);
    REQUIRE(bad == 0);
  }
  std::mt19937 rng(42);
  size_t bad = 0;
  for (int round = 0; round < 3000; ++round) {
    std::vector<uint8_t> noise(rng() % 600);
    for (auto& b : noise) b = uint8_t(rng());
    if (!imports_or_fails_cleanly(noise.data(), noise.size())) ++bad;
  }
  REQUIRE(bad == 0);
}
