#pragma once
// Dynamically quantized INT8 LSTM, ONNX Runtime's com.microsoft:DynamicQuantizeLSTM:
// int8 weights stored, activations quantized per call, FP32 gate math.
//
// The arithmetic, per call (kernels/ref/qlstm_ref.cpp implements it
// literally, the driver here gives the same bits with Scalar activations):
//
//  1. X, all S * B rows of one call (shared by both directions), is
//     quantized to uint8 per row, i.e. per token: row r (one time step of
//     one batch entry, I values) gets its own DynamicQuantizeLinear qparams
//     (x_scale[r], x_zp[r]) = dynamic_quantize_params(X[r]) and
//     xq[r] = QuantizeLinear(X[r]). One scale for the whole tensor is set
//     by its largest row and leaves quiet rows (a time series' calm years)
//     a few of their 256 levels; per row each uses all of them, as
//     PyTorch's quantize_dynamic LSTM quantizes each step's input apart.
//  2. Input projection of every step, one u8 x s8 GEMM [S*B, I] x [I, 4H]:
//       acc[r, n] = sum_k (xq[r, k] - x_zp[r]) * w[k, n]     (int32, wraps modulo 2^32)
//       xg[r, n]  = float(acc[r, n]) * (x_scale[r] * w_scale[n]) + (Wb[n] + Rb[n])
//     in exactly this order: the scale product rounded to float, one
//     rounded multiply, then one rounded add of the pre-summed bias (no
//     bias input: no add). The library builds with -ffp-contract=off, so
//     no FMA changes a bit. A per-row zero point cannot fold into the
//     GEMM's per-column int32 bias, so the driver runs the GEMM with an
//     S32 output (sum_k xq * w) and takes x_zp[r] * col_sums[n] off in its
//     conversion pass, wrapping like the sums: the same int32. A one-row
//     projection (the B = 1 recurrence) still folds it into the int32 bias
//     of the F32 epilogue, which is the same arithmetic.
//  3. Per step, h(t-1) of each batch row b (h0 = initial_h or zeros;
//     finished rows keep their last h) is quantized the same way, one row
//     of H with its own qparams (h_scale[b], h_zp[b]), then
//       g[b, n] = float(sum_k (hq[b, k] - h_zp[b]) * r[k, n]) * (h_scale[b] * r_scale[n])
//                 + xg[row(t, b), n]
//     (one rounded multiply as in 2, then the rounded add of xg).
//  4. Gates, cell and hidden in FP32 as lstm_f32 (gate order i, o, f, c;
//     peepholes, clip, input_forget, sequence lengths identical):
//       i = sigmoid(clip(g_i + p_i * c)),  f = input_forget ? 1 - i : sigmoid(clip(g_f + p_f * c)),
//       c' = f * c + i * tanh(clip(g_c)),  o = sigmoid(clip(g_o + p_o * c')),  h' = o * tanh(clip(c'))
//     (no peephole: the p terms are absent, not added as 0).
//
// Nonlinearities: Scalar is qlstm_sigmoid_ref / qlstm_tanh_ref (std::exp,
// std::tanh), the reference's, so the driver is bit-exact with it at every
// ISA. Vector (the default) is sigmoid_f32 / tanh_f32
// (kernels/fp32/portable_exp.h: the same bits on x86 and ARM), measured in
// tests/qlstm_test.cpp against the std:: functions over a dense sweep of
// [-20, 20] (2^21 points) and 2^21 random points of [-100, 100]:
// max |error| <= 2^-23 (1.19e-7, two ulp just below 1) for both. They
// differ from std:: on about 4% (sigmoid) and 2% (tanh) of the sweep, by
// one or two ulp. In one step that bounds the difference in c by
// 2^-23 (|c| + 2) and in h by 2^-22 plus |dc|, plus a few ulp of rounding
// (the test's tolerance). Across steps a difference that small can still
// flip one rounding of the dynamically quantized h, so Vector and Scalar
// agree to a few quanta of h over a sequence, not to the activation error
// (tests state both tolerances).
#include <cstdint>
#include <vector>

#include "kernels/fp32/lstm_f32.h"
#include "kernels/qgemm.h"
#include "kernels/ref/qlstm_ref.h"

namespace octet::kernels {

// One projection's weights (W or R of one direction), prepacked for an ISA.
struct QLstmPackedWeights {
  PackedWeights packed;      // n = 4H, k = input_size or hidden_size
  std::vector<float> scale;  // one value, or one per column (4H)
};

// w is [k, n] row-major int8 with zero point 0 (ONNX Runtime's layout:
// rows of the input, gate columns); scale has n values when per_column,
// else one. Throws std::invalid_argument as prepack_weights_s8.
QLstmPackedWeights prepack_qlstm_weights(Isa isa, int64_t k, int64_t n, const int8_t* w, const float* scale,
                                         bool per_column);

struct QLstmDirection : LstmDirectionIO {
  const QLstmPackedWeights* w = nullptr;  // [I, 4H]
  const QLstmPackedWeights* r = nullptr;  // [H, 4H]
};

enum class QLstmActivations { Vector, Scalar };

// Buffers the driver reuses from call to call (resized, so a second call of
// the same shape allocates nothing). Owned by the caller, e.g. a prepared op.
struct QLstmScratch {
  std::vector<float> xg, gates, h, c, act, scales, bias;
  std::vector<uint8_t> hq;
  std::vector<DynamicQuantized> hqp;
  std::vector<int32_t> acc, zp_bias;
};

// One direction over the quantized input (xq, xqp[row]) of step 1, which
// the caller computes once per call with quantize_dynamic_u8_rows (S * B
// rows of input_size, row = x offset / input_size). Strides, options and
// seq_lens as lstm_direction_f32. Runs at the weights' ISA.
void qlstm_direction(const LstmDims& dims, const LstmStrides& strides, const LstmOptions& options,
                     const uint8_t* xq, const DynamicQuantized* xqp, const int32_t* seq_lens,
                     const QLstmDirection& dir, QLstmScratch& scratch,
                     QLstmActivations activations = QLstmActivations::Vector);

}  // namespace octet::kernels
