#pragma once
// Scalar reference of the dynamically quantized LSTM (kernels/qlstm.h holds
// the arithmetic's definition): integer sums as gemm_s32_ref with per-row
// zero points, the conversion to float written out as the definition reads,
// the gate math element by element with the std:: sigmoid and tanh below.
// The truth the fast driver is tested against.
#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/fp32/lstm_f32.h"

namespace octet::kernels {

// The scalar gate nonlinearities. The fast driver runs these too when asked
// for QLstmActivations::Scalar, which is what makes it bit-exact with the
// reference; inline so both translation units compute the same expression.
inline float qlstm_sigmoid_ref(float v) { return 1.0f / (1.0f + std::exp(-v)); }
inline float qlstm_tanh_ref(float v) { return std::tanh(v); }

// A float tensor quantized per call, as ONNX DynamicQuantizeLinear does
// (uint8, asymmetric, range widened to include 0).
struct DynamicQuantized {
  float scale = 1.0f;
  int32_t zero_point = 0;
};
DynamicQuantized quantize_dynamic_u8(const float* x, int64_t n, uint8_t* xq);

// Per-row (per-token) dynamic quantization: each of `rows` rows of `cols`
// values, row-major, quantized by quantize_dynamic_u8 with its own qparams
// qp[row].
void quantize_dynamic_u8_rows(const float* x, int64_t rows, int64_t cols, uint8_t* xq, DynamicQuantized* qp);

// One direction's 8-bit weights in ONNX Runtime's layout, [K, 4H] row-major
// (input rows, gate columns i, o, f, c): K = input_size for W, hidden_size
// for R. Exactly one of s8 / u8 is set.
struct QLstmWeightsRef {
  const int8_t* s8 = nullptr;
  const uint8_t* u8 = nullptr;
  const float* scale = nullptr;          // one value, or 4H when per_column
  const int32_t* zero_point = nullptr;   // as scale; null means 0
  bool per_column = false;
};

struct QLstmDirectionRef : LstmDirectionIO {
  QLstmWeightsRef w, r;
};

// The bookkeeping both INT8 LSTM drivers share (copies only, so the fast
// driver's bits are the reference's): each batch row's length, seq_lens
// (null: all seq_length) clamped to [0, seq_length]; the initial state,
// batch rows of H stride apart in src (null: zeros), packed into dst; the
// final state, packed rows, into dst (null: skipped), zeros for a row of
// length 0.
std::vector<int64_t> qlstm_lengths(const int32_t* seq_lens, int64_t batch, int64_t seq_length);
void qlstm_load_state(const float* src, int64_t batch, int64_t H, int64_t stride, std::vector<float>& dst);
void qlstm_store_state(const std::vector<float>& src, const std::vector<int64_t>& lens, int64_t H, int64_t stride,
                       float* dst);

// One direction over x, whose S * B rows of input_size were quantized once
// per call, row by row, into xq with qparams xqp[row] (quantize_dynamic_u8_rows;
// row = x offset / input_size, so either layout; shared by both directions).
// Strides, options and seq_lens as lstm_direction_f32.
void qlstm_direction_ref(const LstmDims& dims, const LstmStrides& strides, const LstmOptions& options,
                         const uint8_t* xq, const DynamicQuantized* xqp, const int32_t* seq_lens,
                         const QLstmDirectionRef& dir);

}  // namespace octet::kernels
