#pragma once
// INT8 GEMM, the one driver under quantized Linear, MatMul and convolution:
//
//   acc[m, n] = bias[n] + sum_k a[m, k] * b[n, k]        (u8 x s8 -> s32)
//
// then one epilogue per call: requantize to u8 / s8 (with a fused clamp),
// dequantize to f32, or keep s32. Weights are prepacked once per ISA into
// the kernel's layout; activations are read in place.
//
// Zero points are the caller's, folded into `bias` (DESIGN.md): with
// symmetric weights, sum_k (a - a_zp) * b = sum_k a * b - a_zp * col_sums[n],
// so the caller adds -a_zp * col_sums[n] to bias[n] once at prepack (static
// quantization) or per call (dynamic quantization).
//
// Exact for K <= 65793 (255 * 128 * K fits in int32); every ISA gives the
// same bits as the reference (tests/qgemm_test.cpp).
#include <cstdint>
#include <vector>

#include "kernels/aligned_buffer.h"
#include "kernels/isa.h"

namespace octet::kernels {

struct PackedWeights {
  Isa isa = Isa::Ref;
  int64_t n = 0, k = 0;
  AlignedBuffer data;             // the kernel's layout for `isa`
  std::vector<int32_t> col_sums;  // sum over k of b[n, k], for zero-point folding
  // Avx2 only: every |b| <= 64, so data holds the layout of the faster
  // vpmaddubsw kernel (kernels/x86/qgemm_x86.h); chosen by the prepack, the
  // results are the same bits either way.
  bool weights_7bit = false;
};

// b[n, k] is read at b + n * stride_n + k * stride_k: a Conv weight
// [M, C*kh*kw] is (stride_n = K, stride_k = 1), a MatMul B [K, N] is
// (stride_n = 1, stride_k = N).
PackedWeights prepack_weights_s8(Isa isa, int64_t n, int64_t k, const int8_t* b, int64_t stride_n,
                                 int64_t stride_k);

enum class QGemmOutput { U8, S8, F32, S32 };

struct QGemmEpilogue {
  QGemmOutput type = QGemmOutput::S32;
  const int32_t* bias = nullptr;  // [n] or null
  // U8 / S8: the requantization multiplier; F32: the dequantization scale
  // (acc * scale). One value, or one per output channel when per_channel.
  const float* scale = nullptr;
  bool per_channel = false;
  int32_t zero_point = 0;     // U8 / S8 output zero point
  int32_t qmin = 0, qmax = 0;  // U8 / S8: clamp of the quantized output (fused ReLU / ReLU6)
};

struct QGemmArgs {
  int64_t m = 0;
  const uint8_t* a = nullptr;  // [m, k], row stride lda (bytes)
  int64_t lda = 0;
  const PackedWeights* b = nullptr;
  QGemmEpilogue epilogue;
  void* c = nullptr;  // [m, n] of the output type, row stride ldc (elements)
  int64_t ldc = 0;
};

// Runs at b->isa.
void qgemm_u8s8(const QGemmArgs& args);

}  // namespace octet::kernels
