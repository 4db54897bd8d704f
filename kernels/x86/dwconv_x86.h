#pragma once
// x86 depthwise convolution microkernels (see kernels/ref/dwconv_ref.h for
// the arguments and the indirection scheme). Exact over the whole u8 x s8
// range, no 16-bit intermediate can saturate:
//   AVX2: each u8 zero-extended to a 32-bit lane, vpmaddwd against the
//         sign-extended 32-bit weight (the high 16-bit halves give 0 * w_high);
//         weights as the Ref layout, int32 [taps][weights_stride].
//   AVX-512 VNNI: four taps of a channel per lane, one vpdpbusd (u8 x s8 sums
//         into int32 with no intermediate rounding); weights, bias and
//         multipliers in one buffer from dwconv_pack_avx512vnni (the
//         arguments' bias and multiplier are not read).
// Call only at a level isa_supported() reports.
#include "kernels/ref/dwconv_ref.h"

namespace octet::kernels {

void dwconv_u8s8_avx2(const DwConvArgs& a);
void dwconv_u8s8_avx512vnni(const DwConvArgs& a);

// w: ONNX depthwise weights [channels][taps]; bias (folded) and multiplier
// [channels]. packed: 64-byte aligned, dwconv_packed_bytes_avx512vnni bytes.
int64_t dwconv_packed_bytes_avx512vnni(int64_t channels, int64_t taps);
void dwconv_pack_avx512vnni(int64_t channels, int64_t taps, const int8_t* w, const int32_t* bias,
                            const float* multiplier, void* packed);

// 3x3 depthwise, dilation 1, stride_w 1 or 2, AVX-512 VNNI, one or two
// output rows per call (kernels/x86/dwconv3x3_u8s8_avx512vnni.cpp). Instead
// of tap pointers per pixel it takes the input rows under the output rows:
// each input column is interleaved once and reused by every output pixel
// that reads it. The caller handles the rows in the padding (zero_row with
// pixel_stride 0); columns outside [0, in_w) read zero_row too.
struct DwConv3x3RowArgs {
  int64_t channels = 0;
  const uint8_t* rows[4] = {};        // input rows ky = 0..2 (3 too with out_rows 2) at pixel 0
  int64_t pixel_stride[4] = {};       // bytes from one pixel of rows[ky] to the next: C, or 0
  // 1, or 2 (stride_h 1): output rows from input rows 0..2 and 1..3, the
  // second at y + out_w * C elements, from the same column interleaves.
  int64_t out_rows = 1;
  int64_t in_w = 0, out_w = 0;
  int64_t stride = 1, pad_left = 0;   // output pixel ox reads columns ox * stride - pad_left + kx
  uint8_t x_zero_point = 0;           // the input's: zero_row's bytes
  const uint8_t* zero_row = nullptr;  // channels rounded up to 64 bytes of x_zero_point
  const void* packed = nullptr;       // dwconv3x3_pack_avx512vnni
  QGemmOutput type = QGemmOutput::U8;  // U8, S8 or S32
  int32_t zero_point = 0, qmin = 0, qmax = 255;
  void* y = nullptr;                  // out_rows x out_w pixels of C outputs, dense
};

// w: ONNX depthwise weights [channels][3][3]; bias (folded) and multiplier
// [channels]. packed: 64-byte aligned, dwconv3x3_packed_bytes_avx512vnni
// bytes. The pack also picks the requantization's guard against
// overflowing the float-to-int conversion (NaN too: any multiplier goes).
int64_t dwconv3x3_packed_bytes_avx512vnni(int64_t channels);
void dwconv3x3_pack_avx512vnni(int64_t channels, const int8_t* w, const int32_t* bias, const float* multiplier,
                               void* packed);
void dwconv3x3_u8s8_row_avx512vnni(const DwConv3x3RowArgs& a);

}  // namespace octet::kernels
