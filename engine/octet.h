/* Octet's C API: load a model (ONNX or .octet), ask for its inputs and
 * outputs, run it on buffers the caller owns.
 *
 *   octet_model* m = NULL;
 *   if (octet_model_load("digits.octet", NULL, &m) != OCTET_OK) {
 *     fprintf(stderr, "%s\n", octet_last_error());
 *     return 1;
 *   }
 *   octet_tensor x = {OCTET_FLOAT32, 2, {1, 64}, pixels, sizeof pixels};
 *   octet_tensor y = {OCTET_FLOAT32, 0, {0}, logits, sizeof logits};
 *   octet_status s = octet_model_run(m, &x, 1, &y, 1);
 *   octet_model_free(m);
 *
 * Every function that can fail returns an octet_status; on failure,
 * octet_last_error() gives the message (what was wrong and where) until the
 * calling thread's next failing call. No C++ exception crosses this API and
 * nothing is printed.
 *
 * Threads: octet_model_run runs one call at a time per model. To run one
 * loaded model from several threads at once, give each thread an
 * octet_context (its own run state; the weights stay shared). */
#ifndef OCTET_H
#define OCTET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum octet_status {
  OCTET_OK = 0,
  /* A null pointer, an index past the end, a buffer too small, an input of
   * the wrong type or shape. */
  OCTET_INVALID_ARGUMENT = 1,
  /* A file that cannot be read, or a malformed model or tensor. */
  OCTET_FORMAT_ERROR = 2,
  /* A well-formed model using something Octet does not support. */
  OCTET_UNSUPPORTED = 3,
  /* Anything else (out of memory, a bug). */
  OCTET_INTERNAL_ERROR = 4
} octet_status;

/* Element types, numbered as ONNX's TensorProto.DataType. */
typedef enum octet_dtype {
  OCTET_UNDEFINED = 0,
  OCTET_FLOAT32 = 1,
  OCTET_UINT8 = 2,
  OCTET_INT8 = 3,
  OCTET_INT32 = 6,
  OCTET_INT64 = 7,
  OCTET_BOOL = 9,
  OCTET_FLOAT64 = 11
} octet_dtype;

#define OCTET_MAX_RANK 8

/* A dense row-major tensor in the caller's memory. For an input, data
 * holds the values and size_bytes their size. For an output, data is where
 * the values go and size_bytes its capacity; the run writes dtype, rank
 * and dims (also when the capacity is too small, so the caller can size a
 * buffer and run again). */
typedef struct octet_tensor {
  octet_dtype dtype;
  size_t rank;
  int64_t dims[OCTET_MAX_RANK];
  void* data;
  size_t size_bytes;
} octet_tensor;

/* An input or output as the model declares it. name stays valid while the
 * model lives; a dim is -1 where the model leaves it symbolic (a batch
 * size), and rank is -1 when the model gives no shape. */
typedef struct octet_tensor_info {
  const char* name;
  octet_dtype dtype;
  int64_t rank;
  int64_t dims[OCTET_MAX_RANK];
} octet_tensor_info;

typedef struct octet_model octet_model;
typedef struct octet_context octet_context;

/* How a model runs; NULL for the defaults. */
typedef struct octet_options {
  /* Threads per run (the caller's included), at least 1; the convolutions
   * split their output rows among them. Outputs do not depend on it.
   * Default 1. */
  int threads;
  /* The most bytes of activations a plan may need (each input, value and
   * folded constant, and all of them live at once); a model that would need
   * more fails with OCTET_FORMAT_ERROR before allocating. 0: the default,
   * max(256 MiB, 64 x the model's weight bytes). */
  size_t max_activation_bytes;
} octet_options;

/* The defaults (threads 1, the default activation limit). Start from
 * these and set what you change, so fields added in later versions keep
 * their defaults: octet_options o = octet_options_default(); o.threads = 2; */
octet_options octet_options_default(void);

/* "0.1.0" */
const char* octet_version(void);

/* The message of this thread's last failed call ("" if none failed). */
const char* octet_last_error(void);

/* Loads and plans an ONNX or .octet model (told apart by their first
 * bytes). On success *model must be freed with octet_model_free. */
octet_status octet_model_load(const char* path, const octet_options* options, octet_model** model);
/* The same from a model file's bytes; they are copied, so the buffer may be
 * freed once this returns. */
octet_status octet_model_load_from_memory(const void* data, size_t size, const octet_options* options,
                                          octet_model** model);
void octet_model_free(octet_model* model);

size_t octet_model_input_count(const octet_model* model);
size_t octet_model_output_count(const octet_model* model);
octet_status octet_model_input_info(const octet_model* model, size_t index, octet_tensor_info* info);
octet_status octet_model_output_info(const octet_model* model, size_t index, octet_tensor_info* info);

/* Runs the model: inputs in the order of octet_model_input_info, outputs
 * likewise (all of them). Input types and shapes must match the model's
 * (a symbolic dim takes any size). */
octet_status octet_model_run(octet_model* model, const octet_tensor* inputs, size_t input_count,
                             octet_tensor* outputs, size_t output_count);

/* A thread's own run state for `model` (which must outlive it): contexts
 * of one model run at the same time. */
octet_status octet_context_create(const octet_model* model, octet_context** context);
void octet_context_free(octet_context* context);
/* As octet_model_run, on the context's state. */
octet_status octet_context_run(octet_context* context, const octet_tensor* inputs, size_t input_count,
                               octet_tensor* outputs, size_t output_count);

#ifdef __cplusplus
}
#endif

#endif /* OCTET_H */
