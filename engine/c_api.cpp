// The C API (engine/octet.h) over engine::Session: every exception becomes
// a status and this thread's last error message; inputs are checked here
// against the model's declared inputs so a caller's mistake is reported as
// OCTET_INVALID_ARGUMENT, not as a model error.
#include "engine/octet.h"

#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "engine/session.h"
#include "graph/error.h"

struct octet_model {
  octet::engine::Session session;
};

struct octet_context {
  const octet_model* model;
  octet::engine::RunContext context;
};

namespace {

using octet::graph::DType;
using octet::graph::Shape;
using octet::graph::Tensor;

thread_local std::string last_error;

octet_status fail(octet_status status, const std::string& message) {
  last_error = message;
  return status;
}

// Runs fn, turning whatever it throws into a status and message.
template <class Fn> octet_status guarded(Fn&& fn) {
  try {
    return fn();
  } catch (const octet::FormatError& e) {
    return fail(OCTET_FORMAT_ERROR, e.what());
  } catch (const octet::UnsupportedError& e) {
    return fail(OCTET_UNSUPPORTED, e.what());
  } catch (const std::bad_alloc&) {
    return fail(OCTET_INTERNAL_ERROR, "out of memory");
  } catch (const std::exception& e) {
    return fail(OCTET_INTERNAL_ERROR, e.what());
  }
}

octet_dtype to_c(DType t) {
  switch (t) {
    case DType::Float32: return OCTET_FLOAT32;
    case DType::UInt8: return OCTET_UINT8;
    case DType::Int8: return OCTET_INT8;
    case DType::Int32: return OCTET_INT32;
    case DType::Int64: return OCTET_INT64;
    case DType::Bool: return OCTET_BOOL;
    case DType::Float64: return OCTET_FLOAT64;
    default: return OCTET_UNDEFINED;
  }
}

DType from_c(octet_dtype t) {
  switch (t) {
    case OCTET_FLOAT32: return DType::Float32;
    case OCTET_UINT8: return DType::UInt8;
    case OCTET_INT8: return DType::Int8;
    case OCTET_INT32: return DType::Int32;
    case OCTET_INT64: return DType::Int64;
    case OCTET_BOOL: return DType::Bool;
    case OCTET_FLOAT64: return DType::Float64;
    default: return DType::Undefined;
  }
}

using Opener = octet::engine::Session (*)(const void*, size_t, const char*, const octet::engine::SessionOptions&);

octet_status load(octet_model** model, Opener open, const void* data, size_t size, const char* path,
                  const octet_options* options) {
  if (!model) return fail(OCTET_INVALID_ARGUMENT, "octet_model_load: model is null");
  *model = nullptr;
  octet::engine::SessionOptions session_options;
  if (options) {
    if (options->threads < 1)
      return fail(OCTET_INVALID_ARGUMENT, "octet_options.threads must be at least 1, is " +
                                              std::to_string(options->threads));
    session_options.threads = options->threads;
    session_options.max_activation_bytes = options->max_activation_bytes;
  }
  return guarded([&] {
    *model = new octet_model{open(data, size, path, session_options)};
    return OCTET_OK;
  });
}

octet_status info_of(const octet_model* model, size_t index, octet_tensor_info* info, bool input) {
  const char* what = input ? "octet_model_input_info" : "octet_model_output_info";
  if (!model || !info) return fail(OCTET_INVALID_ARGUMENT, std::string(what) + ": model or info is null");
  const auto& values = input ? model->session.inputs() : model->session.outputs();
  if (index >= values.size())
    return fail(OCTET_INVALID_ARGUMENT, std::string(what) + ": index " + std::to_string(index) + " past the " +
                                            std::to_string(values.size()) + (input ? " inputs" : " outputs"));
  const auto& v = values[index];
  if (v.has_shape && v.shape.size() > OCTET_MAX_RANK)
    return fail(OCTET_UNSUPPORTED, "'" + v.name + "' has rank " + std::to_string(v.shape.size()) +
                                       ", more than OCTET_MAX_RANK");
  info->name = v.name.c_str();
  info->dtype = to_c(v.dtype);
  info->rank = v.has_shape ? static_cast<int64_t>(v.shape.size()) : -1;
  for (size_t d = 0; d < OCTET_MAX_RANK; ++d) info->dims[d] = v.has_shape && d < v.shape.size() ? v.shape[d] : 0;
  return OCTET_OK;
}

// The caller's input as a Tensor (a copy), or a message saying why not.
std::string to_tensor(const octet_tensor& in, const std::string& name, Tensor* out) {
  const DType t = from_c(in.dtype);
  if (t == DType::Undefined) return "input '" + name + "': unknown dtype " + std::to_string(in.dtype);
  if (in.rank > OCTET_MAX_RANK) return "input '" + name + "': rank " + std::to_string(in.rank) + " > OCTET_MAX_RANK";
  const Shape shape(in.dims, in.dims + in.rank);
  Tensor x(t, shape);
  if (in.size_bytes != x.nbytes())
    return "input '" + name + "': shape " + octet::graph::shape_str(shape) + " needs " + std::to_string(x.nbytes()) +
           " bytes, size_bytes is " + std::to_string(in.size_bytes);
  if (x.nbytes() && !in.data) return "input '" + name + "': data is null";
  if (x.nbytes()) std::memcpy(x.raw(), in.data, x.nbytes());
  *out = std::move(x);
  return "";
}

// Writes y's type and shape to out, and its bytes when they fit.
std::string from_tensor(const Tensor& y, const std::string& name, octet_tensor* out) {
  if (y.rank() > OCTET_MAX_RANK) return "output '" + name + "': rank " + std::to_string(y.rank()) + " > OCTET_MAX_RANK";
  out->dtype = to_c(y.dtype());
  out->rank = y.rank();
  for (size_t d = 0; d < OCTET_MAX_RANK; ++d) out->dims[d] = d < y.rank() ? y.dim(d) : 0;
  if (out->size_bytes < y.nbytes() || (y.nbytes() && !out->data))
    return "output '" + name + "': needs " + std::to_string(y.nbytes()) + " bytes, size_bytes is " +
           std::to_string(out->size_bytes);
  if (y.nbytes()) std::memcpy(out->data, y.raw(), y.nbytes());
  return "";
}

// Runs `run_inputs` (the checked inputs as tensors) on the model's own
// context or on a thread's.
template <class Runner>
octet_status run(const octet_model* model, const octet_tensor* inputs, size_t input_count, octet_tensor* outputs,
                 size_t output_count, Runner&& run_inputs) {
  const auto& s = model->session;
  if (input_count != s.inputs().size() || output_count != s.outputs().size())
    return fail(OCTET_INVALID_ARGUMENT, "the model takes " + std::to_string(s.inputs().size()) + " inputs and gives " +
                                            std::to_string(s.outputs().size()) + " outputs; " +
                                            std::to_string(input_count) + " and " + std::to_string(output_count) +
                                            " given");
  if ((input_count && !inputs) || (output_count && !outputs))
    return fail(OCTET_INVALID_ARGUMENT, "octet_model_run: inputs or outputs is null");
  std::vector<Tensor> x(input_count);
  for (size_t i = 0; i < input_count; ++i) {
    std::string problem = to_tensor(inputs[i], s.inputs()[i].name, &x[i]);
    if (problem.empty()) problem = octet::engine::input_mismatch(s.inputs()[i], x[i]);
    if (!problem.empty()) return fail(OCTET_INVALID_ARGUMENT, problem);
  }
  const std::vector<Tensor> y = run_inputs(x);
  for (size_t i = 0; i < output_count; ++i) {
    const std::string problem = from_tensor(y[i], s.outputs()[i].name, &outputs[i]);
    if (!problem.empty()) return fail(OCTET_INVALID_ARGUMENT, problem);
  }
  return OCTET_OK;
}

}  // namespace

extern "C" {

octet_options octet_options_default(void) {
  const octet::engine::SessionOptions defaults;
  octet_options o;
  o.threads = defaults.threads;
  o.max_activation_bytes = defaults.max_activation_bytes;
  return o;
}

const char* octet_version(void) { return OCTET_VERSION_STRING; }

const char* octet_last_error(void) { return last_error.c_str(); }

octet_status octet_model_load(const char* path, const octet_options* options, octet_model** model) {
  if (!path) return fail(OCTET_INVALID_ARGUMENT, "octet_model_load: path is null");
  Opener open = [](const void*, size_t, const char* p, const octet::engine::SessionOptions& o) {
    return octet::engine::Session::from_file(p, o);
  };
  return load(model, open, nullptr, 0, path, options);
}

octet_status octet_model_load_from_memory(const void* data, size_t size, const octet_options* options,
                                          octet_model** model) {
  if (!data && size) return fail(OCTET_INVALID_ARGUMENT, "octet_model_load_from_memory: data is null");
  Opener open = [](const void* d, size_t n, const char*, const octet::engine::SessionOptions& o) {
    return octet::engine::Session::from_buffer(d, n, o);
  };
  return load(model, open, data, size, nullptr, options);
}

void octet_model_free(octet_model* model) { delete model; }

size_t octet_model_input_count(const octet_model* model) { return model ? model->session.inputs().size() : 0; }

size_t octet_model_output_count(const octet_model* model) { return model ? model->session.outputs().size() : 0; }

octet_status octet_model_input_info(const octet_model* model, size_t index, octet_tensor_info* info) {
  return info_of(model, index, info, true);
}

octet_status octet_model_output_info(const octet_model* model, size_t index, octet_tensor_info* info) {
  return info_of(model, index, info, false);
}

octet_status octet_model_run(octet_model* model, const octet_tensor* inputs, size_t input_count,
                             octet_tensor* outputs, size_t output_count) {
  if (!model) return fail(OCTET_INVALID_ARGUMENT, "octet_model_run: model is null");
  return guarded([&] {
    return run(model, inputs, input_count, outputs, output_count,
               [&](const std::vector<Tensor>& x) { return model->session.run(x); });
  });
}

octet_status octet_context_create(const octet_model* model, octet_context** context) {
  if (!model || !context) return fail(OCTET_INVALID_ARGUMENT, "octet_context_create: model or context is null");
  *context = nullptr;
  return guarded([&] {
    *context = new octet_context{model, octet::engine::RunContext(model->session)};
    return OCTET_OK;
  });
}

void octet_context_free(octet_context* context) { delete context; }

octet_status octet_context_run(octet_context* context, const octet_tensor* inputs, size_t input_count,
                               octet_tensor* outputs, size_t output_count) {
  if (!context) return fail(OCTET_INVALID_ARGUMENT, "octet_context_run: context is null");
  return guarded([&] {
    return run(context->model, inputs, input_count, outputs, output_count,
               [&](const std::vector<Tensor>& x) { return context->context.run(x); });
  });
}

}  // extern "C"
