#include "graph/npy.h"

#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

#include "graph/error.h"
#include "graph/file_io.h"

// The payload is copied byte for byte, which is right only on a
// little-endian host (x86 and the ARM targets Octet is built for).
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "npy I/O assumes a little-endian host");

namespace octet::graph {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
// Larger dims cannot describe a file that exists; the cap keeps the
// arithmetic below clear of overflow before shape_numel checks the product.
constexpr int64_t kMaxDim = int64_t(1) << 50;

struct Descr {
  const char* text;
  DType dtype;
};
// What NumPy writes for each dtype Octet reads; nothing else is accepted.
constexpr Descr kDescrs[] = {
    {"<f4", DType::Float32}, {"|i1", DType::Int8},  {"|u1", DType::UInt8},
    {"<i4", DType::Int32},   {"<i8", DType::Int64}, {"|b1", DType::Bool},
};

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// A strict reader for the one Python dict literal NumPy writes as the header:
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& source) : s_(text), source_(source) {}

  struct Result {
    std::string descr;
    bool fortran_order = false;
    Shape shape;
  };

  Result parse() {
    Result r;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    skip_space();
    while (peek() != '}') {
      std::string key = string_literal();
      expect(':');
      if (key == "descr") {
        once(seen_descr, key);
        skip_space();
        if (peek() != '\'' && peek() != '"')
          fail("'descr' must be a simple dtype string (structured arrays are not supported)");
        r.descr = string_literal();
      } else if (key == "fortran_order") {
        once(seen_order, key);
        r.fortran_order = boolean();
      } else if (key == "shape") {
        once(seen_shape, key);
        r.shape = tuple();
      } else {
        fail("unexpected key " + quoted(key));
      }
      if (!comma_or('}')) fail("expected ',' or '}' after the value of " + quoted(key));
    }
    ++pos_;
    skip_space();
    if (pos_ != s_.size()) fail("unexpected text after the header dict");
    if (!seen_descr || !seen_order || !seen_shape)
      fail("the header must give 'descr', 'fortran_order' and 'shape'");
    return r;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw FormatError(source_ + ": bad .npy header: " + what + " (at offset " + std::to_string(pos_) +
                      " of \"" + printable() + "\")");
  }
  std::string printable() const {
    std::string out;
    for (char c : s_.substr(0, 200)) out += (c >= 32 && c < 127) ? c : '?';
    return out;
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
      ++pos_;
  }
  void expect(char c) {
    skip_space();
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++pos_;
  }
  void once(bool& seen, const std::string& key) {
    if (seen) fail("duplicate key " + quoted(key));
    seen = true;
  }
  // After a value: either ',' (then maybe the closing bracket: a trailing
  // comma) or the closing bracket itself. Leaves pos_ on the bracket if the
  // container ends; returns false on anything else.
  bool comma_or(char close) {
    skip_space();
    if (peek() == ',') {
      ++pos_;
      skip_space();
      return true;
    }
    return peek() == close;
  }
  std::string string_literal() {
    skip_space();
    char q = peek();
    if (q != '\'' && q != '"') fail("expected a quoted string");
    size_t end = s_.find(q, pos_ + 1);
    if (end == std::string::npos) fail("unterminated string");
    std::string out = s_.substr(pos_ + 1, end - pos_ - 1);
    if (out.find('\\') != std::string::npos) fail("escapes in strings are not supported");
    pos_ = end + 1;
    return out;
  }
  bool boolean() {
    skip_space();
    if (s_.compare(pos_, 4, "True") == 0) {
      pos_ += 4;
      return true;
    }
    if (s_.compare(pos_, 5, "False") == 0) {
      pos_ += 5;
      return false;
    }
    fail("expected True or False");
  }
  int64_t dimension() {
    skip_space();
    if (peek() < '0' || peek() > '9') fail("expected a non-negative integer dimension");
    int64_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      v = v * 10 + (peek() - '0');
      if (v > kMaxDim) fail("dimension too large");
      ++pos_;
    }
    if (peek() == 'L') ++pos_;  // Python 2 long literals, in files NumPy wrote long ago
    return v;
  }
  // (), (n,), (n, m), (n, m,) ... ; a single dim needs its trailing comma,
  // as in Python, since (3) is not a tuple. The rank needs no cap of its
  // own: each dim takes at least two bytes of a header bounded by the file.
  Shape tuple() {
    expect('(');
    Shape shape;
    skip_space();
    while (peek() != ')') {
      shape.push_back(dimension());
      skip_space();
      if (peek() == ',') {
        ++pos_;
        skip_space();
      } else if (peek() != ')') {
        fail("expected ',' or ')' in the shape");
      } else if (shape.size() == 1) {
        fail("a one-dimensional shape needs a trailing comma, as in (3,)");
      }
    }
    ++pos_;
    return shape;
  }

  const std::string& s_;
  const std::string& source_;
  size_t pos_ = 0;
};

uint32_t read_le(const uint8_t* p, size_t n) {
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint32_t(p[i]) << (8 * i);
  return v;
}

DType dtype_for(const std::string& descr, const std::string& source) {
  for (const Descr& d : kDescrs)
    if (descr == d.text) return d.dtype;
  throw UnsupportedError(source + ": .npy dtype " + quoted(descr) +
                         " is not supported (Octet reads little-endian float32 '<f4', int8 '|i1', uint8 '|u1', "
                         "int32 '<i4', int64 '<i8' and bool '|b1')");
}

const char* descr_for(DType t) {
  for (const Descr& d : kDescrs)
    if (d.dtype == t) return d.text;
  return nullptr;
}

void check_bools(const Tensor& t, const std::string& source) {
  const uint8_t* p = static_cast<const uint8_t*>(t.raw());
  for (int64_t i = 0; i < t.numel(); ++i)
    if (p[i] > 1)
      throw FormatError(source + ": bool element " + std::to_string(i) + " holds " + std::to_string(p[i]) +
                        ", not 0 or 1");
}

std::string shape_literal(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

// Magic, version, length and dict, padded with spaces and a newline to a
// multiple of 64 bytes as NumPy does, so the data starts aligned.
std::string npy_preamble(const char* descr, const Shape& shape) {
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " +
                     shape_literal(shape) + ", }";
  for (int major = 1; major <= 2; ++major) {
    size_t len_bytes = major == 1 ? 2 : 4;
    size_t unpadded = kMagicLen + 2 + len_bytes + dict.size() + 1;
    size_t total = (unpadded + 63) / 64 * 64;
    size_t header_len = total - kMagicLen - 2 - len_bytes;
    if (major == 1 && header_len > 0xFFFF) continue;
    std::string out(kMagic, kMagicLen);
    out += char(major);
    out += char(0);
    for (size_t i = 0; i < len_bytes; ++i) out += char((header_len >> (8 * i)) & 0xFF);
    out += dict;
    out.append(header_len - dict.size() - 1, ' ');
    out += '\n';
    return out;
  }
  throw UnsupportedError("a .npy header of " + std::to_string(dict.size()) + " bytes is too long");
}

}  // namespace

Tensor parse_npy(const uint8_t* data, size_t size, const std::string& source) {
  if (size < kMagicLen + 2 || std::memcmp(data, kMagic, kMagicLen) != 0)
    throw FormatError(source + ": not a .npy file (bad magic)");
  int major = data[kMagicLen], minor = data[kMagicLen + 1];
  if (major < 1 || major > 3 || minor != 0)
    throw UnsupportedError(source + ": .npy format version " + std::to_string(major) + "." +
                           std::to_string(minor) + " is not supported (1.0, 2.0 and 3.0 are)");
  size_t len_bytes = major == 1 ? 2 : 4;
  size_t prefix = kMagicLen + 2 + len_bytes;
  if (size < prefix) throw FormatError(source + ": truncated .npy header");
  size_t header_len = read_le(data + kMagicLen + 2, len_bytes);
  if (header_len > size - prefix)
    throw FormatError(source + ": .npy header length " + std::to_string(header_len) + " runs past the end of the " +
                      std::to_string(size) + "-byte file");
  std::string text(reinterpret_cast<const char*>(data + prefix), header_len);
  if (text.find('\0') != std::string::npos) throw FormatError(source + ": .npy header holds a NUL byte");

  HeaderParser::Result h = HeaderParser(text, source).parse();
  if (h.fortran_order) throw UnsupportedError(source + ": Fortran-order .npy arrays are not supported");
  DType dtype = dtype_for(h.descr, source);
  int64_t numel = shape_numel(h.shape);  // FormatError past 2^40 elements
  size_t want = static_cast<size_t>(numel) * dtype_size(dtype);
  size_t have = size - prefix - header_len;
  // Checked before the tensor is allocated: the shape must not make us
  // allocate more than the file holds.
  if (have != want)
    throw FormatError(source + ": .npy data is " + std::to_string(have) + " bytes, but " + quoted(h.descr) +
                      " with shape " + shape_literal(h.shape) + " needs " + std::to_string(want));
  Tensor t(dtype, h.shape);
  if (want) std::memcpy(t.raw(), data + prefix + header_len, want);
  if (dtype == DType::Bool) check_bools(t, source);
  return t;
}

Tensor read_npy(const std::string& path) {
  std::vector<uint8_t> bytes = read_file(path);
  return parse_npy(bytes.data(), bytes.size(), path);
}

void write_npy(const std::string& path, const Tensor& t) {
  if (t.empty()) throw Error("cannot write an empty tensor to " + path);
  const char* descr = descr_for(t.dtype());
  if (!descr)
    throw UnsupportedError("cannot write " + path + ": dtype " + dtype_name(t.dtype()) +
                           " has no .npy form in Octet (float32, int8, uint8, int32, int64 and bool do)");
  std::string preamble = npy_preamble(descr, t.shape());
  AtomicFile out(path);
  out.write(preamble.data(), preamble.size());
  out.write(t.raw(), t.nbytes());
  out.commit();
}

}  // namespace octet::graph
