#pragma once
// FP32 GEMM for convolution, the weights packed once per ISA or read in
// place:
//
//   C[M, N] = A[M, K] x B[K, N] (+ bias[m])
//
// A is the convolution's weights [out channels, C/group * kernel] (row
// major); B is either a dense [K, pixels] matrix with row stride ldb (the
// im2col columns, or the image itself for a 1x1, stride-1, unpadded
// convolution) or a 2-D image whose im2col columns are gathered panel by
// panel as the GEMM runs, never written out whole (SgemmImageB); C is the
// NCHW output [out channels, pixels] with row stride ldc.
//
// Bit-exactness contract, every ISA level: each C element is the chain
//   acc = accumulate ? C[m, n] : (bias ? bias[m] : +0)
//   for k = 0..K-1: acc = fma(A[m, k], B[k, n], acc)     (one rounding each)
//   C[m, n] = acc
// in exactly that k order: std::fma in the reference (kernels/ref/sgemm_ref.h),
// vfmadd in the SIMD kernels. When the driver blocks K it carries the
// partial sums through C, which changes nothing (a float stored and
// reloaded is the same float). So every level gives the same bits
// (tests/sgemm_packed_test.cpp). NaN inputs are outside the contract: which
// NaN payload survives may differ between levels.
#include <cstdint>

#include "kernels/aligned_buffer.h"
#include "kernels/isa.h"
#include "kernels/window.h"

namespace octet::kernels {

// A for one ISA level, either packed or a view of the caller's A:
// - packed (prepack_sgemm_a): slivers of `mr` rows, one after another; a
//   sliver holds [K][mr] floats (the mr rows' weights of one depth
//   together, which the micro-kernel broadcasts one by one), the last
//   sliver padded with zero rows. Isa::Ref keeps A row-major (mr = 1).
// - in place (view_sgemm_a): rows points at the caller's row-major A (row
//   stride lda), which must outlive the view; nothing is copied, for
//   callers that would otherwise pack on every call.
struct PackedSgemmA {
  Isa isa = Isa::Ref;
  int64_t m = 0, k = 0;
  int mr = 1;
  AlignedBuffer data;
  const float* rows = nullptr;  // set for a view
  int64_t lda = 0;              // a view's row stride
};

// a[m, k] at a + m * lda + k.
PackedSgemmA prepack_sgemm_a(Isa isa, int64_t m, int64_t k, const float* a, int64_t lda);
PackedSgemmA view_sgemm_a(Isa isa, int64_t m, int64_t k, const float* a, int64_t lda);

// B as the im2col columns of one [channels, in_h, in_w] image (kernels/
// im2col.h with pad value 0): row k = (c, ky, kx), channel outer as in the
// weights [M, C, kh, kw]; column p = (oy, ox). window must be of rank 2.
struct SgemmImageB {
  const float* image = nullptr;
  const SpatialWindow* window = nullptr;
};

struct SgemmArgs {
  const PackedSgemmA* a = nullptr;
  int64_t n = 0;                // columns of B and C
  const float* b = nullptr;     // [a->k, n], row stride ldb; or
  int64_t ldb = 0;
  const SgemmImageB* image = nullptr;  // B gathered from an image (n = out pixels)
  const float* bias = nullptr;  // [a->m] or null; must be null when accumulate
  bool accumulate = false;      // start from C instead of bias / 0
  float* c = nullptr;           // [a->m, n], row stride ldc
  int64_t ldc = 0;
};

// Runs at args.a->isa. Throws std::invalid_argument on a malformed call.
void sgemm_packed(const SgemmArgs& args);

}  // namespace octet::kernels
