// The .octet model file: exact round trips, the same answers as the ONNX it
// came from, and damaged files refused with octet::Error, never a crash.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>

#include "engine/session.h"
#include "graph/error.h"
#include "graph/file_io.h"
#include "graph/npy.h"
#include "graph/octet_format.h"
#include "graph/onnx_import.h"
#include "tests/graph_checks.h"
#include "tests/test_graphs.h"

using namespace octet;
using graph::Attribute;
using graph::DType;
using graph::Graph;
using graph::Node;
using graph::Tensor;
using octet::testing::check_same_graph;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("octet_format_test_" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  size_t entries() const { return static_cast<size_t>(std::distance(fs::directory_iterator(path), {})); }
};

std::vector<uint8_t> slurp(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

void spit(const std::string& p, const std::vector<uint8_t>& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void put_u64(std::vector<uint8_t>& b, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) b.at(at + i) = static_cast<uint8_t>(v >> (8 * i));
}

graph::ValueInfo value(const std::string& name, DType dtype, graph::Shape shape, std::vector<std::string> params) {
  graph::ValueInfo v;
  v.name = name;
  v.dtype = dtype;
  v.shape = std::move(shape);
  v.dim_params = std::move(params);
  v.has_shape = true;
  return v;
}

Node node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out) {
  Node n;
  n.op_type = op;
  n.name = out.at(0) + "_node";
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

// Not meant to run: it exercises every field the format carries.
Graph every_field_graph() {
  Graph g;
  g.name = "every field";
  g.producer = "octet_format_test";
  g.opset = 17;
  g.inputs.push_back(value("x", DType::Float32, {-1, 3, -1}, {"batch", "", "seq"}));
  g.inputs.push_back(value("mask", DType::Bool, {2}, {}));
  graph::ValueInfo unshaped;
  unshaped.name = "free";
  g.inputs.push_back(unshaped);
  g.outputs.push_back(value("y", DType::UInt8, {-1, 3}, {"batch", ""}));
  g.value_info["mid"] = value("mid", DType::Int8, {4}, {});

  g.initializers["f32"] = Tensor::from<float>({2, 3}, {1.5f, -2.f, 3.25f, 0.f, -0.f, 1e-30f});
  g.initializers["f64"] = Tensor::from<double>({2}, {3.141592653589793, -1e300});
  Tensor w = Tensor::from<int8_t>({3, 2}, {-128, 127, 0, -1, 5, 9});
  w.qparams.scale = {0.5f, 0.25f, 0.125f};
  w.qparams.zero_point = {0, 0, 0};
  w.qparams.axis = 0;
  g.initializers["w_i8_per_channel"] = w;
  Tensor a = Tensor::from<uint8_t>({3}, {0, 128, 255});
  a.qparams.scale = {0.0625f};
  a.qparams.zero_point = {128};
  g.initializers["a_u8_per_tensor"] = a;
  g.initializers["i32"] = Tensor::from<int32_t>({2}, {INT32_MIN, INT32_MAX});
  g.initializers["i64"] = Tensor::from<int64_t>({1, 2}, {INT64_MIN, 42});
  g.initializers["bool"] = Tensor::from<bool>({3}, {true, false, true});
  g.initializers["scalar"] = Tensor::scalar<float>(7.f);
  g.initializers["zero_sized"] = Tensor(DType::Float32, {0, 4});
  g.initializers[""] = Tensor::scalar<int64_t>(-3);  // the empty name is still a name

  Node n = node("Mystery", {"x", "", "w_i8_per_channel"}, {"mid", "y"});
  n.domain = "com.example";
  n.opset = 17;
  n.attrs["f"] = Attribute::of(-0.75f);
  n.attrs["i"] = Attribute::of(int64_t(-9000000000));
  n.attrs["s"] = Attribute::of("SAME_UPPER");
  n.attrs["t"] = Attribute::of(Tensor::from<int32_t>({2, 1}, {7, -7}));
  n.attrs["floats"] = Attribute::of(std::vector<float>{1.f, -2.5f});
  n.attrs["ints"] = Attribute::of(std::vector<int64_t>{1, 0, -1});
  Attribute strings;
  strings.kind = Attribute::Kind::Strings;
  strings.strings = {"a", "", "SAME_UPPER"};
  n.attrs["strings"] = strings;
  n.attrs["empty_ints"] = Attribute::of(std::vector<int64_t>{});
  g.nodes.push_back(n);
  Node bare = node("Relu", {"mid"}, {"z"});
  bare.name = "";
  g.nodes.push_back(bare);
  return g;
}

// Loading must end in a graph or in octet::Error; anything else (another
// exception, a crash, a sanitizer report) fails the test.
bool loads_or_refuses(const std::string& path) {
  try {
    graph::load_octet(path);
    return true;
  } catch (const Error&) {
    return false;
  }
}

const std::string kDigits = std::string(OCTET_SOURCE_DIR) + "/models/bundled/";

}  // namespace

TEST_CASE("octet file: every field round-trips exactly", "[octet_format]") {
  TempDir dir;
  Graph g = every_field_graph();
  std::string path = dir.file("every.octet");
  graph::save_octet(g, path);
  CHECK(dir.entries() == 1);  // no temporary left behind
  CHECK(graph::is_octet_file(path));
  Graph back = graph::load_octet(path);
  check_same_graph(g, back);

  SECTION("the layout: magic, version, aligned data") {
    std::vector<uint8_t> bytes = slurp(path);
    REQUIRE(bytes.size() % 64 == 0);
    CHECK(std::memcmp(bytes.data(), "OCTET\0\0\0", 8) == 0);
    CHECK(bytes[8] == 1);
    // Saving what was loaded gives the same bytes: nothing is lost or reordered.
    graph::save_octet(back, dir.file("again.octet"));
    CHECK(slurp(dir.file("again.octet")) == bytes);
  }
}

TEST_CASE("octet file: saving refuses what it could not load back", "[octet_format]") {
  TempDir dir;
  Graph g;
  Tensor w = Tensor::from<int8_t>({2, 2}, {1, 2, 3, 4});
  w.qparams.scale = {0.5f, 0.5f, 0.5f};  // three channels on a dim of 2
  w.qparams.axis = 0;
  g.initializers["w"] = w;
  REQUIRE_THROWS_WITH(graph::save_octet(g, dir.file("bad.octet")), Catch::Contains("tensor 'w' qparams"));
  CHECK(dir.entries() == 0);
  g.initializers["w"] = Tensor();
  REQUIRE_THROWS_AS(graph::save_octet(g, dir.file("bad.octet")), Error);
  CHECK(dir.entries() == 0);
}

TEST_CASE("octet file: qparams with a zero point outside the type or a bad scale are refused",
          "[octet_format][hostile]") {
  TempDir dir;
  Graph g;
  Tensor a = Tensor::from<uint8_t>({3}, {0, 128, 255});
  a.qparams.scale = {0.0625f};
  a.qparams.zero_point = {128};
  g.initializers["a"] = a;
  const std::string path = dir.file("q.octet");
  graph::save_octet(g, path);
  // The same file with the zero point's i32 (after the scale and the
  // zero-point count) patched to 300: out of uint8's range.
  std::vector<uint8_t> bytes = graph::read_file(path);
  uint8_t pattern[16];
  const float scale = 0.0625f;
  const uint64_t count = 1;
  const int32_t zp = 128;
  std::memcpy(pattern, &scale, 4), std::memcpy(pattern + 4, &count, 8), std::memcpy(pattern + 12, &zp, 4);
  auto at = std::search(bytes.begin(), bytes.end(), pattern, pattern + 16);
  REQUIRE(at != bytes.end());
  const int32_t bad = 300;
  std::memcpy(&*(at + 12), &bad, 4);
  CHECK_THROWS_WITH(graph::load_octet(bytes.data(), bytes.size(), "patched.octet"),
                    Catch::Contains("patched.octet") && Catch::Contains("zero point 300 is outside uint8"));
  // Saving refuses the same, and a negative, NaN or infinite scale, writing nothing.
  g.initializers["a"].qparams.zero_point = {300};
  CHECK_THROWS_WITH(graph::save_octet(g, dir.file("bad.octet")), Catch::Contains("zero point 300"));
  g.initializers["a"].qparams.zero_point = {128};
  for (float s : {-0.5f, std::nanf(""), std::numeric_limits<float>::infinity()}) {
    g.initializers["a"].qparams.scale = {s};
    CHECK_THROWS_WITH(graph::save_octet(g, dir.file("bad.octet")), Catch::Contains("must be finite and not negative"));
  }
  CHECK(dir.entries() == 1);
}

TEST_CASE("octet file: the digits CNN gives bit-identical outputs to its ONNX", "[octet_format]") {
  TempDir dir;
  std::string onnx = kDigits + "digits_cnn.onnx";
  // A misleading extension: the session picks the loader by the magic bytes.
  std::string octet_path = dir.file("digits.onnx");
  graph::save_octet(graph::import_onnx_file(onnx), octet_path);
  CHECK(fs::file_size(octet_path) < fs::file_size(onnx) + 4096);
  Tensor x = graph::read_npy(kDigits + "digits_input.npy");

  engine::Session from_onnx = engine::Session::from_file(onnx);
  engine::Session from_octet = engine::Session::from_file(octet_path);
  std::vector<Tensor> want = from_onnx.run({x});
  std::vector<Tensor> got = from_octet.run({x});
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    REQUIRE(got[i].shape() == want[i].shape());
    REQUIRE(got[i].dtype() == DType::Float32);
    CHECK(std::memcmp(got[i].raw(), want[i].raw(), got[i].nbytes()) == 0);
  }
  // And both agree with the committed reference logits (float tolerance:
  // those came from PyTorch).
  Tensor ref = graph::read_npy(kDigits + "digits_expected.npy");
  REQUIRE(ref.numel() == got[0].numel());
  for (int64_t i = 0; i < ref.numel(); ++i)
    CHECK(got[0].data<float>()[i] == Approx(ref.data<float>()[i]).margin(1e-4));
}

TEST_CASE("octet file: loaded weights outlive the loader and a replaced file", "[octet_format]") {
  // Tensors alias the file's private mapping (no copy of the weights); the
  // mapping must live as long as they do, and a save that renames a new
  // file over the path must not change a graph already loaded.
  TempDir dir;
  std::string path = dir.file("m.octet");
  graph::Graph g = graph::import_onnx_file(kDigits + "digits_cnn.onnx");
  graph::save_octet(g, path);
  graph::Graph loaded = graph::load_octet(path);
  graph::Graph other = g;
  for (auto& kv : other.initializers) kv.second = kv.second.clone();
  for (auto& kv : other.initializers)
    if (kv.second.dtype() == DType::Float32)
      for (int64_t i = 0; i < kv.second.numel(); ++i) kv.second.data<float>()[i] = -7.f;
  graph::save_octet(other, path);
  fs::remove(path);
  REQUIRE(loaded.initializers.size() == g.initializers.size());
  for (const auto& kv : g.initializers) {
    const Tensor& got = loaded.initializers.at(kv.first);
    REQUIRE(got.nbytes() == kv.second.nbytes());
    CHECK(std::memcmp(got.raw(), kv.second.raw(), got.nbytes()) == 0);
    CHECK(reinterpret_cast<uintptr_t>(got.raw()) % 64 == 0);
  }
}

namespace {

// The process's resident bytes of file-backed mappings (/proc/self/status RssFile).
int64_t rss_file_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("RssFile:", 0) == 0) return std::stoll(line.substr(8)) * 1024;
  return -1;
}

}  // namespace

TEST_CASE("octet file: released weight pages leave memory and keep their bytes", "[octet_format]") {
  // What the session does with a prepacked weight: 8 MiB of a mapped .octet
  // stop being resident, and reading them again gives the same bytes.
  TempDir dir;
  const std::string path = dir.file("big.octet");
  Graph g;
  g.opset = 13;
  g.inputs.push_back(octet::testing::float_value("x", {2, 2}));
  g.outputs.push_back(octet::testing::float_value("y", {2, 2}));
  Tensor w(DType::Int8, {8 << 20});
  for (int64_t i = 0; i < w.numel(); ++i) w.data<int8_t>()[i] = static_cast<int8_t>(i * 7 + i / 4096);
  g.initializers["w"] = w;
  g.nodes.push_back(octet::testing::make_node("Neg", {"x"}, {"y"}));
  graph::save_octet(g, path);
  graph::Graph loaded = graph::load_octet(path);
  const Tensor& mapped = loaded.initializers.at("w");
  REQUIRE(loaded.mapped_files.size() == 1);
  REQUIRE(std::memcmp(mapped.raw(), w.raw(), w.nbytes()) == 0);  // every page resident now
  const int64_t before = rss_file_bytes();
  graph::release_mapped_pages(loaded, mapped);
  const int64_t after = rss_file_bytes();
  INFO("RssFile " << before << " -> " << after);
#if defined(__x86_64__)
  // Not checked in the aarch64 build: the suite runs it under qemu-user,
  // which takes madvise advice without passing it to the host kernel.
  CHECK(before - after > (6 << 20));
#else
  (void)before, (void)after;
#endif
  CHECK(std::memcmp(mapped.raw(), w.raw(), w.nbytes()) == 0);
  // A tensor in ordinary memory is left alone.
  graph::release_mapped_pages(loaded, w);
  CHECK(w.data<int8_t>()[12345] == static_cast<int8_t>(12345 * 7 + 12345 / 4096));
}

TEST_CASE("octet file: damaged files give octet::Error, never a crash", "[octet_format]") {
  TempDir dir;
  std::string good = dir.file("good.octet");
  graph::save_octet(every_field_graph(), good);
  const std::vector<uint8_t> bytes = slurp(good);
  std::string bad = dir.file("bad.octet");

  SECTION("every truncation") {
    for (size_t len = 0; len < bytes.size(); ++len) {
      spit(bad, std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len)));
      INFO("truncated to " << len << " bytes");
      CHECK_FALSE(loads_or_refuses(bad));
    }
  }
  SECTION("every single bit flip in the header and meta, a sample in the data") {
    std::vector<uint8_t> copy = bytes;
    size_t refused = 0, flips = 0;
    std::mt19937 rng(7);
    for (size_t at = 0; at < copy.size(); ++at) {
      for (int bit = 0; bit < 8; ++bit) {
        bool meta = at < 64 + 2048;  // well past this small model's meta section
        if (!meta && rng() % 16 != 0) continue;
        copy[at] ^= static_cast<uint8_t>(1u << bit);
        spit(bad, copy);
        INFO("bit " << bit << " of byte " << at);
        if (!loads_or_refuses(bad)) ++refused;
        ++flips;
        copy[at] ^= static_cast<uint8_t>(1u << bit);
      }
    }
    // Many flips land in values (a float, a name's letters) and still load;
    // the structure's flips must be caught.
    CHECK(refused > flips / 4);
  }
  SECTION("a newer version") {
    std::vector<uint8_t> b = bytes;
    b[8] = 2;
    spit(bad, b);
    REQUIRE_THROWS_AS(graph::load_octet(bad), UnsupportedError);
    REQUIRE_THROWS_WITH(graph::load_octet(bad),
                        Catch::Contains("file format version 2 is newer than this Octet supports (1)") &&
                            Catch::Contains(bad));
  }
  SECTION("a wrong magic") {
    std::vector<uint8_t> b = bytes;
    b[0] = 'X';
    spit(bad, b);
    CHECK_FALSE(graph::is_octet_file(bad));
    REQUIRE_THROWS_WITH(graph::load_octet(bad), Catch::Contains("magic"));
  }
  SECTION("the data section past the end") {
    std::vector<uint8_t> b = bytes;
    put_u64(b, 40, b.size() + 64);
    spit(bad, b);
    REQUIRE_THROWS_WITH(graph::load_octet(bad), Catch::Contains("data_offset"));
  }
  SECTION("a tensor's data offset past the end, or misaligned") {
    // every_field_graph's first tensor is "" (a scalar int64, no qparams):
    // its record ends with i32 axis 0, u64 offset 0, u64 byte_size 8.
    std::vector<uint8_t> pattern(20, 0);
    pattern[12] = 8;
    auto it = std::search(bytes.begin(), bytes.end(), pattern.begin(), pattern.end());
    REQUIRE(it != bytes.end());
    size_t offset_field = static_cast<size_t>(it - bytes.begin()) + 4;
    std::vector<uint8_t> b = bytes;
    put_u64(b, offset_field, 1u << 20);
    spit(bad, b);
    REQUIRE_THROWS_WITH(graph::load_octet(bad), Catch::Contains("tensor 0") && Catch::Contains("past the end"));
    put_u64(b, offset_field, 8);
    spit(bad, b);
    REQUIRE_THROWS_WITH(graph::load_octet(bad), Catch::Contains("not 64-byte aligned"));
    put_u64(b, offset_field, 64);  // aligned and inside, but on another tensor's bytes
    spit(bad, b);
    REQUIRE_THROWS_WITH(graph::load_octet(bad), Catch::Contains("overlaps"));
  }
  SECTION("a huge count") {
    std::vector<uint8_t> b = bytes;
    put_u64(b, 64, uint64_t(1) << 62);  // the string table's count
    spit(bad, b);
    REQUIRE_THROWS_WITH(graph::load_octet(bad), Catch::Contains("string table count"));
  }
  SECTION("a size that disagrees with the file") {
    std::vector<uint8_t> b = bytes;
    b.insert(b.end(), 64, 0);
    spit(bad, b);
    REQUIRE_THROWS_WITH(graph::load_octet(bad), Catch::Contains("file_size"));
  }
  SECTION("through the session, too") {
    std::vector<uint8_t> b = bytes;
    b.resize(b.size() / 2);
    spit(bad, b);
    REQUIRE_THROWS_AS(engine::Session::from_file(bad), FormatError);
  }
}
