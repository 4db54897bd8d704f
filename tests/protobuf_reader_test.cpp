#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "graph/error.h"
#include "graph/protobuf_reader.h"

using namespace octet::graph::protobuf;

namespace {

std::vector<uint8_t> bytes(std::initializer_list<int> values) {
  std::vector<uint8_t> out;
  for (int v : values) out.push_back(static_cast<uint8_t>(v));
  return out;
}

uint64_t decode(const std::vector<uint8_t>& b, size_t* end = nullptr) {
  Location root("t.pb");
  size_t pos = 0;
  uint64_t v = read_varint(b.data(), b.size(), &pos, root, 0);
  if (end) *end = pos;
  return v;
}

std::string error_of(const std::vector<uint8_t>& b) {
  try {
    decode(b);
  } catch (const octet::FormatError& e) {
    return e.what();
  }
  return "no error";
}

// Reads every field of `b` as a message at "t.pb" and returns the numbers.
std::vector<uint32_t> field_numbers(const std::vector<uint8_t>& b) {
  Location root("t.pb");
  Reader r(b.data(), b.size(), root);
  std::vector<uint32_t> numbers;
  while (r.next()) numbers.push_back(r.number());
  return numbers;
}

}  // namespace

TEST_CASE("varints decode, including the 10-byte maximum", "[protobuf]") {
  size_t end = 0;
  REQUIRE(decode(bytes({0x00})) == 0);
  REQUIRE(decode(bytes({0x7f})) == 127);
  REQUIRE(decode(bytes({0xac, 0x02}), &end) == 300);
  REQUIRE(end == 2);
  // An overlong but terminated encoding of 1 is still valid protobuf.
  REQUIRE(decode(bytes({0x81, 0x80, 0x80, 0x00})) == 1);
  REQUIRE(decode(bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}), &end) == UINT64_MAX);
  REQUIRE(end == 10);
  // -2 as an int64 varint: sign-extended to ten bytes.
  REQUIRE(static_cast<int64_t>(decode(bytes({0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}))) == -2);
}

TEST_CASE("varints longer than 10 bytes, past 64 bits or truncated are refused", "[protobuf]") {
  REQUIRE(error_of(bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00})) ==
          "t.pb: varint longer than 10 bytes at byte 0");
  REQUIRE(error_of(bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02})) ==
          "t.pb: varint overflows 64 bits at byte 0");
  REQUIRE(error_of(bytes({0x80})) == "t.pb: truncated varint at byte 0");
  REQUIRE(error_of(bytes({})) == "t.pb: truncated varint at byte 0");
  REQUIRE(error_of(bytes({0xff, 0xff, 0xff})) == "t.pb: truncated varint at byte 0");
}

TEST_CASE("a reader walks fields of every wire type and gives their payloads", "[protobuf]") {
  // 1: varint 150; 2: fixed64 double 1.5; 3: bytes "hi"; 4: fixed32 float -2.
  auto b = bytes({0x08, 0x96, 0x01,                                            //
                  0x11, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f,                          //
                  0x1a, 0x02, 'h', 'i',                                        //
                  0x25, 0x00, 0x00, 0x00, 0xc0});
  Location root("t.pb");
  Reader r(b.data(), b.size(), root);
  REQUIRE(r.next());
  REQUIRE(r.number() == 1);
  REQUIRE(r.wire() == WireType::Varint);
  REQUIRE(r.int64("a") == 150);
  REQUIRE(r.next());
  REQUIRE(r.number() == 2);
  REQUIRE(r.float64("b") == 1.5);
  REQUIRE(r.next());
  REQUIRE(r.number() == 3);
  REQUIRE(r.string("c") == "hi");
  REQUIRE(r.next());
  REQUIRE(r.number() == 4);
  REQUIRE(r.float32("d") == -2.0f);
  REQUIRE_FALSE(r.next());
  REQUIRE_FALSE(r.next());
}

TEST_CASE("reading a field with the wrong wire type names the field", "[protobuf]") {
  auto b = bytes({0x08, 0x05});
  Location root("t.pb");
  Reader r(b.data(), b.size(), root);
  REQUIRE(r.next());
  REQUIRE_THROWS_WITH(r.float32("alpha"),
                      "t.pb: field 'alpha' (1) has wire type varint, expected fixed32");
  REQUIRE_THROWS_AS(r.string("alpha"), octet::FormatError);
  std::vector<float> floats;
  REQUIRE_THROWS_WITH(r.append_float32("floats", floats),
                      "t.pb: field 'floats' (1) has wire type varint, expected fixed32 or packed");
}

TEST_CASE("unknown fields of every wire type are skipped", "[protobuf]") {
  // 7: varint; 8: fixed64; 9: bytes of 3; 10: fixed32; then 1: varint 42.
  auto b = bytes({0x38, 0xff, 0x01, 0x41, 1, 2, 3, 4, 5, 6, 7, 8, 0x4a, 0x03, 1, 2, 3, 0x55, 1, 2, 3, 4, 0x08, 42});
  REQUIRE(field_numbers(b) == std::vector<uint32_t>{7, 8, 9, 10, 1});
}

TEST_CASE("lengths and fixed fields past the end of the message are refused", "[protobuf]") {
  REQUIRE_THROWS_WITH(field_numbers(bytes({0x08, 0x01, 0x1a, 0x05, 'a', 'b'})),
                      "t.pb: field 3 has length 5, past the end of the message (2 bytes left) at byte 3");
  // A length near 2^64 must not wrap around the bounds check.
  REQUIRE_THROWS_AS(field_numbers(bytes({0x1a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})),
                    octet::FormatError);
  REQUIRE_THROWS_WITH(field_numbers(bytes({0x25, 1, 2, 3})), "t.pb: truncated field 4 at byte 0");
  REQUIRE_THROWS_AS(field_numbers(bytes({0x11, 1, 2, 3, 4, 5, 6, 7})), octet::FormatError);
  REQUIRE_THROWS_WITH(field_numbers(bytes({0x08})), "t.pb: truncated varint at byte 1");
}

TEST_CASE("groups, invalid wire types and field number 0 are refused", "[protobuf]") {
  REQUIRE_THROWS_WITH(field_numbers(bytes({0x0b, 0x0c})),
                      "t.pb: field 1 uses protobuf groups (wire type 3), which ONNX never uses at byte 0");
  REQUIRE_THROWS_AS(field_numbers(bytes({0x0c})), octet::FormatError);
  REQUIRE_THROWS_WITH(field_numbers(bytes({0x08, 0x00, 0x0e})), "t.pb: field 1 has invalid wire type 6 at byte 2");
  REQUIRE_THROWS_AS(field_numbers(bytes({0x0f})), octet::FormatError);
  REQUIRE_THROWS_WITH(field_numbers(bytes({0x00, 0x00})), "t.pb: invalid field number 0 at byte 0");
  // Field number 2^29 (one past the largest) in a 5-byte tag.
  REQUIRE_THROWS_AS(field_numbers(bytes({0x80, 0x80, 0x80, 0x80, 0x10})), octet::FormatError);
  REQUIRE(field_numbers(bytes({0xf8, 0xff, 0xff, 0xff, 0x0f, 0x00})) == std::vector<uint32_t>{(1u << 29) - 1});
}

TEST_CASE("repeated scalars are read packed and unpacked", "[protobuf]") {
  // 1 unpacked: 3, then -1 (10 bytes); 1 packed: [1, 300]; 2 packed floats [1, -0.5];
  // 2 unpacked float 2.
  auto b = bytes({0x08, 0x03, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,  //
                  0x0a, 0x03, 0x01, 0xac, 0x02,                                                 //
                  0x12, 0x08, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xbf,                   //
                  0x15, 0x00, 0x00, 0x00, 0x40});
  Location root("t.pb");
  Reader r(b.data(), b.size(), root);
  std::vector<int64_t> ints;
  std::vector<int32_t> ints32;
  std::vector<float> floats;
  while (r.next()) {
    if (r.number() == 1) {
      r.append_int64("ints", ints);
      r.append_int32("ints", ints32);
    } else {
      r.append_float32("floats", floats);
    }
  }
  REQUIRE(ints == std::vector<int64_t>{3, -1, 1, 300});
  REQUIRE(ints32 == std::vector<int32_t>{3, -1, 1, 300});
  REQUIRE(floats == std::vector<float>{1.0f, -0.5f, 2.0f});
}

TEST_CASE("packed fields with a bad size or a truncated varint are refused", "[protobuf]") {
  Location root("t.pb");
  auto floats = bytes({0x12, 0x05, 0, 0, 0x80, 0x3f, 0});
  Reader r(floats.data(), floats.size(), root);
  REQUIRE(r.next());
  std::vector<float> f;
  REQUIRE_THROWS_WITH(r.append_float32("floats", f), "t.pb: packed field 'floats' has 5 bytes, not a multiple of 4");
  auto doubles = bytes({0x12, 0x04, 0, 0, 0, 0});
  Reader rd(doubles.data(), doubles.size(), root);
  REQUIRE(rd.next());
  std::vector<double> d;
  REQUIRE_THROWS_AS(rd.append_float64("doubles", d), octet::FormatError);
  // The packed payload [0x01, 0x80] ends inside its second varint (byte 3).
  auto ints = bytes({0x0a, 0x02, 0x01, 0x80});
  Reader ri(ints.data(), ints.size(), root);
  REQUIRE(ri.next());
  std::vector<int64_t> i;
  REQUIRE_THROWS_WITH(ri.append_int64("ints", i), "t.pb: truncated varint at byte 3");
  REQUIRE_THROWS_WITH(ri.count_varints("ints"), "t.pb: truncated varint at byte 3");
}

TEST_CASE("nested messages report their location and absolute offsets", "[protobuf]") {
  // Field 7 holds a message whose field 5 holds a message with a truncated varint.
  auto b = bytes({0x08, 0x01, 0x3a, 0x04, 0x2a, 0x02, 0x08, 0x80});
  Location root("m.onnx");
  Reader r(b.data(), b.size(), root);
  REQUIRE(r.next());
  REQUIRE(r.next());
  Location graph(root, "graph");
  Reader g = r.message("graph", graph);
  REQUIRE(g.next());
  Location node(graph, "node[3]");
  Reader n = g.message("node", node);
  std::string message;
  try {
    while (n.next()) {
    }
  } catch (const octet::FormatError& e) {
    message = e.what();
  }
  REQUIRE(message == "m.onnx: graph.node[3]: truncated varint at byte 7");
}

TEST_CASE("nesting deeper than the limit is refused", "[protobuf]") {
  Location root("t.pb");
  std::vector<std::unique_ptr<Location>> chain;
  const Location* parent = &root;
  for (int i = 0; i < kMaxDepth; ++i) {
    chain.push_back(std::make_unique<Location>(*parent, "m"));
    parent = chain.back().get();
  }
  uint8_t empty = 0;
  REQUIRE_NOTHROW(Reader(&empty, 0, *parent));
  Location too_deep(*parent, "m");
  REQUIRE_THROWS_AS(Reader(&empty, 0, too_deep), octet::FormatError);
}
