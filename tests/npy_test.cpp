// .npy reading and writing. The reference bytes are what NumPy 1.24's
// np.save / np.lib.format.write_array produced for the same arrays: the header
// dicts, header lengths and file sizes below were copied from its output.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>

#include "graph/error.h"
#include "graph/npy.h"

using namespace octet;
using namespace octet::graph;
namespace fs = std::filesystem;

namespace {

std::string from_hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

// A file as NumPy lays it out: magic, version, little-endian header length,
// the dict padded with spaces and a newline to a multiple of 64, then data.
std::string npy_file(int major, const std::string& dict, const std::string& data) {
  size_t len_bytes = major == 1 ? 2 : 4;
  size_t header_len = (6 + 2 + len_bytes + dict.size() + 1 + 63) / 64 * 64 - (6 + 2 + len_bytes);
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < len_bytes; ++i) out += static_cast<char>((header_len >> (8 * i)) & 0xFF);
  out += dict + std::string(header_len - dict.size() - 1, ' ') + "\n";
  return out + data;
}

std::string dict(const std::string& descr, const std::string& shape, const std::string& order = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + order + ", 'shape': " + shape + ", }";
}

Tensor parse(const std::string& bytes) {
  return parse_npy(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "test.npy");
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("octet_npy_test_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  size_t entries() const { return static_cast<size_t>(std::distance(fs::directory_iterator(path), {})); }
};

const std::string kF32Dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
// np.array([[1.5, -2], [3, 4.25]], dtype=np.float32)
const std::string kF32Data = from_hex("0000c03f000000c00000404000008840");

}  // namespace

TEST_CASE("npy: reads what numpy wrote, for each dtype", "[npy]") {
  SECTION("float32 (2, 2)") {
    std::string file = npy_file(1, kF32Dict, kF32Data);
    REQUIRE(file.size() == 144);  // numpy's file size
    REQUIRE(file.substr(6, 4) == std::string("\x01\x00\x76\x00", 4));
    Tensor t = parse(file);
    REQUIRE(t.dtype() == DType::Float32);
    REQUIRE(t.shape() == Shape{2, 2});
    const float* d = t.data<float>();
    CHECK(d[0] == 1.5f);
    CHECK(d[1] == -2.0f);
    CHECK(d[2] == 3.0f);
    CHECK(d[3] == 4.25f);
  }
  SECTION("int8 (3,)") {
    Tensor t = parse(npy_file(1, dict("|i1", "(3,)"), from_hex("80007f")));
    REQUIRE(t.shape() == Shape{3});
    CHECK(t.data<int8_t>()[0] == -128);
    CHECK(t.data<int8_t>()[2] == 127);
  }
  SECTION("int64 scalar ()") {
    Tensor t = parse(npy_file(1, dict("<i8", "()"), from_hex("0700000000000000")));
    REQUIRE(t.rank() == 0);
    CHECK(t.data<int64_t>()[0] == 7);
  }
  SECTION("uint8 (0, 3), no data") {
    std::string file = npy_file(1, dict("|u1", "(0, 3)"), "");
    REQUIRE(file.size() == 128);
    Tensor t = parse(file);
    CHECK(t.dtype() == DType::UInt8);
    CHECK(t.shape() == Shape{0, 3});
    CHECK(t.numel() == 0);
  }
  SECTION("bool (2,)") {
    Tensor t = parse(npy_file(1, dict("|b1", "(2,)"), from_hex("0100")));
    CHECK(t.dtype() == DType::Bool);
    CHECK(t.to_int64() == std::vector<int64_t>{1, 0});
  }
  SECTION("int32 (1, 2, 3)") {
    std::string data = from_hex("000000000100000002000000030000000400000005000000");
    Tensor t = parse(npy_file(1, dict("<i4", "(1, 2, 3)"), data));
    CHECK(t.shape() == Shape{1, 2, 3});
    CHECK(t.to_int64() == std::vector<int64_t>{0, 1, 2, 3, 4, 5});
  }
}

TEST_CASE("npy: version 2.0 and 3.0 headers", "[npy]") {
  // np.lib.format.write_array(f, np.array([1, 2], np.float32), version=(2, 0)) and (3, 0)
  const std::string d = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  for (int major : {2, 3}) {
    std::string file = npy_file(major, d, from_hex("0000803f00000040"));
    REQUIRE(file.substr(6, 6) == std::string(1, char(major)) + std::string("\x00\x74\x00\x00\x00", 5));
    Tensor t = parse(file);
    REQUIRE(t.shape() == Shape{2});
    CHECK(t.data<float>()[0] == 1.0f);
    CHECK(t.data<float>()[1] == 2.0f);
  }
}

TEST_CASE("npy: lenient where numpy's own files vary", "[npy]") {
  // Key order, double quotes, no trailing comma and Python 2 long dims all
  // occur in files written by other NumPy versions or by hand.
  Tensor t = parse(npy_file(1, "{\"shape\": (2L, 1L), \"fortran_order\": False, \"descr\": \"<i4\"}",
                            from_hex("0900000008000000")));
  CHECK(t.shape() == Shape{2, 1});
  CHECK(t.to_int64() == std::vector<int64_t>{9, 8});
}

TEST_CASE("npy: write produces numpy's bytes and round-trips each dtype", "[npy]") {
  TempDir dir;
  SECTION("identical to np.save") {
    Tensor t = Tensor::from<float>({2, 2}, {1.5f, -2.0f, 3.0f, 4.25f});
    write_npy((dir.path / "a.npy").string(), t);
    CHECK(slurp(dir.path / "a.npy") == npy_file(1, kF32Dict, kF32Data));
    CHECK(dir.entries() == 1);  // no temporary left behind
  }
  SECTION("round trips") {
    std::vector<Tensor> tensors = {
        Tensor::from<float>({3}, {0.1f, -1e30f, 7.0f}),
        Tensor::from<int8_t>({2, 1}, {-128, 127}),
        Tensor::from<uint8_t>({1, 1, 2}, {0, 255}),
        Tensor::from<int32_t>({}, {-2147483647 - 1}),
        Tensor::from<int64_t>({2}, {INT64_MIN, INT64_MAX}),
        Tensor::from<bool>({3}, {true, false, true}),
        Tensor(DType::Float32, {4, 0}),
    };
    for (const Tensor& t : tensors) {
      std::string path = (dir.path / "t.npy").string();
      write_npy(path, t);
      Tensor back = read_npy(path);
      REQUIRE(back.dtype() == t.dtype());
      REQUIRE(back.shape() == t.shape());
      CHECK(std::memcmp(back.raw(), t.raw(), t.nbytes()) == 0);
    }
  }
  SECTION("a header too long for version 1.0 switches to 2.0") {
    Tensor t(DType::UInt8, Shape(30000, 1));  // "1, " per dim: 90 kB of header
    std::string path = (dir.path / "wide.npy").string();
    write_npy(path, t);
    std::string bytes = slurp(path);
    REQUIRE(bytes[6] == 2);
    CHECK(bytes.size() % 64 == 1);  // aligned header, one data byte
    CHECK(read_npy(path).shape() == t.shape());
  }
  SECTION("overwrites an existing file") {
    std::string path = (dir.path / "x.npy").string();
    write_npy(path, Tensor::from<int32_t>({1}, {1}));
    write_npy(path, Tensor::from<int32_t>({2}, {5, 6}));
    CHECK(read_npy(path).to_int64() == std::vector<int64_t>{5, 6});
    CHECK(dir.entries() == 1);
  }
  SECTION("failures leave nothing behind") {
    fs::create_directories(dir.path / "occupied.npy");  // rename onto a directory fails
    CHECK_THROWS_AS(write_npy((dir.path / "occupied.npy").string(), Tensor::from<float>({1}, {1})), Error);
    CHECK(dir.entries() == 1);
    CHECK_THROWS_AS(write_npy((dir.path / "missing" / "y.npy").string(), Tensor::from<float>({1}, {1})), Error);
    CHECK_THROWS_AS(write_npy((dir.path / "d.npy").string(), Tensor::from<double>({1}, {1.0})), UnsupportedError);
    CHECK(dir.entries() == 1);
  }
}

TEST_CASE("npy: rejects malformed and unsupported files", "[npy]") {
  const std::string good = npy_file(1, kF32Dict, kF32Data);
  REQUIRE_NOTHROW(parse(good));

  SECTION("truncated or padded data") {
    CHECK_THROWS_AS(parse(good.substr(0, good.size() - 1)), FormatError);
    CHECK_THROWS_AS(parse(good + "x"), FormatError);
    CHECK_THROWS_AS(parse(good.substr(0, 100)), FormatError);  // inside the header
    CHECK_THROWS_AS(parse(good.substr(0, 9)), FormatError);    // inside the length
    CHECK_THROWS_AS(parse(""), FormatError);
  }
  SECTION("bad magic and versions") {
    std::string bad = good;
    bad[1] = 'M';
    CHECK_THROWS_AS(parse(bad), FormatError);
    bad = good;
    bad[6] = 4;
    CHECK_THROWS_AS(parse(bad), UnsupportedError);
    bad = good;
    bad[7] = 1;
    CHECK_THROWS_AS(parse(bad), UnsupportedError);
    bad = good;
    bad[8] = '\xff';  // header length past the end of the file
    bad[9] = '\xff';
    CHECK_THROWS_AS(parse(bad), FormatError);
  }
  SECTION("dtypes Octet does not read, named in the message") {
    for (const char* descr : {">f4", "<f8", "<f2", "|O", "<c8", ">i4", "<U3", "f4", "<i2"}) {
      try {
        parse(npy_file(1, dict(descr, "(2, 2)"), kF32Data));
        FAIL("accepted " << descr);
      } catch (const UnsupportedError& e) {
        CHECK_THAT(e.what(), Catch::Contains(descr) && Catch::Contains("test.npy"));
      }
    }
    CHECK_THROWS_AS(parse(npy_file(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", "")),
                    FormatError);
  }
  SECTION("Fortran order") {
    CHECK_THROWS_AS(parse(npy_file(1, dict("<f4", "(2, 2)", "True"), kF32Data)), UnsupportedError);
    CHECK_THROWS_AS(parse(npy_file(1, dict("<f4", "(2, 2)", "1"), kF32Data)), FormatError);
  }
  SECTION("bad shapes") {
    for (const char* shape : {"(2, -2)", "(2 2)", "(4)", "(2, 2", "2, 2", "(2,, 2)", "(,)", "(2.0, 2)", "(0x2, 2)",
                              "(99999999999999999999999, 1)", "[2, 2]", "(a, 2)"}) {
      INFO(shape);
      CHECK_THROWS_AS(parse(npy_file(1, dict("<f4", shape), kF32Data)), FormatError);
    }
    // Each dim fits, the product does not: refused before any allocation.
    CHECK_THROWS_AS(parse(npy_file(1, dict("<f4", "(1125899906842624, 1125899906842624)"), kF32Data)), FormatError);
    CHECK_THROWS_AS(parse(npy_file(1, dict("<f4", "(1099511627776,)"), kF32Data)), FormatError);
  }
  SECTION("bad dicts") {
    for (const std::string& d :
         {std::string("{'descr': '<f4', 'fortran_order': False}"),
          std::string("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'shape': (2, 2)}"),
          std::string("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'extra': 1}"),
          std::string("{'descr': '<f4' 'fortran_order': False, 'shape': (2, 2)}"),
          std::string("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)} x"),
          std::string("{'descr: '<f4', 'fortran_order': False, 'shape': (2, 2)}"), std::string("garbage"),
          std::string("")}) {
      INFO(d);
      CHECK_THROWS_AS(parse(npy_file(1, d, kF32Data)), FormatError);
    }
  }
  SECTION("bool bytes other than 0 and 1") {
    CHECK_THROWS_AS(parse(npy_file(1, dict("|b1", "(2,)"), from_hex("0102"))), FormatError);
  }
  SECTION("files that are not there or not files") {
    CHECK_THROWS_AS(read_npy("/nonexistent/octet/x.npy"), Error);
    CHECK_THROWS_AS(read_npy("/"), FormatError);
  }
}
