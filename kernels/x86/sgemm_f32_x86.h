#pragma once
// Per-ISA micro-kernels of the packed FP32 GEMM (kernels/fp32/sgemm_packed.h).
// kernels/fp32/sgemm_packed.cpp packs A and the B panels and blocks K and N;
// these functions compute one column panel over pointers and strides, and
// may be called only at a level that isa_supported() accepts.
#include <cstdint>

namespace octet::kernels::x86 {

// Rows per packed A sliver and the widest tile of each level (the kernel
// files say why these).
constexpr int kSgemmMrAvx512 = 8, kSgemmNrAvx512 = 48;
constexpr int kSgemmMrAvx2 = 6, kSgemmNrAvx2 = 16;
// Columns per packed B panel at every level: AVX2 runs a panel as three
// 16-column tiles, so that the cost of packing (for an image source, the
// gather) is shared by as many FMAs as on AVX-512.
constexpr int kSgemmPanel = 48;

// C[0, m) x [0, cols) over depths [0, kc), cols <= kSgemmPanel:
//   a      A at this depth block, element (row r, depth q) of the panel's
//          rows [0, m) at a + (r / Mr) * sliver_stride + (r % Mr) * row_stride
//          + q * depth_stride: packed slivers ([kc][Mr]: row_stride 1,
//          depth_stride Mr) or A in place (row_stride lda, depth_stride 1,
//          sliver_stride Mr * lda);
//   b      the B panel packed by the driver: kc rows of kSgemmPanel floats,
//          64-byte aligned, columns past cols zero;
//   c      C at the panel's first column, rows ldc apart;
//   load_c the sums start from C (a later depth block), else from bias[row]
//          (or +0 when bias is null).
struct SgemmPanel {
  int64_t m = 0;
  const float* a = nullptr;
  int64_t sliver_stride = 0;
  int64_t row_stride = 1, depth_stride = 0;
  int64_t kc = 0;
  const float* b = nullptr;
  int64_t cols = 0;
  const float* bias = nullptr;
  bool load_c = false;
  float* c = nullptr;
  int64_t ldc = 0;
};

// How a micro-kernel reads A (both levels): from packed slivers ([k][Mr])
// or in place (rows lda apart).
template <int Mr>
struct SgemmPackedA {
  const float* p;
  const float* at(int r, int64_t k) const { return p + k * Mr + r; }
};
struct SgemmRowsA {
  const float* p;
  int64_t lda;
  const float* at(int r, int64_t k) const { return p + r * lda + k; }
};

void sgemm_panel_avx512(const SgemmPanel& p);
void sgemm_panel_avx2(const SgemmPanel& p);

}  // namespace octet::kernels::x86
