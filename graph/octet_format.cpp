#include "graph/octet_format.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <utility>

#include "graph/error.h"
#include "graph/file_io.h"
#include "graph/quant_scales.h"

namespace octet::graph {

namespace {

constexpr char kMagic[8] = {'O', 'C', 'T', 'E', 'T', 0, 0, 0};
constexpr uint64_t kHeaderSize = 64;
constexpr uint64_t kAlign = 64;
constexpr uint32_t kRoleInitializer = 0;
constexpr uint32_t kRoleAttribute = 1;
constexpr uint32_t kLastDType = static_cast<uint32_t>(DType::Bool);
constexpr uint32_t kLastKind = static_cast<uint32_t>(Attribute::Kind::Strings);

uint64_t align_up(uint64_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

// Per-channel qparams run along `axis` with one scale per slice; per-tensor
// ones have a single scale. Scales are finite and not negative (0 is a
// pruned channel), and an 8-bit tensor's zero points lie in its type's
// range. Checked on save too, so no file we write is refused on load.
std::string qparams_problem(const QParams& q, DType dtype, const Shape& shape) {
  if (q.scale.empty() && q.zero_point.empty()) return "";
  if (q.scale.empty()) return "zero points without scales";
  if (!q.zero_point.empty() && q.zero_point.size() != q.scale.size())
    return std::to_string(q.zero_point.size()) + " zero points for " + std::to_string(q.scale.size()) + " scales";
  for (float s : q.scale)
    if (!scale_is_valid(s, false)) return "scale " + std::to_string(s) + " must be finite and not negative";
  const bool u8 = dtype == DType::UInt8, s8 = dtype == DType::Int8;
  for (int32_t z : q.zero_point)
    if ((u8 && (z < 0 || z > 255)) || (s8 && (z < -128 || z > 127)))
      return "zero point " + std::to_string(z) + " is outside " + dtype_name(dtype);
  if (q.scale.size() == 1) return "";
  if (q.axis < 0 || static_cast<size_t>(q.axis) >= shape.size())
    return "axis " + std::to_string(q.axis) + " out of range for shape " + shape_str(shape);
  if (shape[static_cast<size_t>(q.axis)] != static_cast<int64_t>(q.scale.size()))
    return std::to_string(q.scale.size()) + " scales along axis " + std::to_string(q.axis) + " of shape " +
           shape_str(shape);
  return "";
}

// ---------------------------------------------------------------- writing

class Writer {
 public:
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void i32(int32_t v) { put(static_cast<uint32_t>(v), 4); }
  void i64(int64_t v) { put(static_cast<uint64_t>(v), 8); }
  void f32(float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    put(bits, 4);
  }
  void bytes(const void* p, size_t n) {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  void pad_to(size_t size) { out_.resize(size, 0); }
  std::vector<uint8_t>& out() { return out_; }

 private:
  void put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> out_;
};

struct SavedTensor {
  std::string name;
  uint32_t role;
  const Tensor* tensor;
  uint64_t offset;
};

// Builds the meta section: strings are interned and tensors registered while
// the graph and tensor records are written, so the string table is emitted
// last and spliced in front.
class Encoder {
 public:
  explicit Encoder(const std::string& path) : path_(path) {}

  std::vector<uint8_t> meta(const Graph& g) {
    for (const auto& [name, t] : g.initializers) add_tensor(name, kRoleInitializer, t);
    Writer graph;
    write_graph(graph, g);
    Writer tensors;
    tensors.u64(tensors_.size());
    for (const SavedTensor& t : tensors_) write_tensor(tensors, t);
    Writer out;  // every string is interned by now
    out.u64(strings_.size());
    for (const std::string* s : string_list_) {
      out.u64(s->size());
      out.bytes(s->data(), s->size());
    }
    out.bytes(tensors.out().data(), tensors.out().size());
    out.bytes(graph.out().data(), graph.out().size());
    return std::move(out.out());
  }
  const std::vector<SavedTensor>& tensors() const { return tensors_; }
  uint64_t data_size() const { return data_end_; }

 private:
  uint32_t str(const std::string& s) {
    auto [it, fresh] = strings_.emplace(s, static_cast<uint32_t>(strings_.size()));
    if (fresh) string_list_.push_back(&it->first);
    return it->second;
  }

  uint32_t add_tensor(const std::string& name, uint32_t role, const Tensor& t) {
    if (t.empty()) throw Error("cannot save " + path_ + ": tensor '" + name + "' is empty");
    std::string problem = qparams_problem(t.qparams, t.dtype(), t.shape());
    if (!problem.empty()) throw Error("cannot save " + path_ + ": tensor '" + name + "' qparams: " + problem);
    tensors_.push_back({name, role, &t, data_end_});
    data_end_ = align_up(data_end_ + t.nbytes());
    return static_cast<uint32_t>(tensors_.size() - 1);
  }

  void write_tensor(Writer& w, const SavedTensor& s) {
    const Tensor& t = *s.tensor;
    w.u32(str(s.name));
    w.u32(s.role);
    w.u32(static_cast<uint32_t>(t.dtype()));
    w.u32(static_cast<uint32_t>(t.rank()));
    for (int64_t d : t.shape()) w.i64(d);
    w.u64(t.qparams.scale.size());
    for (float v : t.qparams.scale) w.f32(v);
    w.u64(t.qparams.zero_point.size());
    for (int32_t v : t.qparams.zero_point) w.i32(v);
    w.i32(t.qparams.axis);
    w.u64(s.offset);
    w.u64(t.nbytes());
  }

  void write_strs(Writer& w, const std::vector<std::string>& v) {
    w.u64(v.size());
    for (const auto& s : v) w.u32(str(s));
  }

  void write_value_info(Writer& w, const ValueInfo& v) {
    w.u32(str(v.name));
    w.u32(static_cast<uint32_t>(v.dtype));
    w.u32(v.has_shape ? 1 : 0);
    w.u32(static_cast<uint32_t>(v.shape.size()));
    for (int64_t d : v.shape) w.i64(d);
    write_strs(w, v.dim_params);
  }

  void write_attribute(Writer& w, const Node& n, const std::string& key, const Attribute& a) {
    w.u32(str(key));
    w.u32(static_cast<uint32_t>(a.kind));
    switch (a.kind) {
      case Attribute::Kind::Float: w.f32(a.f); break;
      case Attribute::Kind::Int: w.i64(a.i); break;
      case Attribute::Kind::String: w.u32(str(a.s)); break;
      case Attribute::Kind::Tensor: w.u32(add_tensor(n.name + "." + key, kRoleAttribute, a.t)); break;
      case Attribute::Kind::Floats:
        w.u64(a.floats.size());
        for (float v : a.floats) w.f32(v);
        break;
      case Attribute::Kind::Ints:
        w.u64(a.ints.size());
        for (int64_t v : a.ints) w.i64(v);
        break;
      case Attribute::Kind::Strings: write_strs(w, a.strings); break;
    }
  }

  void write_node(Writer& w, const Node& n) {
    w.u32(str(n.name));
    w.u32(str(n.op_type));
    w.u32(str(n.domain));
    w.i64(n.opset);
    write_strs(w, n.inputs);
    write_strs(w, n.outputs);
    w.u64(n.attrs.size());
    for (const auto& [key, a] : n.attrs) write_attribute(w, n, key, a);
  }

  void write_graph(Writer& w, const Graph& g) {
    w.u32(str(g.name));
    w.u32(str(g.producer));
    w.i64(g.opset);
    w.u64(g.inputs.size());
    for (const auto& v : g.inputs) write_value_info(w, v);
    w.u64(g.outputs.size());
    for (const auto& v : g.outputs) write_value_info(w, v);
    w.u64(g.value_info.size());
    for (const auto& kv : g.value_info) write_value_info(w, kv.second);
    w.u64(g.nodes.size());
    for (const auto& n : g.nodes) write_node(w, n);
  }

  const std::string& path_;
  std::map<std::string, uint32_t> strings_;
  std::vector<const std::string*> string_list_;  // in index order
  std::vector<SavedTensor> tensors_;
  uint64_t data_end_ = 0;
};

// ---------------------------------------------------------------- reading

// A read-only private mapping of the whole file.
class Mapping {
 public:
  explicit Mapping(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) throw FormatError(path + ": cannot open file: " + errno_text());
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) throw FormatError(path + ": cannot stat file: " + errno_text());
    if (!S_ISREG(st.st_mode)) throw FormatError(path + ": not a regular file");
    size_ = static_cast<size_t>(st.st_size);
    if (size_ < kHeaderSize)
      throw FormatError(path + ": header: the file is " + std::to_string(size_) + " bytes, shorter than the " +
                        std::to_string(kHeaderSize) + "-byte .octet header");
    // Private and writable: tensors point into the mapping (no copy of the
    // weights), and a write through one copies that page instead of
    // reaching the file.
    void* p = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd.get(), 0);
    if (p == MAP_FAILED) throw FormatError(path + ": cannot map file: " + errno_text());
    data_ = static_cast<uint8_t*>(p);
  }
  // A model given in memory: copied, so that the tensors' 64-byte alignment
  // holds whatever the caller's buffer and it may be freed after loading.
  Mapping(const uint8_t* bytes, size_t size, const std::string& source) : size_(size), owned_(true) {
    if (size_ < kHeaderSize)
      throw FormatError(source + ": header: the buffer is " + std::to_string(size_) + " bytes, shorter than the " +
                        std::to_string(kHeaderSize) + "-byte .octet header");
    const size_t padded = (size_ + 63) / 64 * 64;
    data_ = static_cast<uint8_t*>(std::aligned_alloc(64, padded));
    if (!data_) throw Error(source + ": cannot allocate " + std::to_string(padded) + " bytes for the model");
    std::memcpy(data_, bytes, size_);
  }
  ~Mapping() {
    if (owned_)
      std::free(data_);
    else
      ::munmap(data_, size_);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool owned_ = false;  // aligned_alloc'ed, not mapped
};

// A bounded cursor over [begin, end) of the file. `where` names the record
// being read, so every error names the file, the record and the field.
class Reader {
 public:
  Reader(const uint8_t* file, uint64_t begin, uint64_t end, const std::string& path)
      : file_(file), pos_(begin), end_(end), path_(path) {}

  [[noreturn]] void fail(const char* field, const std::string& what) const {
    throw FormatError(path_ + ": " + where + field + ": " + what);
  }
  uint64_t remaining() const { return end_ - pos_; }

  uint32_t u32(const char* field) { return static_cast<uint32_t>(take(4, field)); }
  uint64_t u64(const char* field) { return take(8, field); }
  int32_t i32(const char* field) { return static_cast<int32_t>(u32(field)); }
  int64_t i64(const char* field) { return static_cast<int64_t>(u64(field)); }
  float f32(const char* field) {
    uint32_t bits = u32(field);
    float v;
    std::memcpy(&v, &bits, 4);
    return v;
  }
  // A count of records of at least `min_bytes` each: bounded by what is left,
  // so a damaged count never makes us allocate more than the file holds.
  size_t count(const char* field, uint64_t min_bytes) {
    uint64_t n = u64(field);
    if (n > remaining() / min_bytes)
      fail(field, "count " + std::to_string(n) + " needs more than the " + std::to_string(remaining()) +
                      " bytes left in the meta section");
    return static_cast<size_t>(n);
  }
  const uint8_t* bytes(uint64_t n, const char* field) {
    if (n > remaining())
      fail(field, std::to_string(n) + " bytes run past the end of the meta section (" + std::to_string(remaining()) +
                      " left)");
    const uint8_t* p = file_ + pos_;
    pos_ += n;
    return p;
  }

  std::string where;

 private:
  uint64_t take(int n, const char* field) {
    const uint8_t* p = bytes(static_cast<uint64_t>(n), field);
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    return v;
  }
  const uint8_t* file_;
  uint64_t pos_, end_;
  const std::string& path_;
};

struct Header {
  uint64_t meta_offset, meta_size, data_offset, data_size;
};

Header read_header(const Mapping& m, const std::string& path) {
  Reader r(m.data(), 0, kHeaderSize, path);
  r.where = "header ";
  if (std::memcmp(r.bytes(8, "magic"), kMagic, 8) != 0) r.fail("magic", "not an .octet file");
  uint32_t version = r.u32("version");
  if (version > kOctetFormatVersion)
    throw UnsupportedError(path + ": file format version " + std::to_string(version) +
                           " is newer than this Octet supports (" + std::to_string(kOctetFormatVersion) + ")");
  if (version == 0) r.fail("version", "0 is not a format version");
  uint32_t flags = r.u32("flags");
  if (flags != 0) r.fail("flags", "unknown flags " + std::to_string(flags) + " (version 1 defines none)");
  uint64_t file_size = r.u64("file_size");
  if (file_size != m.size())
    r.fail("file_size", "says " + std::to_string(file_size) + " bytes but the file is " + std::to_string(m.size()) +
                            " (truncated or padded)");
  Header h;
  h.meta_offset = r.u64("meta_offset");
  if (h.meta_offset != kHeaderSize) r.fail("meta_offset", std::to_string(h.meta_offset) + ", expected 64");
  h.meta_size = r.u64("meta_size");
  if (h.meta_size > m.size() - kHeaderSize)
    r.fail("meta_size", std::to_string(h.meta_size) + " runs past the end of the file");
  h.data_offset = r.u64("data_offset");
  if (h.data_offset % kAlign != 0) r.fail("data_offset", std::to_string(h.data_offset) + " is not 64-byte aligned");
  if (h.data_offset < h.meta_offset + h.meta_size || h.data_offset > m.size())
    r.fail("data_offset", std::to_string(h.data_offset) + " is outside [end of meta, end of file]");
  h.data_size = r.u64("data_size");
  if (h.data_size != m.size() - h.data_offset)
    r.fail("data_size", std::to_string(h.data_size) + " does not reach the end of the file");
  if (r.u64("reserved") != 0) r.fail("reserved", "must be 0");
  return h;
}

struct LoadedTensor {
  std::string name;
  uint32_t role;
  Tensor tensor;
  uint64_t offset, size;
};

class Decoder {
 public:
  Decoder(std::shared_ptr<Mapping> m, const Header& h, const std::string& path)
      : m_(std::move(m)), h_(h), r_(m_->data(), h.meta_offset, h.meta_offset + h.meta_size, path), path_(path) {}

  Graph graph() {
    read_strings();
    read_tensors();
    check_no_overlap();
    Graph g = read_graph();
    if (r_.remaining() != 0) {
      r_.where = "meta ";
      r_.fail("end", std::to_string(r_.remaining()) + " unread bytes after the graph");
    }
    for (LoadedTensor& t : tensors_) {
      if (t.role != kRoleInitializer) continue;
      if (!g.initializers.emplace(t.name, std::move(t.tensor)).second)
        throw FormatError(path_ + ": tensor '" + t.name + "': two initializers of that name");
    }
    return g;
  }

 private:
  void read_strings() {
    r_.where = "string table ";
    size_t n = r_.count("count", 8);
    strings_.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      r_.where = "string " + std::to_string(i) + " ";
      uint64_t len = r_.u64("length");
      const uint8_t* p = r_.bytes(len, "bytes");
      strings_.emplace_back(reinterpret_cast<const char*>(p), static_cast<size_t>(len));
    }
  }

  const std::string& str(const char* field) {
    uint32_t i = r_.u32(field);
    if (i >= strings_.size())
      r_.fail(field, "string index " + std::to_string(i) + " is past the " + std::to_string(strings_.size()) +
                         "-entry string table");
    return strings_[i];
  }

  std::vector<std::string> strs(const char* field) {
    size_t n = r_.count(field, 4);
    std::vector<std::string> v;
    v.reserve(n);
    for (size_t i = 0; i < n; ++i) v.push_back(str(field));
    return v;
  }

  DType dtype(const char* field, bool allow_undefined) {
    uint32_t d = r_.u32(field);
    if (d > kLastDType || (d == 0 && !allow_undefined)) r_.fail(field, "unknown dtype " + std::to_string(d));
    return static_cast<DType>(d);
  }

  Shape dims(const char* field, int64_t lowest) {
    size_t rank = r_.u32("rank");
    if (rank > r_.remaining() / 8) r_.fail("rank", std::to_string(rank) + " dims run past the end of the meta section");
    Shape s(rank);
    for (auto& d : s) {
      d = r_.i64(field);
      if (d < lowest) r_.fail(field, "dimension " + std::to_string(d) + " is negative");
    }
    return s;
  }

  QParams qparams(DType dtype, const Shape& shape) {
    QParams q;
    q.scale.resize(r_.count("scale count", 4));
    for (float& v : q.scale) v = r_.f32("scale");
    q.zero_point.resize(r_.count("zero_point count", 4));
    for (int32_t& v : q.zero_point) v = r_.i32("zero_point");
    q.axis = r_.i32("axis");
    std::string problem = qparams_problem(q, dtype, shape);
    if (!problem.empty()) r_.fail("qparams", problem);
    return q;
  }

  void read_tensors() {
    r_.where = "tensor table ";
    size_t n = r_.count("count", 48);
    tensors_.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      r_.where = "tensor " + std::to_string(i) + " ";
      tensors_.push_back(read_tensor());
    }
  }

  LoadedTensor read_tensor() {
    LoadedTensor t;
    t.name = str("name");
    r_.where += "('" + t.name + "') ";
    t.role = r_.u32("role");
    if (t.role > kRoleAttribute) r_.fail("role", "unknown role " + std::to_string(t.role));
    DType type = dtype("dtype", false);
    Shape shape = dims("dims", 0);
    int64_t numel = 0;
    try {
      numel = shape_numel(shape);
    } catch (const FormatError& e) {
      r_.fail("dims", e.what());
    }
    QParams q = qparams(type, shape);
    t.offset = r_.u64("offset");
    t.size = r_.u64("byte_size");
    if (t.offset % kAlign != 0) r_.fail("offset", std::to_string(t.offset) + " is not 64-byte aligned");
    uint64_t want = static_cast<uint64_t>(numel) * dtype_size(type);
    if (t.size != want)
      r_.fail("byte_size", std::to_string(t.size) + ", but " + dtype_name(type) + " " + shape_str(shape) + " needs " +
                               std::to_string(want));
    if (t.offset > h_.data_size || t.size > h_.data_size - t.offset)
      r_.fail("offset", "bytes [" + std::to_string(t.offset) + ", +" + std::to_string(t.size) +
                            ") run past the end of the " + std::to_string(h_.data_size) + "-byte data section");
    // Bounds checked above; the data offset and each tensor offset are
    // 64-byte aligned and the mapping is page aligned, so the tensor can
    // alias the mapping, which it keeps alive.
    uint8_t* bytes = m_->data() + h_.data_offset + t.offset;
    t.tensor = want ? Tensor(type, std::move(shape), std::shared_ptr<uint8_t>(m_, bytes)) : Tensor(type, std::move(shape));
    if (type == DType::Bool) check_bools(t.tensor);
    t.tensor.qparams = std::move(q);
    return t;
  }

  void check_bools(const Tensor& t) {
    const uint8_t* p = static_cast<const uint8_t*>(t.raw());
    for (int64_t i = 0; i < t.numel(); ++i)
      if (p[i] > 1) r_.fail("data", "bool value " + std::to_string(p[i]) + " is neither 0 nor 1");
  }

  void check_no_overlap() {
    std::vector<std::pair<uint64_t, size_t>> spans;
    for (size_t i = 0; i < tensors_.size(); ++i)
      if (tensors_[i].size) spans.emplace_back(tensors_[i].offset, i);
    std::sort(spans.begin(), spans.end());
    for (size_t k = 1; k < spans.size(); ++k) {
      const LoadedTensor& prev = tensors_[spans[k - 1].second];
      if (spans[k].first < prev.offset + prev.size)
        throw FormatError(path_ + ": tensor " + std::to_string(spans[k].second) + " ('" +
                          tensors_[spans[k].second].name + "') offset: its data overlaps tensor '" + prev.name + "'");
    }
  }

  ValueInfo value_info() {
    ValueInfo v;
    v.name = str("name");
    v.dtype = dtype("dtype", true);
    uint32_t has_shape = r_.u32("has_shape");
    if (has_shape > 1) r_.fail("has_shape", std::to_string(has_shape) + " is not 0 or 1");
    v.has_shape = has_shape == 1;
    v.shape = dims("dims", -1);
    v.dim_params = strs("dim_params");
    return v;
  }

  std::vector<ValueInfo> value_infos(const char* list) {
    r_.where = std::string("graph ") + list + " ";
    size_t n = r_.count("count", 24);
    std::vector<ValueInfo> v;
    v.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      r_.where = std::string("graph ") + list + " " + std::to_string(i) + " ";
      v.push_back(value_info());
    }
    return v;
  }

  Attribute attribute(Attribute::Kind kind) {
    Attribute a;
    a.kind = kind;
    switch (kind) {
      case Attribute::Kind::Float: a.f = r_.f32("f"); break;
      case Attribute::Kind::Int: a.i = r_.i64("i"); break;
      case Attribute::Kind::String: a.s = str("s"); break;
      case Attribute::Kind::Tensor: {
        uint32_t i = r_.u32("tensor");
        if (i >= tensors_.size())
          r_.fail("tensor", "tensor index " + std::to_string(i) + " is past the " + std::to_string(tensors_.size()) +
                                "-entry tensor table");
        a.t = tensors_[i].tensor;
        break;
      }
      case Attribute::Kind::Floats:
        a.floats.resize(r_.count("floats count", 4));
        for (float& v : a.floats) v = r_.f32("floats");
        break;
      case Attribute::Kind::Ints:
        a.ints.resize(r_.count("ints count", 8));
        for (int64_t& v : a.ints) v = r_.i64("ints");
        break;
      case Attribute::Kind::Strings: a.strings = strs("strings"); break;
    }
    return a;
  }

  Node node(size_t index) {
    Node n;
    r_.where = "node " + std::to_string(index) + " ";
    n.name = str("name");
    n.op_type = str("op_type");
    n.domain = str("domain");
    r_.where = "node " + std::to_string(index) + " (" + n.label() + ") ";
    n.opset = r_.i64("opset");
    n.inputs = strs("inputs");
    n.outputs = strs("outputs");
    size_t count = r_.count("attribute count", 8);
    std::string node_where = r_.where;
    for (size_t i = 0; i < count; ++i) {
      r_.where = node_where;
      const std::string& key = str("attribute key");
      r_.where = node_where + "attribute '" + key + "' ";
      uint32_t kind = r_.u32("kind");
      if (kind > kLastKind) r_.fail("kind", "unknown attribute kind " + std::to_string(kind));
      if (!n.attrs.emplace(key, attribute(static_cast<Attribute::Kind>(kind))).second)
        r_.fail("key", "the attribute appears twice");
    }
    return n;
  }

  Graph read_graph() {
    Graph g;
    r_.where = "graph ";
    g.name = str("name");
    g.producer = str("producer");
    g.opset = r_.i64("opset");
    g.inputs = value_infos("inputs");
    g.outputs = value_infos("outputs");
    for (ValueInfo& v : value_infos("value_info")) {
      std::string name = v.name;
      if (!g.value_info.emplace(name, std::move(v)).second)
        throw FormatError(path_ + ": graph value_info: '" + name + "' appears twice");
    }
    r_.where = "graph nodes ";
    size_t n = r_.count("count", 44);
    g.nodes.reserve(n);
    for (size_t i = 0; i < n; ++i) g.nodes.push_back(node(i));
    return g;
  }

  std::shared_ptr<Mapping> m_;
  const Header& h_;
  Reader r_;
  const std::string& path_;
  std::vector<std::string> strings_;
  std::vector<LoadedTensor> tensors_;
};

}  // namespace

void save_octet(const Graph& graph, const std::string& path) {
  Encoder enc(path);
  std::vector<uint8_t> meta = enc.meta(graph);
  uint64_t data_offset = align_up(kHeaderSize + meta.size());
  Writer head;
  head.bytes(kMagic, 8);
  head.u32(kOctetFormatVersion);
  head.u32(0);
  head.u64(data_offset + enc.data_size());
  head.u64(kHeaderSize);
  head.u64(meta.size());
  head.u64(data_offset);
  head.u64(enc.data_size());
  head.u64(0);
  head.bytes(meta.data(), meta.size());
  head.pad_to(data_offset);

  AtomicFile out(path);
  out.write(head.out().data(), head.out().size());
  uint64_t at = 0;
  for (const SavedTensor& s : enc.tensors()) {
    out.write_zeros(s.offset - at);
    out.write(s.tensor->raw(), s.tensor->nbytes());
    at = s.offset + s.tensor->nbytes();
  }
  out.write_zeros(enc.data_size() - at);
  out.commit();
}

Graph load_octet(const std::string& path) {
  auto m = std::make_shared<Mapping>(path);
  Header h = read_header(*m, path);
  Graph g = Decoder(m, h, path).graph();
  g.mapped_files.push_back({std::shared_ptr<const uint8_t>(m, m->data()), m->size()});
  return g;
}

Graph load_octet(const uint8_t* data, size_t size, const std::string& source) {
  auto m = std::make_shared<Mapping>(data, size, source);
  Header h = read_header(*m, source);
  return Decoder(m, h, source).graph();
}

void release_mapped_pages(const Graph& g, const Tensor& t) {
#ifdef MADV_PAGEOUT
  const auto begin = reinterpret_cast<uintptr_t>(t.raw()), end = begin + t.nbytes();
  for (const Graph::MappedFile& f : g.mapped_files) {
    const std::shared_ptr<const uint8_t> data = f.data.lock();
    const auto file = reinterpret_cast<uintptr_t>(data.get());
    if (!data || begin < file || end > file + f.size) continue;
    const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    const uintptr_t first = (begin + page - 1) / page * page, last = end / page * page;  // pages wholly inside t
    if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_PAGEOUT);  // a hint: errors ignored
    return;
  }
#else
  (void)g, (void)t;
#endif
}

bool is_octet_data(const uint8_t* data, size_t size) { return size >= 8 && std::memcmp(data, kMagic, 8) == 0; }

bool is_octet_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  char magic[8];
  const bool read = std::fread(magic, 1, 8, f) == 8;
  std::fclose(f);
  return read && std::memcmp(magic, kMagic, 8) == 0;
}

}  // namespace octet::graph
