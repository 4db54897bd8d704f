#pragma once
// A reader of the protobuf wire format, just enough for ONNX: it walks the
// fields of one message in a byte range and hands out their payloads, checked
// against the wire type the caller expects. It knows no schema; the caller
// decides which field numbers mean what and ignores the rest.
//
// Every read is bounds-checked. Malformed bytes (a varint longer than 10
// bytes, a length past the end of the message, groups, wire types 6 and 7,
// field number 0) throw octet::FormatError naming the location and the
// absolute byte offset.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace octet::graph::protobuf {

enum class WireType : uint8_t { Varint = 0, Fixed64 = 1, Bytes = 2, StartGroup = 3, EndGroup = 4, Fixed32 = 5 };

// Where a message sits, for error messages: a chain from the source (a file
// path) through labels such as "graph", "node[3]", "attribute 'pads'",
// printed as "model.onnx: graph.node[3].attribute 'pads'". The label may be
// changed while the message is read (once its name is known).
struct Location {
  explicit Location(std::string source) : label(std::move(source)) {}
  Location(const Location& parent, std::string child_label)
      : parent(&parent), label(std::move(child_label)), depth(parent.depth + 1) {}

  std::string str() const;

  const Location* parent = nullptr;
  std::string label;
  int depth = 0;
};

// Nested messages deeper than this are refused: ONNX without subgraphs
// nests about six deep, and the limit keeps recursion bounded on any input.
constexpr int kMaxDepth = 32;

[[noreturn]] void fail(const Location& where, const std::string& message);

class Reader {
 public:
  // `base` is the offset of data[0] in the outermost buffer, so errors give
  // absolute byte positions. Throws when `where` is nested past kMaxDepth.
  Reader(const uint8_t* data, size_t size, const Location& where, size_t base = 0);

  // Moves to the next field; false at the end of the message.
  bool next();

  uint32_t number() const { return number_; }
  WireType wire() const { return wire_; }
  const Location& where() const { return where_; }

  // The current field read as a scalar of the given protobuf type. `name`
  // is the field's name in the schema, for error messages.
  uint64_t uint64(const char* name) const;
  int64_t int64(const char* name) const;
  int32_t int32(const char* name) const;  // int32 and enum fields
  float float32(const char* name) const;
  double float64(const char* name) const;
  std::string string(const char* name) const;
  // The payload of a length-delimited field, pointing into the buffer.
  const uint8_t* bytes(const char* name, size_t* size) const;
  // A reader over the current field as an embedded message at `where`.
  Reader message(const char* name, const Location& where) const;

  // Repeated scalar fields, accepted packed or unpacked as protobuf does.
  void append_int64(const char* name, std::vector<int64_t>& out) const;
  void append_int32(const char* name, std::vector<int32_t>& out) const;
  void append_float32(const char* name, std::vector<float>& out) const;
  void append_float64(const char* name, std::vector<double>& out) const;
  // Element count of a repeated uint64 field, for fields Octet only needs
  // to detect (the values are of types it does not support).
  size_t count_varints(const char* name) const;

 private:
  void expect(WireType want, const char* name) const;
  void expect_repeated(WireType element, const char* name) const;
  [[noreturn]] void fail_at(size_t pos, const std::string& message) const;

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  const Location& where_;
  size_t base_;

  uint32_t number_ = 0;
  WireType wire_ = WireType::Varint;
  uint64_t scalar_ = 0;  // varint, fixed32 or fixed64 payload
  size_t payload_ = 0;   // start of a length-delimited payload
  size_t length_ = 0;
};

// Decodes one varint at data[*pos], advancing *pos. Throws FormatError at
// `where` when truncated or longer than 10 bytes; `base` as for Reader.
uint64_t read_varint(const uint8_t* data, size_t size, size_t* pos, const Location& where, size_t base);

}  // namespace octet::graph::protobuf
