#pragma once
// INT8 2-D convolution (QLinearConv, ConvInteger) over NHWC buffers:
//
//   acc[n, oh, ow, m] = bias[m] + sum over taps (i, j) and channels c of its group
//                       (x[n, ih, iw, c] - x_zero_point) * w[m, c, i, j]
//
// u8 activations, s8 symmetric weights (zero point 0), then one epilogue:
// requantize to u8 / s8 with a fused clamp (ReLU / ReLU6 as qmin / qmax), or
// keep the s32 accumulators (ConvInteger). Taps in the padding contribute 0:
// they read the input zero point, whose term the folded bias cancels.
//
// Layout: x is NHWC [batch, H, W, C] and y is NHWC [batch, OH, OW, M], both
// dense. NHWC because every kernel wants channels contiguous per pixel: a 1x1
// convolution is then a GEMM straight over the image rows (K = C), an im2col
// row is kh * kw contiguous runs of C/group bytes, and depthwise kernels
// vectorize over channels. The graph stays NCHW; the engine transposes at its
// boundary.
//
// Plan once, run many (as TFLite's prepare / eval): prepack_qconv checks the
// geometry, picks a path, reorders and prepacks the weights for the ISA,
// folds -x_zero_point * (weight sum of channel m) into the bias (DESIGN.md)
// and expands the multipliers per channel. qconv_u8s8 then only computes.
//
// Paths, all bit-exact with kernels/ref/qconv_nhwc_ref.h at every ISA:
//   Pointwise  1x1, unpadded (any stride, any groups): the GEMM reads the
//              image in place (row stride C * stride_w), no copy.
//   Im2col     everything else that is not depthwise: per image and group, a
//              tile of output pixels is gathered into rows of K = kh*kw*C/g
//              bytes, (i, j, c) order, padding filled with the zero point,
//              then one qgemm_u8s8 call per tile.
//   Indirect   the Im2col shapes at Avx512Vnni when C/g % 4 == 0: the GEMM
//              micro-kernel reads each output pixel's kh * kw taps through
//              pointers (C/g contiguous bytes each, a row of the zero point
//              for taps in the padding), no copy; other levels use Im2col.
//              Dense convolutions with C % 4 != 0 and dilation_w 1 (the RGB
//              first layer) take it too with each kernel row as one tap: a
//              per-call copy of the image inside a border of the zero point
//              (its padding) makes a kernel row kw * C contiguous bytes, and
//              the weights pad it to row_span = kw * C rounded up to 4 with
//              zeros (vpdpbusd takes 4 depths at a time, and a group of 4
//              must not straddle two taps; the up to 3 bytes read past a row
//              meet zero weights).
//   Depthwise  groups == C == M: a per-channel kernel vectorized over
//              channels (kernels/ref/dwconv_ref.h, kernels/x86/dwconv_x86.h),
//              unrolled for 3x3 and 5x5; any stride, dilation and padding.
//              At Avx512Vnni a 3x3 with dilation 1 and stride_w 1 or 2 runs
//              whole output rows instead (dwconv3x3_u8s8_avx512vnni.cpp):
//              each input column interleaved once for the pixels sharing it.
#include <cstdint>
#include <vector>

#include "kernels/aligned_buffer.h"
#include "kernels/fp32/conv_f32.h"  // ConvParams
#include "kernels/isa.h"
#include "kernels/qgemm.h"

namespace octet::kernels {

// The 2-D geometry resolved from a ConvParams (a 1-D convolution is H = 1).
struct QConvShape {
  int64_t in_h = 0, in_w = 0, in_channels = 0, out_channels = 0, groups = 1;
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t out_h = 0, out_w = 0;
};

// Throws std::invalid_argument unless p is a valid convolution of rank 1 or 2
// (out_size consistent with the rest of the window).
QConvShape qconv_shape(const ConvParams& p);

// The output stage. U8 / S8: y = clamp(round_half_even(float(acc) * multiplier[m])
// + zero_point, qmin, qmax), the scheme of kernels/ref/requantize.h;
// multiplier = x_scale * w_scale[m] / y_scale. S32: y = acc (multiplier,
// zero_point and clamp unused). F32 is not supported.
struct QConvOutput {
  QGemmOutput type = QGemmOutput::U8;
  const float* multiplier = nullptr;  // one value, or [M] when per_channel
  bool per_channel = false;
  int32_t zero_point = 0;
  int32_t qmin = 0, qmax = 255;  // within the output type's range, qmin <= qmax
};

enum class QConvPath { Pointwise, Im2col, Depthwise, Indirect };

struct PackedConv {
  Isa isa = Isa::Ref;
  QConvPath path = QConvPath::Im2col;
  QConvShape shape;
  int32_t x_zero_point = 0;
  QGemmOutput type = QGemmOutput::U8;
  int32_t y_zero_point = 0, qmin = 0, qmax = 0;
  std::vector<int32_t> bias;        // [M rounded up to 64]: bias - x_zero_point * weight sums
  std::vector<float> multiplier;    // [M rounded up to 64], per channel
  std::vector<PackedWeights> gemm;  // Pointwise / Im2col / Indirect: one per group, n = M/g, k = kh*kw*C/g
                                    // (kh * row_span with row taps)
  AlignedBuffer dw_weights;         // Depthwise: the ISA's kernel layout (kernels/ref/dwconv_ref.h)
  AlignedBuffer zero_row;           // Depthwise / Indirect: C (+ slack) bytes of x_zero_point, the padding taps
  int64_t row_span = 0;             // Indirect with kernel rows as taps: bytes per tap (kw * C rounded up to 4); else 0
  int64_t tile_pixels = 0;          // Im2col: output pixels gathered per GEMM call; Indirect: per pointer tile
};

// w is ONNX's [M, C/groups, kh, kw] s8 layout (zero point 0); bias is [M] or
// null. Throws std::invalid_argument on a bad shape or output stage
// (non-finite multiplier, clamp outside the type, x_zero_point outside u8).
PackedConv prepack_qconv(Isa isa, const ConvParams& p, const int8_t* w, const int32_t* bias,
                         int32_t x_zero_point, const QConvOutput& out);

// Bytes of scratch one qconv_u8s8 call needs (independent of batch).
int64_t qconv_scratch_bytes(const PackedConv& pc);

// x: NHWC u8 [batch, H, W, C]; y: NHWC [batch, OH, OW, M] of pc.type (u8, s8
// or s32). scratch: qconv_scratch_bytes(pc) bytes, any alignment, or null to
// let the call allocate. Runs at pc.isa, single-threaded.
void qconv_u8s8(const PackedConv& pc, int64_t batch, const uint8_t* x, void* y, uint8_t* scratch = nullptr);

// A part of the batch's output: rows [row_begin, row_end) (row r is row
// r % OH of image r / OH) and channels [channel_begin, channel_end).
struct QConvPart {
  int64_t row_begin = 0, row_end = 0, channel_begin = 0, channel_end = 0;
};

// Output channels per unit of a channel split, or 0 when pc's path computes
// every channel of a pixel at once (the split must then cover all M). The
// Indirect path with one group splits at whole column-panel groups.
int64_t qconv_channel_unit(const PackedConv& pc);

// qconv_u8s8 for one part only, so that threads can share a convolution,
// each with its own scratch: by rows when there are many (each thread reads
// every weight), by channels when the rows are few and the weights large
// (each thread streams its own share of them). channel_begin and
// channel_end are multiples of qconv_channel_unit(pc) or M. Every output
// element comes out the same whatever the split.
void qconv_u8s8_part(const PackedConv& pc, const uint8_t* x, void* y, uint8_t* scratch, const QConvPart& part);

}  // namespace octet::kernels
