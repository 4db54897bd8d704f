#include "graph/protobuf_reader.h"

#include <cstring>

#include "graph/error.h"

namespace octet::graph::protobuf {

namespace {

const char* wire_name(WireType w) {
  switch (w) {
    case WireType::Varint: return "varint";
    case WireType::Fixed64: return "fixed64";
    case WireType::Bytes: return "length-delimited";
    case WireType::StartGroup: return "start-group";
    case WireType::EndGroup: return "end-group";
    case WireType::Fixed32: return "fixed32";
  }
  return "invalid";
}

// Little-endian loads assembled byte by byte, so the host's byte order and
// alignment do not matter.
uint64_t load_le(const uint8_t* p, int nbytes) {
  uint64_t v = 0;
  for (int i = nbytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

float bits_to_float(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

double bits_to_double(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

}  // namespace

std::string Location::str() const {
  if (!parent) return label;
  std::string up = parent->str();
  return up + (parent->parent ? "." : ": ") + label;
}

void fail(const Location& where, const std::string& message) {
  throw FormatError(where.str() + ": " + message);
}

uint64_t read_varint(const uint8_t* data, size_t size, size_t* pos, const Location& where, size_t base) {
  const size_t start = *pos;
  uint64_t value = 0;
  for (int i = 0; i < 10; ++i) {
    if (*pos >= size) fail(where, "truncated varint at byte " + std::to_string(base + start));
    uint8_t b = data[(*pos)++];
    // The tenth byte holds only bit 63; anything more is not a 64-bit varint.
    if (i == 9 && b > 1)
      fail(where, std::string(b & 0x80 ? "varint longer than 10 bytes" : "varint overflows 64 bits") +
                      " at byte " + std::to_string(base + start));
    value |= uint64_t(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) return value;
  }
  return value;  // unreachable: the tenth byte either ends the varint or fails
}

Reader::Reader(const uint8_t* data, size_t size, const Location& where, size_t base)
    : data_(data), size_(size), where_(where), base_(base) {
  if (where.depth > kMaxDepth)
    fail(where, "messages nested more than " + std::to_string(kMaxDepth) + " deep");
}

void Reader::fail_at(size_t pos, const std::string& message) const {
  fail(where_, message + " at byte " + std::to_string(base_ + pos));
}

bool Reader::next() {
  if (pos_ >= size_) return false;
  const size_t tag_pos = pos_;
  uint64_t tag = read_varint(data_, size_, &pos_, where_, base_);
  uint64_t number = tag >> 3;
  if (number == 0 || number > (uint64_t(1) << 29) - 1)
    fail_at(tag_pos, "invalid field number " + std::to_string(number));
  number_ = static_cast<uint32_t>(number);
  const unsigned wire = static_cast<unsigned>(tag & 7);
  auto field = [&] { return "field " + std::to_string(number_); };
  switch (wire) {
    case 0:
      wire_ = WireType::Varint;
      scalar_ = read_varint(data_, size_, &pos_, where_, base_);
      return true;
    case 1:
    case 5: {
      wire_ = wire == 1 ? WireType::Fixed64 : WireType::Fixed32;
      const int n = wire == 1 ? 8 : 4;
      if (size_ - pos_ < static_cast<size_t>(n)) fail_at(tag_pos, "truncated " + field());
      scalar_ = load_le(data_ + pos_, n);
      pos_ += n;
      return true;
    }
    case 2: {
      wire_ = WireType::Bytes;
      const size_t len_pos = pos_;
      uint64_t len = read_varint(data_, size_, &pos_, where_, base_);
      if (len > size_ - pos_)
        fail_at(len_pos, field() + " has length " + std::to_string(len) + ", past the end of the message (" +
                             std::to_string(size_ - pos_) + " bytes left)");
      payload_ = pos_;
      length_ = static_cast<size_t>(len);
      pos_ += length_;
      return true;
    }
    case 3:
    case 4:
      fail_at(tag_pos, field() + " uses protobuf groups (wire type " + std::to_string(wire) +
                           "), which ONNX never uses");
    default:
      fail_at(tag_pos, field() + " has invalid wire type " + std::to_string(wire));
  }
}

void Reader::expect(WireType want, const char* name) const {
  if (wire_ != want)
    fail(where_, std::string("field '") + name + "' (" + std::to_string(number_) + ") has wire type " +
                     wire_name(wire_) + ", expected " + wire_name(want));
}

// A repeated scalar arrives one element per field or packed in one
// length-delimited field.
void Reader::expect_repeated(WireType element, const char* name) const {
  if (wire_ != element && wire_ != WireType::Bytes)
    fail(where_, std::string("field '") + name + "' (" + std::to_string(number_) + ") has wire type " +
                     wire_name(wire_) + ", expected " + wire_name(element) + " or packed");
}

uint64_t Reader::uint64(const char* name) const {
  expect(WireType::Varint, name);
  return scalar_;
}

int64_t Reader::int64(const char* name) const { return static_cast<int64_t>(uint64(name)); }

// Protobuf truncates an int32 varint to its low 32 bits (negative values are
// sent sign-extended to 64).
int32_t Reader::int32(const char* name) const { return static_cast<int32_t>(uint64(name)); }

float Reader::float32(const char* name) const {
  expect(WireType::Fixed32, name);
  return bits_to_float(static_cast<uint32_t>(scalar_));
}

double Reader::float64(const char* name) const {
  expect(WireType::Fixed64, name);
  return bits_to_double(scalar_);
}

const uint8_t* Reader::bytes(const char* name, size_t* size) const {
  expect(WireType::Bytes, name);
  *size = length_;
  return data_ + payload_;
}

std::string Reader::string(const char* name) const {
  size_t n = 0;
  const uint8_t* p = bytes(name, &n);
  return std::string(reinterpret_cast<const char*>(p), n);
}

Reader Reader::message(const char* name, const Location& where) const {
  size_t n = 0;
  const uint8_t* p = bytes(name, &n);
  return Reader(p, n, where, base_ + payload_);
}

void Reader::append_int64(const char* name, std::vector<int64_t>& out) const {
  expect_repeated(WireType::Varint, name);
  if (wire_ == WireType::Varint) {
    out.push_back(static_cast<int64_t>(scalar_));
    return;
  }
  size_t n = 0;
  const uint8_t* p = bytes(name, &n);
  for (size_t pos = 0; pos < n;)
    out.push_back(static_cast<int64_t>(read_varint(p, n, &pos, where_, base_ + payload_)));
}

void Reader::append_int32(const char* name, std::vector<int32_t>& out) const {
  expect_repeated(WireType::Varint, name);
  if (wire_ == WireType::Varint) {
    out.push_back(static_cast<int32_t>(scalar_));
    return;
  }
  size_t n = 0;
  const uint8_t* p = bytes(name, &n);
  for (size_t pos = 0; pos < n;)
    out.push_back(static_cast<int32_t>(read_varint(p, n, &pos, where_, base_ + payload_)));
}

size_t Reader::count_varints(const char* name) const {
  expect_repeated(WireType::Varint, name);
  if (wire_ == WireType::Varint) return 1;
  size_t n = 0, count = 0;
  const uint8_t* p = bytes(name, &n);
  for (size_t pos = 0; pos < n; ++count) read_varint(p, n, &pos, where_, base_ + payload_);
  return count;
}

void Reader::append_float32(const char* name, std::vector<float>& out) const {
  expect_repeated(WireType::Fixed32, name);
  if (wire_ == WireType::Fixed32) {
    out.push_back(bits_to_float(static_cast<uint32_t>(scalar_)));
    return;
  }
  size_t n = 0;
  const uint8_t* p = bytes(name, &n);
  if (n % 4) fail(where_, std::string("packed field '") + name + "' has " + std::to_string(n) +
                              " bytes, not a multiple of 4");
  out.reserve(out.size() + n / 4);
  for (size_t i = 0; i < n; i += 4) out.push_back(bits_to_float(static_cast<uint32_t>(load_le(p + i, 4))));
}

void Reader::append_float64(const char* name, std::vector<double>& out) const {
  expect_repeated(WireType::Fixed64, name);
  if (wire_ == WireType::Fixed64) {
    out.push_back(bits_to_double(scalar_));
    return;
  }
  size_t n = 0;
  const uint8_t* p = bytes(name, &n);
  if (n % 8) fail(where_, std::string("packed field '") + name + "' has " + std::to_string(n) +
                              " bytes, not a multiple of 8");
  out.reserve(out.size() + n / 8);
  for (size_t i = 0; i < n; i += 8) out.push_back(bits_to_double(load_le(p + i, 8)));
}

}  // namespace octet::graph::protobuf
