// The C API (engine/octet.h) on the bundled digits CNN: its declared inputs
// and outputs, its logits against PyTorch's (digits_expected.npy, saved by
// scripts/make_digits.py), a model loaded from memory, and every argument
// or model error as a status with a message, nothing thrown.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "engine/octet.h"
#include "graph/file_io.h"
#include "graph/npy.h"
#include "graph/tensor.h"

namespace {

const std::string kDigits = std::string(OCTET_SOURCE_DIR) + "/models/bundled/";

// Frees the model at scope exit, so a failed REQUIRE does not leak it.
struct Model {
  octet_model* m = nullptr;
  ~Model() { octet_model_free(m); }
};

octet_tensor images(octet::graph::Tensor& x, int64_t batch) {
  octet_tensor t{OCTET_FLOAT32, 4, {batch, 1, 8, 8}, x.raw(), static_cast<size_t>(batch) * 64 * sizeof(float)};
  return t;
}

octet_tensor output_buffer(std::vector<float>& y) {
  octet_tensor t{OCTET_UNDEFINED, 0, {0}, y.data(), y.size() * sizeof(float)};
  return t;
}

bool contains(const char* text, const std::string& part) { return std::string(text).find(part) != std::string::npos; }

}  // namespace

TEST_CASE("C API: the digits model's inputs, outputs and logits", "[c_api]") {
  Model model;
  REQUIRE(octet_model_load((kDigits + "digits_cnn.onnx").c_str(), nullptr, &model.m) == OCTET_OK);
  REQUIRE(octet_model_input_count(model.m) == 1);
  REQUIRE(octet_model_output_count(model.m) == 1);
  octet_tensor_info info;
  REQUIRE(octet_model_input_info(model.m, 0, &info) == OCTET_OK);
  CHECK(std::string(info.name) == "image");
  CHECK(info.dtype == OCTET_FLOAT32);
  REQUIRE(info.rank == 4);
  CHECK((info.dims[0] == -1 && info.dims[1] == 1 && info.dims[2] == 8 && info.dims[3] == 8));
  REQUIRE(octet_model_output_info(model.m, 0, &info) == OCTET_OK);
  CHECK(std::string(info.name) == "logits");

  octet::graph::Tensor x = octet::graph::read_npy(kDigits + "digits_input.npy");
  const octet::graph::Tensor want = octet::graph::read_npy(kDigits + "digits_expected.npy");
  for (int64_t batch : {16, 1, 3}) {  // the symbolic batch takes any size
    INFO("batch " << batch);
    std::vector<float> y(static_cast<size_t>(batch) * 10, NAN);
    const octet_tensor in = images(x, batch);
    octet_tensor out = output_buffer(y);
    REQUIRE(octet_model_run(model.m, &in, 1, &out, 1) == OCTET_OK);
    CHECK(out.dtype == OCTET_FLOAT32);
    REQUIRE(out.rank == 2);
    CHECK((out.dims[0] == batch && out.dims[1] == 10));
    // FP32 against PyTorch's FP32: summation order only.
    for (size_t i = 0; i < y.size(); ++i) CHECK(std::abs(y[i] - want.data<float>()[i]) <= 1e-4f);
  }
}

TEST_CASE("C API: a model loaded from memory runs as the file does, after the buffer is gone", "[c_api]") {
  std::vector<uint8_t> bytes = octet::graph::read_file(kDigits + "digits_cnn.onnx");
  Model from_file, from_memory;
  REQUIRE(octet_model_load((kDigits + "digits_cnn.onnx").c_str(), nullptr, &from_file.m) == OCTET_OK);
  REQUIRE(octet_model_load_from_memory(bytes.data(), bytes.size(), nullptr, &from_memory.m) == OCTET_OK);
  std::fill(bytes.begin(), bytes.end(), 0xff);
  bytes.clear();
  bytes.shrink_to_fit();
  octet::graph::Tensor x = octet::graph::read_npy(kDigits + "digits_input.npy");
  std::vector<float> a(160), b(160);
  const octet_tensor in = images(x, 16);
  octet_tensor out_a = output_buffer(a), out_b = output_buffer(b);
  REQUIRE(octet_model_run(from_file.m, &in, 1, &out_a, 1) == OCTET_OK);
  REQUIRE(octet_model_run(from_memory.m, &in, 1, &out_b, 1) == OCTET_OK);
  CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

TEST_CASE("C API: errors are statuses with messages", "[c_api]") {
  Model model;
  SECTION("a missing file") {
    CHECK(octet_model_load("/nonexistent/model.onnx", nullptr, &model.m) == OCTET_FORMAT_ERROR);
    CHECK(model.m == nullptr);
    CHECK(contains(octet_last_error(), "/nonexistent/model.onnx"));
  }
  SECTION("a truncated model in memory") {
    const std::vector<uint8_t> bytes = octet::graph::read_file(kDigits + "digits_cnn.onnx");
    CHECK(octet_model_load_from_memory(bytes.data(), bytes.size() / 2, nullptr, &model.m) == OCTET_FORMAT_ERROR);
    CHECK(model.m == nullptr);
    CHECK(contains(octet_last_error(), "model buffer"));
  }
  SECTION("null arguments") {
    CHECK(octet_model_load(nullptr, nullptr, &model.m) == OCTET_INVALID_ARGUMENT);
    CHECK(octet_model_load("x.onnx", nullptr, nullptr) == OCTET_INVALID_ARGUMENT);
    CHECK(octet_model_run(nullptr, nullptr, 0, nullptr, 0) == OCTET_INVALID_ARGUMENT);
    CHECK(contains(octet_last_error(), "model is null"));
    CHECK(octet_model_input_count(nullptr) == 0);
  }
  REQUIRE(octet_model_load((kDigits + "digits_cnn.onnx").c_str(), nullptr, &model.m) == OCTET_OK);
  octet::graph::Tensor x = octet::graph::read_npy(kDigits + "digits_input.npy");
  std::vector<float> y(160);
  octet_tensor in = images(x, 16);
  octet_tensor out = output_buffer(y);
  SECTION("an index past the inputs") {
    octet_tensor_info info;
    CHECK(octet_model_input_info(model.m, 1, &info) == OCTET_INVALID_ARGUMENT);
    CHECK(contains(octet_last_error(), "index 1 past the 1 inputs"));
  }
  SECTION("the wrong number of inputs") {
    CHECK(octet_model_run(model.m, &in, 0, &out, 1) == OCTET_INVALID_ARGUMENT);
    CHECK(contains(octet_last_error(), "takes 1 inputs"));
  }
  SECTION("an input of the wrong type") {
    in.dtype = OCTET_INT32;
    CHECK(octet_model_run(model.m, &in, 1, &out, 1) == OCTET_INVALID_ARGUMENT);
    CHECK(contains(octet_last_error(), "input 'image' must be float32, got int32"));
  }
  SECTION("an input of the wrong shape") {
    in.dims[2] = 7;
    in.size_bytes = 16 * 7 * 8 * sizeof(float);
    CHECK(octet_model_run(model.m, &in, 1, &out, 1) == OCTET_INVALID_ARGUMENT);
    CHECK(contains(octet_last_error(), "input 'image' must have shape [?, 1, 8, 8], got [16, 1, 7, 8]"));
  }
  SECTION("size_bytes that does not match the shape") {
    in.size_bytes -= 4;
    CHECK(octet_model_run(model.m, &in, 1, &out, 1) == OCTET_INVALID_ARGUMENT);
    CHECK(contains(octet_last_error(), "needs 4096 bytes, size_bytes is 4092"));
  }
  SECTION("an output buffer too small: the shape is still given") {
    out.size_bytes = 10 * sizeof(float);
    CHECK(octet_model_run(model.m, &in, 1, &out, 1) == OCTET_INVALID_ARGUMENT);
    CHECK(contains(octet_last_error(), "output 'logits': needs 640 bytes, size_bytes is 40"));
    CHECK((out.rank == 2 && out.dims[0] == 16 && out.dims[1] == 10));
  }
}

TEST_CASE("C API: threads in options and contexts sharing one model give the model's bytes", "[c_api]") {
  octet::graph::Tensor x = octet::graph::read_npy(kDigits + "digits_input.npy");
  const octet_tensor in = images(x, 16);
  Model plain;
  REQUIRE(octet_model_load((kDigits + "digits_cnn.onnx").c_str(), nullptr, &plain.m) == OCTET_OK);
  std::vector<float> want(160);
  octet_tensor out = output_buffer(want);
  REQUIRE(octet_model_run(plain.m, &in, 1, &out, 1) == OCTET_OK);

  Model threaded;
  octet_options options{2};
  REQUIRE(octet_model_load((kDigits + "digits_cnn.onnx").c_str(), &options, &threaded.m) == OCTET_OK);
  octet_context* contexts[2] = {nullptr, nullptr};
  for (auto*& c : contexts) REQUIRE(octet_context_create(threaded.m, &c) == OCTET_OK);
  std::vector<float> got[2] = {std::vector<float>(160), std::vector<float>(160)};
  octet_status status[2];
  std::thread a([&] {
    octet_tensor o = output_buffer(got[0]);
    status[0] = octet_context_run(contexts[0], &in, 1, &o, 1);
  });
  std::thread b([&] {
    octet_tensor o = output_buffer(got[1]);
    status[1] = octet_context_run(contexts[1], &in, 1, &o, 1);
  });
  a.join();
  b.join();
  for (auto* c : contexts) octet_context_free(c);
  for (int i = 0; i < 2; ++i) {
    CHECK(status[i] == OCTET_OK);
    CHECK(std::memcmp(got[i].data(), want.data(), want.size() * sizeof(float)) == 0);
  }
  SECTION("a model whose activations pass max_activation_bytes fails to run, naming the limit") {
    octet_options small = octet_options_default();
    CHECK(small.threads == 1);
    CHECK(small.max_activation_bytes == 0);
    small.max_activation_bytes = 4096;
    Model limited;
    REQUIRE(octet_model_load((kDigits + "digits_cnn.onnx").c_str(), &small, &limited.m) == OCTET_OK);
    std::vector<float> y(160);
    octet_tensor o = output_buffer(y);
    CHECK(octet_model_run(limited.m, &in, 1, &o, 1) == OCTET_FORMAT_ERROR);
    CHECK(contains(octet_last_error(), "over the activation limit of 4096 bytes"));
  }
  SECTION("zero threads is an argument error") {
    octet_options none{0};
    octet_model* m = nullptr;
    CHECK(octet_model_load((kDigits + "digits_cnn.onnx").c_str(), &none, &m) == OCTET_INVALID_ARGUMENT);
    CHECK(contains(octet_last_error(), "threads must be at least 1"));
    CHECK(m == nullptr);
  }
}
