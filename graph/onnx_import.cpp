#include "graph/onnx_import.h"

#include <cstring>
#include <set>
#include <utility>
#include <vector>

#include "graph/error.h"
#include "graph/file_io.h"
#include "graph/onnx_fields.h"
#include "graph/protobuf_reader.h"

// Tensor payloads (raw_data) are little-endian in ONNX and copied as they are.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ONNX import assumes a little-endian host"
#endif

namespace octet::graph {

namespace {

using namespace onnx_fields;

using protobuf::Location;
using protobuf::Reader;

const char* onnx_type_name(int32_t t) {
  static const char* const names[] = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32",
                                      "INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64",
                                      "COMPLEX64", "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN",
                                      "FLOAT8E4M3FNUZ", "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4"};
  return t >= 0 && t < int32_t(sizeof names / sizeof names[0]) ? names[t] : "unknown";
}

std::string type_str(int32_t t) { return std::string(onnx_type_name(t)) + " (" + std::to_string(t) + ")"; }

[[noreturn]] void unsupported(const Location& where, const std::string& message) {
  throw UnsupportedError(where.str() + ": " + message);
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// ---- TensorProto ----

// The fields of a TensorProto as read; turned into a Tensor once the whole
// message is seen, because protobuf allows fields in any order.
struct TensorFields {
  std::string name;
  std::vector<int64_t> dims;
  int32_t data_type = 0;
  bool has_raw = false;
  const uint8_t* raw = nullptr;
  size_t raw_size = 0;
  std::vector<float> float_data;
  std::vector<int32_t> int32_data;
  std::vector<int64_t> int64_data;
  std::vector<double> double_data;
  size_t other_values = 0;  // string_data, uint64_data: types Octet lacks
  bool external = false;
  bool segmented = false;
};

void read_tensor_fields(Reader r, TensorFields& t) {
  using namespace tensor_field;
  size_t ignored = 0;
  while (r.next()) {
    switch (r.number()) {
      case dims: r.append_int64("dims", t.dims); break;
      case data_type: t.data_type = r.int32("data_type"); break;
      case segment: t.segmented = true; break;
      case float_data: r.append_float32("float_data", t.float_data); break;
      case int32_data: r.append_int32("int32_data", t.int32_data); break;
      case string_data:
        r.bytes("string_data", &ignored);
        ++t.other_values;
        break;
      case int64_data: r.append_int64("int64_data", t.int64_data); break;
      case name: t.name = r.string("name"); break;
      case raw_data:
        t.raw = r.bytes("raw_data", &t.raw_size);
        t.has_raw = true;
        break;
      case double_data: r.append_float64("double_data", t.double_data); break;
      case uint64_data: t.other_values += r.count_varints("uint64_data"); break;
      case external_data:
        r.bytes("external_data", &ignored);
        t.external = true;
        break;
      case data_location:
        if (r.int32("data_location") != 0) t.external = true;
        break;
      default: break;
    }
  }
}

int64_t checked_numel(const std::vector<int64_t>& dims, const Location& where) {
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i] < 0) fail(where, "dims[" + std::to_string(i) + "] is negative (" + std::to_string(dims[i]) + ")");
  try {
    return shape_numel(dims);
  } catch (const FormatError& e) {
    fail(where, e.what());
  }
}

// How many typed values a tensor holds in fields other than `allowed`.
size_t values_outside(const TensorFields& t, const void* allowed) {
  size_t n = t.other_values;
  if (&t.float_data != allowed) n += t.float_data.size();
  if (&t.int32_data != allowed) n += t.int32_data.size();
  if (&t.int64_data != allowed) n += t.int64_data.size();
  if (&t.double_data != allowed) n += t.double_data.size();
  return n;
}

template <class Dst, class Src>
void copy_values(const std::vector<Src>& src, Tensor& out, const Location& where, const char* field) {
  if (static_cast<int64_t>(src.size()) != out.numel())
    fail(where, std::string(field) + " has " + std::to_string(src.size()) + " values, expected " +
                    std::to_string(out.numel()) + " for dims " + shape_str(out.shape()));
  Dst* d = out.data<Dst>();
  for (size_t i = 0; i < src.size(); ++i) d[i] = static_cast<Dst>(src[i]);
}

// int8, uint8 and bool tensors arrive widened to int32; a value that does
// not fit the element type is a corrupt file, not something to wrap.
template <class Dst>
void copy_narrowed(const std::vector<int32_t>& src, Tensor& out, const Location& where, int32_t lo, int32_t hi) {
  for (size_t i = 0; i < src.size(); ++i)
    if (src[i] < lo || src[i] > hi)
      fail(where, "int32_data[" + std::to_string(i) + "] = " + std::to_string(src[i]) + " is out of range for " +
                      dtype_name(out.dtype()));
  copy_values<Dst>(src, out, where, "int32_data");
}

// The caller has checked that raw_size is out.nbytes().
void fill_from_raw(const TensorFields& t, Tensor& out) {
  if (t.raw_size) std::memcpy(out.raw(), t.raw, t.raw_size);
  if (out.dtype() == DType::Bool) {
    // Any other byte in a bool is undefined behaviour when read as bool.
    auto* b = static_cast<uint8_t*>(out.raw());
    for (size_t i = 0; i < t.raw_size; ++i) b[i] = b[i] != 0;
  }
}

void fill_from_typed(const TensorFields& t, Tensor& out, const Location& where) {
  const void* field = nullptr;
  switch (out.dtype()) {
    case DType::Float32: field = &t.float_data; break;
    case DType::Float64: field = &t.double_data; break;
    case DType::Int64: field = &t.int64_data; break;
    default: field = &t.int32_data; break;
  }
  if (values_outside(t, field))
    fail(where, std::string("holds values in a field that does not match its type ") + dtype_name(out.dtype()));
  switch (out.dtype()) {
    case DType::Float32: copy_values<float>(t.float_data, out, where, "float_data"); break;
    case DType::Float64: copy_values<double>(t.double_data, out, where, "double_data"); break;
    case DType::Int64: copy_values<int64_t>(t.int64_data, out, where, "int64_data"); break;
    case DType::Int32: copy_values<int32_t>(t.int32_data, out, where, "int32_data"); break;
    case DType::Int8: copy_narrowed<int8_t>(t.int32_data, out, where, -128, 127); break;
    case DType::UInt8: copy_narrowed<uint8_t>(t.int32_data, out, where, 0, 255); break;
    case DType::Bool: copy_narrowed<bool>(t.int32_data, out, where, 0, 1); break;
    case DType::Undefined: break;
  }
}

Tensor make_tensor(const TensorFields& t, const Location& where) {
  if (t.external) unsupported(where, "external data is not supported (tensor " + quoted(t.name) + ")");
  if (t.segmented) unsupported(where, "segmented tensors are not supported (tensor " + quoted(t.name) + ")");
  const DType dtype = dtype_from_onnx(t.data_type);
  if (dtype == DType::Undefined)
    unsupported(where, "tensor " + quoted(t.name) + " has data type " + type_str(t.data_type) +
                           ", which is not supported");
  const int64_t numel = checked_numel(t.dims, where);
  const size_t typed_values = values_outside(t, nullptr);
  if (t.has_raw && typed_values) fail(where, "has both raw_data and typed data fields");
  // Size checks come before the allocation, so a file cannot ask for more
  // memory than a small multiple of its own size.
  if (t.has_raw) {
    if (static_cast<uint64_t>(numel) * dtype_size(dtype) != t.raw_size)
      fail(where, "raw_data has " + std::to_string(t.raw_size) + " bytes, expected " +
                      std::to_string(static_cast<uint64_t>(numel) * dtype_size(dtype)) + " for " +
                      dtype_name(dtype) + " dims " + shape_str(t.dims));
  } else if (static_cast<uint64_t>(numel) != typed_values) {
    fail(where, "holds " + std::to_string(typed_values) + " values, expected " + std::to_string(numel) +
                    " for dims " + shape_str(t.dims));
  }
  Tensor out(dtype, t.dims);
  if (t.has_raw)
    fill_from_raw(t, out);
  else
    fill_from_typed(t, out, where);
  return out;
}

// ---- ValueInfoProto ----

struct TypeFields {
  bool tensor = false;
  const char* other_kind = nullptr;  // "sequence", "map", ... when not a tensor
  int32_t elem_type = 0;
  bool has_shape = false;
  Shape shape;
  std::vector<std::string> dim_params;
};

void read_dim(Reader r, TypeFields& type) {
  int64_t value = -1;
  std::string param;
  while (r.next()) {
    if (r.number() == dim_field::dim_value) {
      value = r.int64("dim_value");
      if (value < 0) fail(r.where(), "negative dim_value " + std::to_string(value));
      param.clear();
    } else if (r.number() == dim_field::dim_param) {
      param = r.string("dim_param");
      value = -1;
    }
  }
  type.shape.push_back(value);
  type.dim_params.push_back(param);
}

void read_shape(Reader r, TypeFields& type) {
  type.has_shape = true;
  while (r.next()) {
    if (r.number() != shape_field::dim) continue;
    Location where(r.where(), "dim[" + std::to_string(type.shape.size()) + "]");
    read_dim(r.message("dim", where), type);
  }
}

void read_tensor_type(Reader r, TypeFields& type) {
  type.tensor = true;
  while (r.next()) {
    if (r.number() == tensor_type_field::elem_type) {
      type.elem_type = r.int32("elem_type");
    } else if (r.number() == tensor_type_field::shape) {
      Location where(r.where(), "shape");
      read_shape(r.message("shape", where), type);
    }
  }
}

void read_type(Reader r, TypeFields& type) {
  using namespace type_field;
  while (r.next()) {
    switch (r.number()) {
      case tensor_type: {
        Location where(r.where(), "tensor_type");
        read_tensor_type(r.message("tensor_type", where), type);
        break;
      }
      // The other kinds are refused once the value's name is known, without
      // descending into them.
      case sequence_type: type.other_kind = "a sequence"; break;
      case map_type: type.other_kind = "a map"; break;
      case opaque_type: type.other_kind = "an opaque value"; break;
      case sparse_tensor_type: type.other_kind = "a sparse tensor"; break;
      case optional_type: type.other_kind = "an optional"; break;
      default: break;
    }
  }
}

// `where` is relabelled with the value's name once it is read.
ValueInfo read_value_info(Reader r, Location& where) {
  const std::string label = where.label;
  ValueInfo v;
  TypeFields type;
  bool has_type = false;
  while (r.next()) {
    if (r.number() == value_info_field::name) {
      v.name = r.string("name");
      where.label = label + " " + quoted(v.name);
    } else if (r.number() == value_info_field::type) {
      Location type_where(where, "type");
      read_type(r.message("type", type_where), type);
      has_type = true;
    }
  }
  if (v.name.empty()) fail(where, "value has no name");
  if (!has_type) return v;  // ONNX allows untyped values; nothing is known
  if (type.other_kind) unsupported(where, "value " + quoted(v.name) + " is " + type.other_kind + ", not a tensor; only tensors are supported");
  if (!type.tensor) return v;
  v.dtype = dtype_from_onnx(type.elem_type);
  if (v.dtype == DType::Undefined && type.elem_type != 0)
    unsupported(where, "value " + quoted(v.name) + " has element type " + type_str(type.elem_type) +
                           ", which is not supported");
  v.has_shape = type.has_shape;
  v.shape = std::move(type.shape);
  v.dim_params = std::move(type.dim_params);
  return v;
}

// ---- AttributeProto ----

struct AttrFields {
  std::string name;
  int32_t type = kUndefined;
  std::string ref_attr_name;
  bool has_f = false, has_i = false, has_s = false, has_t = false;
  bool has_graph = false;
  int32_t other_type = kUndefined;  // a value kind Octet refuses, as an AttrType
  Attribute value;
  TensorFields t;
};

void read_attr_fields(Reader r, AttrFields& a, Location& where) {
  using namespace attr_field;
  while (r.next()) {
    switch (r.number()) {
      case name:
        a.name = r.string("name");
        where.label = "attribute " + quoted(a.name);
        break;
      case f:
        a.value.f = r.float32("f");
        a.has_f = true;
        break;
      case i:
        a.value.i = r.int64("i");
        a.has_i = true;
        break;
      case s:
        a.value.s = r.string("s");
        a.has_s = true;
        break;
      case t: {
        Location t_where(where, "t");
        read_tensor_fields(r.message("t", t_where), a.t);
        a.has_t = true;
        break;
      }
      case g:
      case graphs: a.has_graph = true; break;
      case floats: r.append_float32("floats", a.value.floats); break;
      case ints: r.append_int64("ints", a.value.ints); break;
      case strings: a.value.strings.push_back(r.string("strings")); break;
      case tensors: a.other_type = kTensors; break;
      case sparse_tensor: a.other_type = kSparseTensor; break;
      case sparse_tensors: a.other_type = kSparseTensors; break;
      case tp: a.other_type = kTypeProto; break;
      case type_protos: a.other_type = kTypeProtos; break;
      case type: a.type = r.int32("type"); break;
      case ref_attr_name: a.ref_attr_name = r.string("ref_attr_name"); break;
      default: break;
    }
  }
}

// Files from IR versions 1 and 2 may leave `type` unset; the kind is then the
// field that holds a value.
int32_t infer_attr_type(const AttrFields& a) {
  if (!a.value.floats.empty()) return kFloats;
  if (!a.value.ints.empty()) return kInts;
  if (!a.value.strings.empty()) return kStrings;
  if (a.has_t) return kTensor;
  if (a.has_s) return kString;
  if (a.has_f) return kFloat;
  if (a.has_i) return kInt;
  return kUndefined;
}

std::pair<std::string, Attribute> read_attribute(Reader r, Location& where) {
  AttrFields a;
  read_attr_fields(r, a, where);
  if (a.name.empty()) fail(where, "attribute has no name");
  if (!a.ref_attr_name.empty())
    unsupported(where, "refers to function attribute " + quoted(a.ref_attr_name) +
                           "; function attributes are not supported");
  if (a.has_graph || a.type == kGraph || a.type == kGraphs)
    unsupported(where, "subgraphs are not supported (attribute " + quoted(a.name) + ")");
  if (a.other_type != kUndefined && a.type == kUndefined) a.type = a.other_type;
  const int32_t type = a.type == kUndefined ? infer_attr_type(a) : a.type;
  Attribute& v = a.value;
  switch (type) {
    case kFloat: v.kind = Attribute::Kind::Float; break;
    case kInt: v.kind = Attribute::Kind::Int; break;
    case kString: v.kind = Attribute::Kind::String; break;
    case kFloats: v.kind = Attribute::Kind::Floats; break;
    case kInts: v.kind = Attribute::Kind::Ints; break;
    case kStrings: v.kind = Attribute::Kind::Strings; break;
    case kTensor: {
      if (!a.has_t) fail(where, "TENSOR attribute has no tensor");
      v.kind = Attribute::Kind::Tensor;
      Location t_where(where, "t");
      v.t = make_tensor(a.t, t_where);
      break;
    }
    case kUndefined: fail(where, "attribute has no type and no value");
    case kTensors: unsupported(where, "attributes of type TENSORS are not supported");
    case kSparseTensor:
    case kSparseTensors: unsupported(where, "sparse tensor attributes are not supported");
    case kTypeProto:
    case kTypeProtos: unsupported(where, "type attributes are not supported");
    default: fail(where, "unknown attribute type " + std::to_string(type));
  }
  return {a.name, std::move(v)};
}

// ---- NodeProto ----

bool is_default_domain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

Node read_node(Reader r, Location& where) {
  using namespace node_field;
  const std::string label = where.label;
  Node n;
  while (r.next()) {
    switch (r.number()) {
      case input: n.inputs.push_back(r.string("input")); break;
      case output: n.outputs.push_back(r.string("output")); break;
      case name:
        n.name = r.string("name");
        where.label = n.name.empty() ? label : label + " " + quoted(n.name);
        break;
      case op_type: n.op_type = r.string("op_type"); break;
      case domain: n.domain = r.string("domain"); break;
      case attribute: {
        Location attr_where(where, "attribute[" + std::to_string(n.attrs.size()) + "]");
        auto kv = read_attribute(r.message("attribute", attr_where), attr_where);
        if (!n.attrs.emplace(std::move(kv.first), std::move(kv.second)).second)
          fail(attr_where, "attribute appears twice");
        break;
      }
      default: break;
    }
  }
  if (n.op_type.empty()) fail(where, "node has no op_type");
  // ONNX Runtime's contrib domain holds the quantized ops (QLinearAdd,
  // QGemm, ...) that Octet's own INT8 models and ORT's QOperator models use;
  // whether Octet runs a given one is shape inference's call.
  if (is_default_domain(n.domain))
    n.domain.clear();
  else if (n.domain != kMicrosoftDomain)
    unsupported(where, "operator " + quoted(n.op_type) + " of domain " + quoted(n.domain) +
                           " is not supported (only the default ONNX domain and com.microsoft are)");
  return n;
}

// ---- GraphProto and ModelProto ----

struct GraphFields {
  Graph graph;
  std::vector<ValueInfo> inputs;  // as listed, before initializers are removed
  size_t initializer_count = 0;
};

void add_initializer(Reader r, GraphFields& gf, const Location& parent) {
  Location where(parent, "initializer[" + std::to_string(gf.initializer_count++) + "]");
  TensorFields t;
  read_tensor_fields(r.message("initializer", where), t);
  if (t.name.empty()) fail(where, "initializer has no name");
  where.label += " " + quoted(t.name);
  Tensor value = make_tensor(t, where);
  if (!gf.graph.initializers.emplace(t.name, std::move(value)).second)
    fail(where, "initializer name " + quoted(t.name) + " appears twice");
}

ValueInfo value_info_at(const Reader& r, const char* field, size_t index, const Location& parent) {
  Location where(parent, std::string(field) + "[" + std::to_string(index) + "]");
  return read_value_info(r.message(field, where), where);
}

void read_graph(Reader r, GraphFields& gf) {
  using namespace graph_field;
  Graph& g = gf.graph;
  const Location& here = r.where();
  while (r.next()) {
    switch (r.number()) {
      case node: {
        Location where(here, "node[" + std::to_string(g.nodes.size()) + "]");
        g.nodes.push_back(read_node(r.message("node", where), where));
        break;
      }
      case name: g.name = r.string("name"); break;
      case initializer: add_initializer(r, gf, here); break;
      case sparse_initializer: unsupported(here, "sparse initializers are not supported");
      case input: gf.inputs.push_back(value_info_at(r, "input", gf.inputs.size(), here)); break;
      case output: g.outputs.push_back(value_info_at(r, "output", g.outputs.size(), here)); break;
      case value_info: {
        ValueInfo v = value_info_at(r, "value_info", g.value_info.size(), here);
        std::string key = v.name;
        g.value_info[key] = std::move(v);
        break;
      }
      default: break;
    }
  }
}

// Old exporters list weights among the graph inputs; they are not inputs a
// caller feeds, so they are dropped.
void keep_real_inputs(GraphFields& gf, const Location& where) {
  std::set<std::string> seen;
  for (auto& v : gf.inputs) {
    if (!seen.insert(v.name).second) fail(where, "graph input " + quoted(v.name) + " appears twice");
    if (!gf.graph.is_initializer(v.name)) gf.graph.inputs.push_back(std::move(v));
  }
}

int64_t read_opset(Reader r, bool* is_default) {
  std::string domain;
  int64_t version = 0;
  while (r.next()) {
    if (r.number() == opset_field::domain) domain = r.string("domain");
    else if (r.number() == opset_field::version) version = r.int64("version");
  }
  *is_default = is_default_domain(domain);
  return version;
}

Graph read_model(Reader r, const Location& root) {
  using namespace model_field;
  GraphFields gf;
  bool has_graph = false;
  int64_t opset = -1;
  size_t opset_count = 0;
  Location graph_where(root, "graph");
  while (r.next()) {
    switch (r.number()) {
      case ir_version: r.int64("ir_version"); break;
      case producer_name: gf.graph.producer = r.string("producer_name"); break;
      case graph:
        read_graph(r.message("graph", graph_where), gf);
        has_graph = true;
        break;
      case opset_import: {
        Location where(root, "opset_import[" + std::to_string(opset_count++) + "]");
        bool is_default = false;
        int64_t version = read_opset(r.message("opset_import", where), &is_default);
        if (is_default) opset = version;
        break;
      }
      default: break;
    }
  }
  if (!has_graph) fail(root, "model has no graph");
  if (opset < 0) fail(root, "opset_import has no entry for the default ONNX domain");
  if (opset < 1) fail(root, "invalid opset version " + std::to_string(opset) + " for the default ONNX domain");
  gf.graph.opset = opset;
  keep_real_inputs(gf, graph_where);
  for (const auto& out : gf.graph.outputs)
    if (out.name.empty()) fail(graph_where, "graph output has no name");
  try {
    topological_sort(gf.graph);
  } catch (const FormatError& e) {
    fail(graph_where, e.what());
  }
  return std::move(gf.graph);
}

}  // namespace

Graph import_onnx(const uint8_t* data, size_t size, const std::string& source) {
  Location root(source);
  return read_model(Reader(data, size, root), root);
}

Graph import_onnx_file(const std::string& path) {
  std::vector<uint8_t> bytes = read_file(path);
  return import_onnx(bytes.data(), bytes.size(), path);
}

Tensor parse_tensor_proto(const uint8_t* data, size_t size, const std::string& source) {
  Location root(source);
  TensorFields t;
  read_tensor_fields(Reader(data, size, root), t);
  return make_tensor(t, root);
}

Tensor read_tensor_proto_file(const std::string& path) {
  std::vector<uint8_t> bytes = read_file(path);
  return parse_tensor_proto(bytes.data(), bytes.size(), path);
}

}  // namespace octet::graph
