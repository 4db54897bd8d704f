#include "graph/onnx_export.h"

#include <cstring>

#include "graph/error.h"
#include "graph/file_io.h"
#include "graph/onnx_fields.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ONNX export assumes a little-endian host"
#endif

namespace octet::graph {

namespace {

using namespace onnx_fields;

// The protobuf wire format, enough for ONNX: varints, fixed32 floats and
// length-delimited fields (strings, bytes, nested messages).
class Writer {
 public:
  std::vector<uint8_t> bytes;

  void varint(uint64_t v) {
    while (v >= 0x80) {
      bytes.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    bytes.push_back(static_cast<uint8_t>(v));
  }
  void tag(uint32_t field, int wire) { varint((static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(wire)); }
  void int_field(uint32_t field, int64_t v) {
    tag(field, 0);
    varint(static_cast<uint64_t>(v));  // negative int64 as ten bytes, as protobuf does
  }
  void float_field(uint32_t field, float v) {
    tag(field, 5);
    uint8_t b[4];
    std::memcpy(b, &v, 4);
    bytes.insert(bytes.end(), b, b + 4);
  }
  void bytes_field(uint32_t field, const void* data, size_t n) {
    tag(field, 2);
    varint(n);
    const auto* p = static_cast<const uint8_t*>(data);
    bytes.insert(bytes.end(), p, p + n);
  }
  void string_field(uint32_t field, const std::string& s) { bytes_field(field, s.data(), s.size()); }
  void message_field(uint32_t field, const Writer& m) { bytes_field(field, m.bytes.data(), m.bytes.size()); }
};

int32_t checked_onnx_dtype(DType t, const std::string& what) {
  const int32_t code = onnx_dtype(t);
  if (code == 0) throw UnsupportedError("ONNX export: " + what + " has no ONNX type");
  return code;
}

Writer tensor_proto(const std::string& name, const Tensor& t) {
  Writer w;
  for (int64_t d : t.shape()) w.int_field(tensor_field::dims, d);
  w.int_field(tensor_field::data_type, checked_onnx_dtype(t.dtype(), "tensor '" + name + "'"));
  w.string_field(tensor_field::name, name);
  w.bytes_field(tensor_field::raw_data, t.raw(), t.nbytes());
  return w;
}

Writer attribute_proto(const std::string& name, const Attribute& a) {
  Writer w;
  w.string_field(attr_field::name, name);
  switch (a.kind) {
    case Attribute::Kind::Float:
      w.float_field(attr_field::f, a.f);
      w.int_field(attr_field::type, kFloat);
      break;
    case Attribute::Kind::Int:
      w.int_field(attr_field::i, a.i);
      w.int_field(attr_field::type, kInt);
      break;
    case Attribute::Kind::String:
      w.string_field(attr_field::s, a.s);
      w.int_field(attr_field::type, kString);
      break;
    case Attribute::Kind::Tensor:
      w.message_field(attr_field::t, tensor_proto("", a.t));
      w.int_field(attr_field::type, kTensor);
      break;
    case Attribute::Kind::Floats:
      for (float f : a.floats) w.float_field(attr_field::floats, f);
      w.int_field(attr_field::type, kFloats);
      break;
    case Attribute::Kind::Ints:
      for (int64_t i : a.ints) w.int_field(attr_field::ints, i);
      w.int_field(attr_field::type, kInts);
      break;
    case Attribute::Kind::Strings:
      for (const auto& s : a.strings) w.string_field(attr_field::strings, s);
      w.int_field(attr_field::type, kStrings);
      break;
  }
  return w;
}

Writer node_proto(const Node& n) {
  Writer w;
  for (const auto& in : n.inputs) w.string_field(node_field::input, in);
  for (const auto& out : n.outputs) w.string_field(node_field::output, out);
  w.string_field(node_field::name, n.name);
  w.string_field(node_field::op_type, n.op_type);
  for (const auto& kv : n.attrs) w.message_field(node_field::attribute, attribute_proto(kv.first, kv.second));
  if (!n.domain.empty()) w.string_field(node_field::domain, n.domain);
  return w;
}

Writer value_info_proto(const ValueInfo& v) {
  Writer shape;
  if (v.has_shape)
    for (size_t i = 0; i < v.shape.size(); ++i) {
      Writer dim;
      if (v.shape[i] >= 0)
        dim.int_field(dim_field::dim_value, v.shape[i]);
      else if (i < v.dim_params.size() && !v.dim_params[i].empty())
        dim.string_field(dim_field::dim_param, v.dim_params[i]);
      shape.message_field(shape_field::dim, dim);
    }
  Writer tensor_type;
  tensor_type.int_field(tensor_type_field::elem_type, checked_onnx_dtype(v.dtype, "value '" + v.name + "'"));
  if (v.has_shape) tensor_type.message_field(tensor_type_field::shape, shape);
  Writer type;
  type.message_field(type_field::tensor_type, tensor_type);
  Writer w;
  w.string_field(value_info_field::name, v.name);
  w.message_field(value_info_field::type, type);
  return w;
}

Writer graph_proto(const Graph& g) {
  Writer w;
  for (const auto& n : g.nodes) w.message_field(graph_field::node, node_proto(n));
  w.string_field(graph_field::name, g.name.empty() ? "octet" : g.name);
  for (const auto& kv : g.initializers) w.message_field(graph_field::initializer, tensor_proto(kv.first, kv.second));
  for (const auto& v : g.inputs) w.message_field(graph_field::input, value_info_proto(v));
  for (const auto& v : g.outputs) w.message_field(graph_field::output, value_info_proto(v));
  return w;
}

Writer opset(const std::string& domain, int64_t version) {
  Writer w;
  if (!domain.empty()) w.string_field(opset_field::domain, domain);
  w.int_field(opset_field::version, version);
  return w;
}

bool uses_domain(const Graph& g, const std::string& domain) {
  for (const auto& n : g.nodes)
    if (n.domain == domain) return true;
  return false;
}

}  // namespace

std::vector<uint8_t> export_onnx(const Graph& g) {
  Writer model;
  model.int_field(model_field::ir_version, kOnnxIrVersion);
  model.string_field(model_field::producer_name, "octet");
  model.message_field(model_field::graph, graph_proto(g));
  model.message_field(model_field::opset_import, opset("", g.opset > 0 ? g.opset : 13));
  if (uses_domain(g, kMicrosoftDomain)) model.message_field(model_field::opset_import, opset(kMicrosoftDomain, 1));
  return std::move(model.bytes);
}

void save_onnx(const Graph& g, const std::string& path) {
  const std::vector<uint8_t> bytes = export_onnx(g);
  AtomicFile f(path);
  f.write(bytes.data(), bytes.size());
  f.commit();
}

}  // namespace octet::graph
