#include "kernels/qconv.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include "kernels/qgemm_tile.h"
#include "kernels/ref/dwconv_ref.h"
#if defined(__x86_64__) || defined(_M_X64)
#include "kernels/x86/dwconv_x86.h"
#include "kernels/x86/qgemm_x86.h"
#define OCTET_QCONV_X86 1
#endif
#if defined(__aarch64__)
#include "kernels/arm/dwconv_arm.h"
#define OCTET_QCONV_ARM 1
#endif

namespace octet::kernels {

namespace {

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument("qconv: " + what); }

// Output pixels gathered per im2col tile: enough rows to keep the GEMM's
// M loop long, few enough that the tile (tile * K bytes) stays in L2 while
// the GEMM streams it.
constexpr int64_t kIm2colTileBytes = 192 * 1024;

// Tap pointers built per indirect tile (whole output rows): with the input
// rows they point into, a tile stays in L2 while every column panel passes it.
constexpr int64_t kIndirectTileBytes = 256 * 1024;

void check_output(const QConvOutput& out, int64_t M) {
  if (out.type == QGemmOutput::S32) return;
  if (out.type == QGemmOutput::F32) fail("F32 output is not supported");
  const int32_t lo = out.type == QGemmOutput::U8 ? 0 : -128, hi = out.type == QGemmOutput::U8 ? 255 : 127;
  if (out.zero_point < lo || out.zero_point > hi) fail("output zero point outside the output type");
  if (out.qmin < lo || out.qmax > hi || out.qmin > out.qmax) fail("clamp [qmin, qmax] outside the output type");
  if (!out.multiplier) fail("requantized output needs a multiplier");
  for (int64_t m = 0; m < (out.per_channel ? M : 1); ++m)
    if (!std::isfinite(out.multiplier[m])) fail("non-finite multiplier");
}

bool is_depthwise(const QConvShape& s) { return s.groups == s.in_channels && s.out_channels == s.in_channels; }

bool is_pointwise(const QConvShape& s) {
  return s.kernel_h == 1 && s.kernel_w == 1 && s.pad_top == 0 && s.pad_left == 0 && s.pad_bottom == 0 &&
         s.pad_right == 0;
}

#ifdef OCTET_QCONV_X86
// A dense convolution with C % 4 != 0 (the RGB first layer) runs indirect
// with its kernel rows as taps (kernels/qconv.h). Measured at Avx512Vnni
// against im2col: resnet18's conv1 (7x7/2, 3 -> 64 @224) ~0.64 vs ~1.05 ms,
// mobilenet_v2's first conv (3x3/2, 3 -> 32 @224) ~0.16 vs ~0.29 ms.
// Padding C itself to 4 instead (K = 196 for conv1, one 4-byte group per
// tap) was slower than im2col for conv1: 1.21 ms.
bool uses_row_taps(const QConvShape& s) {
  return s.groups == 1 && s.in_channels % 4 != 0 && s.dilation_w == 1;
}
#endif

// The indirect path needs the VNNI kernel and whole groups of 4 depths per
// tap: C/g % 4 == 0, or kernel rows as taps.
bool use_indirect(Isa isa, const QConvShape& s) {
#ifdef OCTET_QCONV_X86
  return runs_avx512vnni(isa) && ((s.in_channels / s.groups) % 4 == 0 || uses_row_taps(s));
#else
  (void)isa, (void)s;
  return false;
#endif
}

// Taps per output pixel and bytes per tap that the indirect micro-kernel walks.
int64_t indirect_taps(const PackedConv& pc) {
  return pc.row_span > 0 ? pc.shape.kernel_h : pc.shape.kernel_h * pc.shape.kernel_w;
}
[[maybe_unused]] int64_t indirect_depth(const PackedConv& pc) {
  return pc.row_span > 0 ? pc.row_span : pc.shape.in_channels / pc.shape.groups;
}

// With row taps the image is copied inside a border of its padding (the
// zero point), plus slack: the last pixel's last row tap reads up to 3
// bytes (row_span - kw * C) past the image.
constexpr int64_t kRowTapSlack = 4;
int64_t bordered_h(const QConvShape& s) { return s.pad_top + s.in_h + s.pad_bottom; }
int64_t bordered_w(const QConvShape& s) { return s.pad_left + s.in_w + s.pad_right; }

// Depthwise 3x3 with dilation 1 and stride_w 1 or 2 (all of mobilenet's) at
// Avx512Vnni runs the row kernel, which interleaves each input column once
// for the output pixels that share it, instead of the per-pixel tap pointers.
bool uses_dw3x3_rows(const PackedConv& pc) {
#ifdef OCTET_QCONV_X86
  const QConvShape& s = pc.shape;
  return runs_avx512vnni(pc.isa) && s.kernel_h == 3 && s.kernel_w == 3 && s.dilation_h == 1 &&
         s.dilation_w == 1 && (s.stride_w == 1 || s.stride_w == 2);
#else
  (void)pc;
  return false;
#endif
}

void pack_depthwise(PackedConv& pc, const int8_t* w) {
  const QConvShape& s = pc.shape;
  const int64_t taps = s.kernel_h * s.kernel_w, C = s.in_channels, stride = round_up(C, kDwChannelPad);
  pc.zero_row = AlignedBuffer(static_cast<size_t>(stride));
  std::memset(pc.zero_row.data(), pc.x_zero_point, pc.zero_row.size());
#ifdef OCTET_QCONV_X86
  if (uses_dw3x3_rows(pc)) {
    pc.dw_weights = AlignedBuffer(static_cast<size_t>(dwconv3x3_packed_bytes_avx512vnni(C)));
    dwconv3x3_pack_avx512vnni(C, w, pc.bias.data(), pc.multiplier.data(), pc.dw_weights.data());
    return;
  }
  if (runs_avx512vnni(pc.isa)) {
    pc.dw_weights = AlignedBuffer(static_cast<size_t>(dwconv_packed_bytes_avx512vnni(C, taps)));
    dwconv_pack_avx512vnni(C, taps, w, pc.bias.data(), pc.multiplier.data(), pc.dw_weights.data());
    return;
  }
#endif
#ifdef OCTET_QCONV_ARM
  if (is_arm(pc.isa)) {
    pc.dw_weights = AlignedBuffer(static_cast<size_t>(taps * stride) * sizeof(int16_t));
    arm::dwconv_pack_neon(C, taps, w, stride, reinterpret_cast<int16_t*>(pc.dw_weights.data()));
    return;
  }
#endif
  pc.dw_weights = AlignedBuffer(static_cast<size_t>(taps * stride) * sizeof(int32_t));
  int32_t* dst = reinterpret_cast<int32_t*>(pc.dw_weights.data());
  for (int64_t c = 0; c < C; ++c)
    for (int64_t t = 0; t < taps; ++t) dst[t * stride + c] = w[c * taps + t];
}

// Reorders each group's ONNX weights [mg, cg, kh, kw] to the im2col row order
// [mg, kh, kw, cg] (channels innermost, as NHWC gathers them) and prepacks.
// With row taps each kernel row is padded to row_span bytes with zero weights.
void pack_gemm(PackedConv& pc, const int8_t* w) {
  const QConvShape& s = pc.shape;
  const int64_t cg = s.in_channels / s.groups, mg = s.out_channels / s.groups, kh = s.kernel_h, kw = s.kernel_w;
  const int64_t span = pc.row_span > 0 ? pc.row_span : kw * cg, K = cg * kh * kw, Kp = kh * span;
  std::vector<int8_t> reordered(static_cast<size_t>(mg * Kp), 0);
  for (int64_t g = 0; g < s.groups; ++g) {
    const int8_t* wg = w + g * mg * K;
    for (int64_t m = 0; m < mg; ++m)
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t j = 0; j < kw; ++j)
            reordered[m * Kp + i * span + j * cg + c] = wg[((m * cg + c) * kh + i) * kw + j];
    pc.gemm.push_back(prepack_weights_s8(pc.isa, mg, Kp, reordered.data(), Kp, 1));
  }
}

// bias[m] - x_zero_point * sum(w[m]), wrapping modulo 2^32 as the kernels' adds do.
void fold_bias(PackedConv& pc, const int8_t* w, const int32_t* bias) {
  const QConvShape& s = pc.shape;
  const int64_t M = s.out_channels, K = s.in_channels / s.groups * s.kernel_h * s.kernel_w;
  pc.bias.assign(static_cast<size_t>(round_up(M, kDwChannelPad)), 0);
  for (int64_t m = 0; m < M; ++m) {
    int64_t sum = 0;
    for (int64_t k = 0; k < K; ++k) sum += w[m * K + k];
    const uint32_t b = bias ? static_cast<uint32_t>(bias[m]) : 0u;
    pc.bias[m] = static_cast<int32_t>(b - static_cast<uint32_t>(sum * pc.x_zero_point));
  }
}

QGemmEpilogue epilogue(const PackedConv& pc, int64_t m0) {
  QGemmEpilogue e;
  e.type = pc.type;
  e.bias = pc.bias.data() + m0;
  e.scale = pc.multiplier.data() + m0;
  e.per_channel = true;
  e.zero_point = pc.y_zero_point;
  e.qmin = pc.qmin;
  e.qmax = pc.qmax;
  return e;
}

void gemm(const PackedConv& pc, int64_t g, int64_t m, const uint8_t* a, int64_t lda, uint8_t* c_bytes) {
  const int64_t mg = pc.shape.out_channels / pc.shape.groups;
  QGemmArgs args;
  args.m = m;
  args.a = a;
  args.lda = lda;
  args.b = &pc.gemm[static_cast<size_t>(g)];
  args.epilogue = epilogue(pc, g * mg);
  args.c = c_bytes + g * mg * static_cast<int64_t>(qgemm_elem_size(pc.type));
  args.ldc = pc.shape.out_channels;
  qgemm_u8s8(args);
}

// Output rows [r0, r1) of the batch (row r is image r / out_h, row r % out_h).
struct RowRange {
  int64_t r0, r1;
};

void run_pointwise(const PackedConv& pc, const uint8_t* x, uint8_t* y, RowRange rows) {
  const QConvShape& s = pc.shape;
  const int64_t C = s.in_channels, cg = C / s.groups, esize = static_cast<int64_t>(qgemm_elem_size(pc.type));
  for (int64_t g = 0; g < s.groups; ++g) {
    if (s.stride_h == 1 && s.stride_w == 1) {  // every image row of every image is one GEMM row
      const int64_t p0 = rows.r0 * s.out_w;
      gemm(pc, g, (rows.r1 - rows.r0) * s.out_w, x + p0 * C + g * cg, C, y + p0 * s.out_channels * esize);
      continue;
    }
    for (int64_t r = rows.r0; r < rows.r1; ++r) {
      const int64_t n = r / s.out_h, oh = r % s.out_h;
      const uint8_t* a = x + ((n * s.in_h + oh * s.stride_h) * s.in_w) * C + g * cg;
      gemm(pc, g, s.out_w, a, s.stride_w * C, y + r * s.out_w * s.out_channels * esize);
    }
  }
}

// Calls fn(n, first, end) for each image n that rows cover, with the
// image's own output rows [first, end) among them.
template <class Fn> void for_each_image(const QConvShape& s, RowRange rows, Fn&& fn) {
  for (int64_t n = rows.r0 / s.out_h; n * s.out_h < rows.r1; ++n)
    fn(n, std::max(rows.r0 - n * s.out_h, int64_t{0}), std::min(rows.r1 - n * s.out_h, s.out_h));
}

// Gathers output pixels [p0, p0 + count) of one image and group into rows of
// kh * kw * cg bytes, taps in the padding filled with the zero point.
void im2col_nhwc(const PackedConv& pc, const uint8_t* image, int64_t g, int64_t p0, int64_t count, uint8_t* dst) {
  const QConvShape& s = pc.shape;
  const int64_t C = s.in_channels, cg = C / s.groups, span = s.kernel_w * cg;
  const uint8_t zp = static_cast<uint8_t>(pc.x_zero_point);
  const bool contiguous_taps = s.dilation_w == 1 && cg == C;  // a kernel row is one run of kw * C bytes
  for (int64_t p = p0; p < p0 + count; ++p) {
    const int64_t oh = p / s.out_w, ow = p % s.out_w;
    const int64_t iw0 = ow * s.stride_w - s.pad_left;
    for (int64_t i = 0; i < s.kernel_h; ++i, dst += span) {
      const int64_t ih = oh * s.stride_h - s.pad_top + i * s.dilation_h;
      if (ih < 0 || ih >= s.in_h) {
        std::memset(dst, zp, static_cast<size_t>(span));
        continue;
      }
      const uint8_t* row = image + ih * s.in_w * C + g * cg;
      if (contiguous_taps && iw0 >= 0 && iw0 + s.kernel_w <= s.in_w) {
        std::memcpy(dst, row + iw0 * C, static_cast<size_t>(span));
        continue;
      }
      for (int64_t j = 0; j < s.kernel_w; ++j) {
        const int64_t iw = iw0 + j * s.dilation_w;
        if (iw < 0 || iw >= s.in_w)
          std::memset(dst + j * cg, zp, static_cast<size_t>(cg));
        else
          std::memcpy(dst + j * cg, row + iw * C, static_cast<size_t>(cg));
      }
    }
  }
}

void run_im2col(const PackedConv& pc, const uint8_t* x, uint8_t* y, uint8_t* scratch, RowRange rows) {
  const QConvShape& s = pc.shape;
  const int64_t K = s.in_channels / s.groups * s.kernel_h * s.kernel_w, pixels = s.out_h * s.out_w;
  const int64_t esize = static_cast<int64_t>(qgemm_elem_size(pc.type));
  for_each_image(s, rows, [&](int64_t n, int64_t first, int64_t end) {
    const uint8_t* image = x + n * s.in_h * s.in_w * s.in_channels;
    for (int64_t p0 = first * s.out_w; p0 < end * s.out_w; p0 += pc.tile_pixels) {
      const int64_t count = std::min(pc.tile_pixels, end * s.out_w - p0);
      uint8_t* out = y + (n * pixels + p0) * s.out_channels * esize;
      for (int64_t g = 0; g < s.groups; ++g) {
        im2col_nhwc(pc, image, g, p0, count, scratch);
        gemm(pc, g, count, scratch, K, out);
      }
    }
  });
}

using DwKernel = void (*)(const DwConvArgs&);

DwKernel dw_kernel(Isa isa) {
#ifdef OCTET_QCONV_X86
  if (runs_avx512vnni(isa)) return dwconv_u8s8_avx512vnni;
  if (isa == Isa::Avx2) return dwconv_u8s8_avx2;
#endif
#ifdef OCTET_QCONV_ARM
  if (is_arm(isa)) return arm::dwconv_u8s8_neon;
#endif
  (void)isa;
  return dwconv_u8s8_ref;
}

// The tap pointers of output row oh: kh * kw per output pixel, the zero-point
// row where a tap falls in the padding. Interior pixels (the common case)
// whose left neighbour is interior too take its taps one stride on.
void fill_indirection(const PackedConv& pc, const uint8_t* image, int64_t oh, const uint8_t** rows,
                      const uint8_t** t) {
  const QConvShape& s = pc.shape;
  const int64_t C = s.in_channels, tap_step = s.dilation_w * C, taps = s.kernel_h * s.kernel_w;
  const int64_t pixel_step = s.stride_w * C;
  const uint8_t* zero = pc.zero_row.data();
  bool all_rows = true;
  for (int64_t i = 0; i < s.kernel_h; ++i) {
    const int64_t ih = oh * s.stride_h - s.pad_top + i * s.dilation_h;
    rows[i] = ih >= 0 && ih < s.in_h ? image + ih * s.in_w * C : nullptr;
    all_rows = all_rows && rows[i];
  }
  bool prev_inside = false;  // the previous pixel's taps all lie in the image
  for (int64_t ow = 0; ow < s.out_w; ++ow) {
    const int64_t iw0 = ow * s.stride_w - s.pad_left;
    const bool interior = iw0 >= 0 && iw0 + (s.kernel_w - 1) * s.dilation_w < s.in_w;
    if (all_rows && interior && prev_inside) {  // the previous pixel's taps, one stride to the right
      for (int64_t k = 0; k < taps; ++k, ++t) *t = t[-taps] + pixel_step;
      continue;
    }
    prev_inside = all_rows && interior;
    for (int64_t i = 0; i < s.kernel_h; ++i) {
      const uint8_t* row = rows[i];
      if (row && interior) {
        const uint8_t* px = row + iw0 * C;
        for (int64_t j = 0; j < s.kernel_w; ++j, px += tap_step) *t++ = px;
        continue;
      }
      for (int64_t j = 0; j < s.kernel_w; ++j) {
        const int64_t iw = iw0 + j * s.dilation_w;
        *t++ = row && iw >= 0 && iw < s.in_w ? row + iw * C : zero;
      }
    }
  }
}

// The caller's scratch may be unaligned; the pointer array starts at the next pointer boundary.
const uint8_t** pointer_scratch(uint8_t* scratch) {
  const auto addr = reinterpret_cast<uintptr_t>(scratch);
  return reinterpret_cast<const uint8_t**>((addr + alignof(void*) - 1) & ~(uintptr_t{alignof(void*)} - 1));
}

#ifdef OCTET_QCONV_X86
// The row kernel per output row, or pair of rows at stride_h 1: the input
// rows under them, a row in the padding read as the zero-point row with
// pixel stride 0.
void run_dw3x3_rows(const PackedConv& pc, const uint8_t* x, uint8_t* y, RowRange rows) {
  const QConvShape& s = pc.shape;
  const int64_t C = s.in_channels, esize = static_cast<int64_t>(qgemm_elem_size(pc.type));
  DwConv3x3RowArgs a;
  a.channels = C;
  a.in_w = s.in_w;
  a.out_w = s.out_w;
  a.stride = s.stride_w;
  a.pad_left = s.pad_left;
  a.x_zero_point = static_cast<uint8_t>(pc.x_zero_point);
  a.zero_row = pc.zero_row.data();
  a.packed = pc.dw_weights.data();
  a.type = pc.type;
  a.zero_point = pc.y_zero_point;
  a.qmin = pc.qmin;
  a.qmax = pc.qmax;
  for_each_image(s, rows, [&](int64_t n, int64_t first, int64_t end) {
    const uint8_t* image = x + n * s.in_h * s.in_w * C;
    for (int64_t oh = first; oh < end; oh += a.out_rows) {
      a.out_rows = s.stride_h == 1 && oh + 1 < end ? 2 : 1;  // two rows share their column interleaves
      for (int64_t ky = 0; ky < 2 + a.out_rows; ++ky) {
        const int64_t ih = oh * s.stride_h - s.pad_top + ky;
        const bool inside = ih >= 0 && ih < s.in_h;
        a.rows[ky] = inside ? image + ih * s.in_w * C : pc.zero_row.data();
        a.pixel_stride[ky] = inside ? C : 0;
      }
      a.y = y + ((n * s.out_h + oh) * s.out_w) * C * esize;
      dwconv3x3_u8s8_row_avx512vnni(a);
    }
  });
}
#endif

void run_depthwise(const PackedConv& pc, const uint8_t* x, uint8_t* y, uint8_t* scratch, RowRange rows) {
#ifdef OCTET_QCONV_X86
  if (uses_dw3x3_rows(pc)) return run_dw3x3_rows(pc, x, y, rows);
#endif
  const QConvShape& s = pc.shape;
  const int64_t C = s.in_channels, taps = s.kernel_h * s.kernel_w;
  const int64_t esize = static_cast<int64_t>(qgemm_elem_size(pc.type));
  const uint8_t** ptrs = pointer_scratch(scratch);
  const uint8_t** in_rows = ptrs + s.out_w * taps;
  const DwKernel kernel = dw_kernel(pc.isa);
  DwConvArgs a;
  a.channels = C;
  a.taps = taps;
  a.pixels = s.out_w;
  a.input = ptrs;
  a.weights = pc.dw_weights.data();
  a.weights_stride = round_up(C, kDwChannelPad);
  a.bias = pc.bias.data();
  a.multiplier = pc.multiplier.data();
  a.type = pc.type;
  a.zero_point = pc.y_zero_point;
  a.qmin = pc.qmin;
  a.qmax = pc.qmax;
  a.y_stride = C;
  for (int64_t r = rows.r0; r < rows.r1; ++r) {
    const int64_t n = r / s.out_h, oh = r % s.out_h;
    fill_indirection(pc, x + n * s.in_h * s.in_w * C, oh, in_rows, ptrs);
    a.y = y + r * s.out_w * C * esize;
    kernel(a);
  }
}

#ifdef OCTET_QCONV_X86
// Channels per unit of an Indirect channel split: whole groups of the
// widest tile's panels, so a part's tiles are the ones the whole call runs.
constexpr int64_t kIndirectChannelUnit = 16 * x86::kNvIndirectAvx512Vnni;

// One group's GEMM over m output pixels whose tap pointers are ptrs[m][taps],
// for the group's channels [n0, n1) (n0 a multiple of
// kIndirectChannelUnit), walked as qgemm_in_place does: column panels
// outer, so a tile's weights stay in L1 / L2 while every row block passes them.
void indirect_gemm(const PackedConv& pc, int64_t g, int64_t m, const uint8_t* const* ptrs, uint8_t* c_bytes,
                   int64_t n0, int64_t n1) {
  const QConvShape& s = pc.shape;
  const int64_t taps = indirect_taps(pc), cg = indirect_depth(pc), mg = s.out_channels / s.groups, n = n1 - n0;
  const int64_t esize = static_cast<int64_t>(qgemm_elem_size(pc.type)), ldc = s.out_channels;
  const QGemmTileEpilogue ep = qgemm_tile_epilogue(epilogue(pc, g * mg + n0), n, taps * cg);
  const x86::QGemmLayout layout = pc.isa == Isa::Amx ? x86::kLayoutAmx : x86::kLayoutAvx512Vnni;
  const int panel = layout.panel;
  static_assert(kIndirectChannelUnit % 16 == 0, "a unit is whole panels at every layout");
  const int64_t pb = x86::qgemm_panel_bytes(layout, taps * cg), panels = (n + panel - 1) / panel;
  const int8_t* w = reinterpret_cast<const int8_t*>(pc.gemm[static_cast<size_t>(g)].data.data()) + n0 / panel * pb;
  uint8_t* c = c_bytes + (g * mg + n0) * esize;
  if (pc.isa == Isa::Amx && x86::amx_pays(m, taps * cg, true)) {  // the taps packed into rows, on the tiles
    auto pack = [&](int64_t i, int64_t rows, uint8_t* dst, int64_t kp) {
      x86::pack_a_taps_amx(rows, taps, cg, ptrs + i * taps, g * cg, dst, kp);
    };
    return x86::qgemm_amx_chunks(m, taps * cg, pack, w, n, ep, c, ldc);
  }
  for (int64_t p = 0; p < panels; p += x86::kNvIndirectAvx512Vnni) {
    const int nv = static_cast<int>(std::min<int64_t>(x86::kNvIndirectAvx512Vnni, panels - p));
    const int64_t mr_max = nv > x86::kNvAvx512Vnni ? x86::kMrIndirectWideAvx512Vnni : x86::kMrAvx512Vnni;
    // Row blocks of equal size (m = 8 * 6 + 1 -> 7 blocks of 7): a one-row
    // tile keeps only nv vpdpbusd chains in flight and costs about as much as a full one.
    const int64_t blocks = (m + mr_max - 1) / mr_max;
    const int64_t col0 = p * panel, cols = std::min<int64_t>(n - col0, int64_t(nv) * panel);
    // Each row block prefetches its slice of the next pass's weights into
    // L2 as it runs: otherwise the first block of every pass waits on
    // memory for all of them (resnet18's layer4, 2.4 MB of weights per conv
    // over 49 pixels: 13% faster).
    const int64_t next = std::min<int64_t>(panels - p - nv, x86::kNvIndirectAvx512Vnni) * pb;
    const int8_t* next_w = w + (p + nv) * pb;
    for (int64_t bi = 0; bi < blocks; ++bi) {
      const int64_t i = bi * m / blocks, mr = (bi + 1) * m / blocks - i;
      const int64_t from = bi * next / blocks, to = (bi + 1) * next / blocks;
      x86::qgemm_u8s8_indirect_tile_avx512vnni(static_cast<int>(mr), nv, taps, cg, ptrs + i * taps, g * cg, w + p * pb,
                                               pb, col0, cols, ep, c + i * ldc * esize, ldc, next_w + from, to - from);
    }
  }
}

// Copies one NHWC image inside its padding border (the zero point) and the
// slack, so that every kernel row of every output pixel is kw * C contiguous bytes.
void copy_bordered(const PackedConv& pc, const uint8_t* x, uint8_t* dst) {
  const QConvShape& s = pc.shape;
  const int64_t C = s.in_channels, row = bordered_w(s) * C;
  const int zp = pc.x_zero_point;
  std::memset(dst, zp, static_cast<size_t>(s.pad_top * row));
  for (int64_t h = 0; h < s.in_h; ++h) {
    uint8_t* d = dst + (s.pad_top + h) * row;
    std::memset(d, zp, static_cast<size_t>(s.pad_left * C));
    std::memcpy(d + s.pad_left * C, x + h * s.in_w * C, static_cast<size_t>(s.in_w * C));
    std::memset(d + (s.pad_left + s.in_w) * C, zp, static_cast<size_t>(s.pad_right * C));
  }
  std::memset(dst + (s.pad_top + s.in_h) * row, zp, static_cast<size_t>(s.pad_bottom * row + kRowTapSlack));
}

// The row-tap pointers of output row oh: kh per output pixel, each the start
// of a kernel row inside the bordered copy.
void fill_row_taps(const PackedConv& pc, const uint8_t* bordered, int64_t oh, const uint8_t** t) {
  const QConvShape& s = pc.shape;
  const int64_t C = s.in_channels, row = bordered_w(s) * C, pixel_step = s.stride_w * C;
  const uint8_t* top = bordered + oh * s.stride_h * row;
  for (int64_t ow = 0; ow < s.out_w; ++ow)
    for (int64_t i = 0; i < s.kernel_h; ++i) *t++ = top + i * s.dilation_h * row + ow * pixel_step;
}

void run_indirect(const PackedConv& pc, const uint8_t* x, uint8_t* y, uint8_t* scratch, RowRange range,
                  int64_t n0, int64_t n1) {
  const QConvShape& s = pc.shape;
  const int64_t taps = indirect_taps(pc), pixels = s.out_h * s.out_w, tile_rows = pc.tile_pixels / s.out_w;
  const int64_t esize = static_cast<int64_t>(qgemm_elem_size(pc.type));
  const uint8_t** ptrs = pointer_scratch(scratch);
  const uint8_t** rows = ptrs + pc.tile_pixels * taps;
  uint8_t* bordered = reinterpret_cast<uint8_t*>(rows + s.kernel_h);  // row taps: the bordered copy
  for_each_image(s, range, [&](int64_t n, int64_t first, int64_t end) {
    const uint8_t* image = x + n * s.in_h * s.in_w * s.in_channels;
    if (pc.row_span > 0) copy_bordered(pc, image, bordered);
    for (int64_t oh0 = first; oh0 < end; oh0 += tile_rows) {
      const int64_t count = std::min(tile_rows, end - oh0) * s.out_w;
      for (int64_t r = 0; r * s.out_w < count; ++r) {
        const uint8_t** t = ptrs + r * s.out_w * taps;
        if (pc.row_span > 0)
          fill_row_taps(pc, bordered, oh0 + r, t);
        else
          fill_indirection(pc, image, oh0 + r, rows, t);
      }
      uint8_t* out = y + (n * pixels + oh0 * s.out_w) * s.out_channels * esize;
      for (int64_t g = 0; g < s.groups; ++g) indirect_gemm(pc, g, count, ptrs, out, n0, n1);
    }
  });
}
#endif

}  // namespace

QConvShape qconv_shape(const ConvParams& p) {
  const SpatialWindow& w = p.window;
  const size_t r = w.rank();
  if (r != 1 && r != 2) fail("only 1-D and 2-D convolutions, got rank " + std::to_string(r));
  for (const auto* v : {&w.kernel, &w.stride, &w.dilation, &w.pad_begin, &w.pad_end, &w.out_size})
    if (v->size() != r) fail("window fields of different ranks");
  if (p.in_channels <= 0 || p.out_channels <= 0 || p.group <= 0 || p.in_channels % p.group != 0 ||
      p.out_channels % p.group != 0)
    fail("channels must be positive multiples of group");
  for (size_t d = 0; d < r; ++d) {
    if (w.in_size[d] < 1 || w.kernel[d] < 1 || w.stride[d] < 1 || w.dilation[d] < 1 || w.pad_begin[d] < 0 ||
        w.pad_end[d] < 0)
      fail("bad window in dimension " + std::to_string(d));
    const int64_t span = w.dilation[d] * (w.kernel[d] - 1) + 1, padded = w.in_size[d] + w.pad_begin[d] + w.pad_end[d];
    if (span > padded || w.out_size[d] != (padded - span) / w.stride[d] + 1)
      fail("out_size inconsistent with the window in dimension " + std::to_string(d));
  }
  const size_t h = r == 2 ? 0 : r, x = r - 1;  // h == r: a 1-D convolution has height 1
  auto at = [&](const std::vector<int64_t>& v, size_t d, int64_t one) { return d < r ? v[d] : one; };
  QConvShape s;
  s.in_channels = p.in_channels;
  s.out_channels = p.out_channels;
  s.groups = p.group;
  s.in_h = at(w.in_size, h, 1), s.in_w = w.in_size[x];
  s.kernel_h = at(w.kernel, h, 1), s.kernel_w = w.kernel[x];
  s.stride_h = at(w.stride, h, 1), s.stride_w = w.stride[x];
  s.dilation_h = at(w.dilation, h, 1), s.dilation_w = w.dilation[x];
  s.pad_top = at(w.pad_begin, h, 0), s.pad_left = w.pad_begin[x];
  s.pad_bottom = at(w.pad_end, h, 0), s.pad_right = w.pad_end[x];
  s.out_h = at(w.out_size, h, 1), s.out_w = w.out_size[x];
  return s;
}

PackedConv prepack_qconv(Isa isa, const ConvParams& p, const int8_t* w, const int32_t* bias, int32_t x_zero_point,
                         const QConvOutput& out) {
  if (!isa_supported(isa)) fail(std::string("ISA level not supported by this CPU: ") + isa_name(isa));
  if (x_zero_point < 0 || x_zero_point > 255) fail("input zero point outside u8");
  PackedConv pc;
  pc.isa = isa;
  pc.shape = qconv_shape(p);
  check_output(out, pc.shape.out_channels);
  pc.x_zero_point = x_zero_point;
  pc.type = out.type;
  pc.y_zero_point = out.type == QGemmOutput::S32 ? 0 : out.zero_point;
  pc.qmin = out.type == QGemmOutput::S32 ? std::numeric_limits<int32_t>::min() : out.qmin;
  pc.qmax = out.type == QGemmOutput::S32 ? std::numeric_limits<int32_t>::max() : out.qmax;
  const int64_t M = pc.shape.out_channels;
  pc.multiplier.assign(static_cast<size_t>(round_up(M, kDwChannelPad)), 0.f);
  if (out.type != QGemmOutput::S32)
    for (int64_t m = 0; m < M; ++m) pc.multiplier[m] = out.multiplier[out.per_channel ? m : 0];
  fold_bias(pc, w, bias);
  if (is_depthwise(pc.shape)) {
    pc.path = QConvPath::Depthwise;
    pack_depthwise(pc, w);
    return pc;
  }
  const QConvShape& s = pc.shape;
  const int64_t cg = s.in_channels / s.groups, taps = s.kernel_h * s.kernel_w, K = cg * taps;
  // A strided 1x1 runs indirect too (one tap per pixel) where it can: the
  // pointwise path's GEMM per output row re-streams the weights row after
  // row in tiles of out_w rows (resnet18's downsamples, 0.17 -> 0.14 ms).
  const bool strided = s.stride_h != 1 || s.stride_w != 1;
  pc.path = is_pointwise(s) && !(strided && use_indirect(isa, s)) ? QConvPath::Pointwise
            : use_indirect(isa, s)                                 ? QConvPath::Indirect
                                                                   : QConvPath::Im2col;
  if (pc.path == QConvPath::Indirect && cg % 4 != 0) pc.row_span = round_up(s.kernel_w * s.in_channels, 4);
  pack_gemm(pc, w);
  if (pc.path == QConvPath::Im2col)
    pc.tile_pixels = std::max<int64_t>(1, std::min(s.out_h * s.out_w, kIm2colTileBytes / K));
  if (pc.path == QConvPath::Indirect) {
    // Whole output rows of tap pointers; pixel taps in the padding read a row
    // of the zero point (row taps read the bordered copy's).
    const int64_t rows = std::clamp<int64_t>(kIndirectTileBytes / (s.out_w * indirect_taps(pc) * 8), 1, s.out_h);
    pc.tile_pixels = rows * s.out_w;
    if (pc.row_span == 0) {
      pc.zero_row = AlignedBuffer(static_cast<size_t>(s.in_channels));
      std::memset(pc.zero_row.data(), pc.x_zero_point, pc.zero_row.size());
    }
  }
  return pc;
}

int64_t qconv_scratch_bytes(const PackedConv& pc) {
  const QConvShape& s = pc.shape;
  switch (pc.path) {
    case QConvPath::Pointwise: return 0;
    case QConvPath::Im2col: return pc.tile_pixels * (s.in_channels / s.groups) * s.kernel_h * s.kernel_w;
    case QConvPath::Indirect:
      // A tile's tap pointers, the kh input rows, slack to align; with row taps the bordered copy.
      return (pc.tile_pixels * indirect_taps(pc) + s.kernel_h + 1) * static_cast<int64_t>(sizeof(const uint8_t*)) +
             (pc.row_span > 0 ? bordered_h(s) * bordered_w(s) * s.in_channels + kRowTapSlack : 0);
    case QConvPath::Depthwise:
      if (uses_dw3x3_rows(pc)) return 0;  // the row kernel reads the image rows in place
      // Tap pointers of one output row, the kh input rows, and slack to align.
      return (s.out_w * s.kernel_h * s.kernel_w + s.kernel_h + 1) * static_cast<int64_t>(sizeof(const uint8_t*));
  }
  return 0;
}

void qconv_u8s8(const PackedConv& pc, int64_t batch, const uint8_t* x, void* y, uint8_t* scratch) {
  qconv_u8s8_part(pc, x, y, scratch, QConvPart{0, batch * pc.shape.out_h, 0, pc.shape.out_channels});
}

int64_t qconv_channel_unit(const PackedConv& pc) {
#ifdef OCTET_QCONV_X86
  if (pc.path == QConvPath::Indirect && pc.shape.groups == 1) return kIndirectChannelUnit;
#endif
  (void)pc;
  return 0;
}

void qconv_u8s8_part(const PackedConv& pc, const uint8_t* x, void* y, uint8_t* scratch, const QConvPart& part) {
  const int64_t M = pc.shape.out_channels, unit = qconv_channel_unit(pc);
  const int64_t n0 = part.channel_begin, n1 = part.channel_end;
  const bool whole = n0 == 0 && n1 == M;
  const auto on_unit = [&](int64_t n) { return n == M || (n >= 0 && n < M && n % unit == 0); };
  if (!whole && (unit == 0 || !on_unit(n0) || !on_unit(n1)))
    fail("channels [" + std::to_string(n0) + ", " + std::to_string(n1) + ") are not a split of this convolution");
  if (part.row_begin >= part.row_end || n0 >= n1) return;
  std::vector<uint8_t> owned;
  if (!scratch && qconv_scratch_bytes(pc) > 0) {
    owned.resize(static_cast<size_t>(qconv_scratch_bytes(pc)));
    scratch = owned.data();
  }
  uint8_t* out = static_cast<uint8_t*>(y);
  const RowRange rows{part.row_begin, part.row_end};
  switch (pc.path) {
    case QConvPath::Pointwise: return run_pointwise(pc, x, out, rows);
    case QConvPath::Im2col: return run_im2col(pc, x, out, scratch, rows);
    case QConvPath::Depthwise: return run_depthwise(pc, x, out, scratch, rows);
    case QConvPath::Indirect:
#ifdef OCTET_QCONV_X86
      // A split has one group; whole, the range is every group's own channels.
      return run_indirect(pc, x, out, scratch, rows, n0, whole ? M / pc.shape.groups : n1);
#else
      break;
#endif
  }
}

}  // namespace octet::kernels
