// The INT8 GEMM driver: prepacks weights into the layout of each ISA level,
// tiles the product over M and N and calls the level's micro-kernel.
//
// Tiles are walked columns-outer: one tile's weight panels (K x 32 columns
// for VNNI, K x 16 for AVX2) stay in L1 / L2 while every row block of a
// passes them, so each weight is read from memory once per call. No K
// blocking: every tile runs the full depth and finishes with its fused
// epilogue, so no partial sums go through memory.
// One row (M = 1, batch-1 linear layers) is a GEMV: wider tiles, and (where
// the accumulating instruction is slow) two sums per column so that a single
// row still keeps enough independent chains.
// AVX2 has two kernels, chosen once at prepack from the weights: the
// widening one, exact for any s8, and the vpmaddubsw one, exact and faster
// when every |w| <= 64; PackedWeights::weights_7bit records which.
#include "kernels/qgemm.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/qgemm_tile.h"
#include "kernels/ref/qgemm_u8s8_ref.h"

#if defined(__x86_64__) || defined(_M_X64)
#include "kernels/x86/qgemm_x86.h"
#define OCTET_QGEMM_X86 1
#endif
#if defined(__aarch64__)
#include "kernels/arm/qgemm_arm.h"
#define OCTET_QGEMM_ARM 1
#endif

namespace octet::kernels {

namespace {

void check(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("qgemm: " + what);
}

[[maybe_unused]] int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

// [panel][k / kgroup][panel channels][kgroup], zero-padded (qgemm_tile.h).
void pack_panels(const QGemmLayout& l, int64_t n, int64_t k, const int8_t* b, int64_t stride_n,
                 int64_t stride_k, int8_t* out) {
  const int64_t pb = qgemm_panel_bytes(l, k);
  for (int64_t j = 0; j < n; ++j) {
    int8_t* panel = out + (j / l.panel) * pb + (j % l.panel) * l.kgroup;
    for (int64_t q = 0; q < k; ++q)
      panel[(q / l.kgroup) * l.panel * l.kgroup + q % l.kgroup] = b[j * stride_n + q * stride_k];
  }
}

#ifdef OCTET_QGEMM_X86
x86::QGemmLayout layout_of(Isa isa, bool weights_7bit) {
  if (isa == Isa::Avx2) return weights_7bit ? x86::kLayoutAvx2Weights7bit : x86::kLayoutAvx2;
  return isa == Isa::Amx ? x86::kLayoutAmx : x86::kLayoutAvx512Vnni;
}

// Whether every weight fits the Avx2 7-bit kernel (|w| <= 64).
bool fits_7bit(int64_t n, int64_t k, const int8_t* b, int64_t stride_n, int64_t stride_k) {
  for (int64_t j = 0; j < n; ++j)
    for (int64_t q = 0; q < k; ++q) {
      const int w = b[j * stride_n + q * stride_k];
      if (w < -x86::kMaxAbsWeight7bit || w > x86::kMaxAbsWeight7bit) return false;
    }
  return true;
}

// The tile signature of the kernels that read a in place (u8, 4 depths
// at a time): VNNI and the Avx2 7-bit kernel.
using InPlaceTile = void (*)(int mr, int nv, int64_t k, const uint8_t* a, int64_t lda, const int8_t* b,
                             int64_t panel_bytes, int64_t col0, int64_t cols, const QGemmTileEpilogue& ep,
                             void* c, int64_t ldc);

struct InPlaceKernel {
  x86::QGemmLayout layout;
  int mr, nv, nv_gemv;
  InPlaceTile tile;
};

void qgemm_in_place(const QGemmArgs& args, const QGemmTileEpilogue& ep, const InPlaceKernel& kern) {
  const PackedWeights& b = *args.b;
  const int64_t pb = x86::qgemm_panel_bytes(kern.layout, b.k);
  const int panel = kern.layout.panel;
  const int64_t panels = (b.n + panel - 1) / panel;
  const int nv_max = args.m == 1 ? kern.nv_gemv : kern.nv;
  const int8_t* w = reinterpret_cast<const int8_t*>(b.data.data());
  const int64_t c_row_bytes = args.ldc * static_cast<int64_t>(qgemm_elem_size(ep.type));
  // Columns outer: a tile's panels (nv panels x K) stay in L1 / L2 while
  // every row block of a passes them; rows outer would stream all of b from
  // memory once per row block when it outgrows L2.
  for (int64_t p = 0; p < panels; p += nv_max) {
    const int nv = static_cast<int>(std::min<int64_t>(nv_max, panels - p));
    const int64_t col0 = p * panel;
    const int64_t cols = std::min<int64_t>(b.n - col0, int64_t(nv) * panel);
    for (int64_t i = 0; i < args.m; i += kern.mr) {
      const int mr = static_cast<int>(std::min<int64_t>(kern.mr, args.m - i));
      void* c = static_cast<uint8_t*>(args.c) + i * c_row_bytes;
      kern.tile(mr, nv, b.k, args.a + i * args.lda, args.lda, w + p * pb, pb, col0, cols, ep, c, args.ldc);
    }
  }
}

void qgemm_avx512vnni(const QGemmArgs& args, const QGemmTileEpilogue& ep) {
  qgemm_in_place(args, ep,
                 {x86::kLayoutAvx512Vnni, x86::kMrAvx512Vnni, x86::kNvAvx512Vnni, x86::kNvGemvAvx512Vnni,
                  x86::qgemm_u8s8_tile_avx512vnni});
}

// Few rows run the VNNI kernel on the same panels; otherwise chunks of a
// are packed (rows of kp bytes) and pass every panel on the tiles.
void qgemm_amx(const QGemmArgs& args, const QGemmTileEpilogue& ep) {
  const PackedWeights& b = *args.b;
  if (!x86::amx_pays(args.m, b.k, false))
    return qgemm_in_place(args, ep,
                          {x86::kLayoutAmx, x86::kMrAvx512Vnni, x86::kNvAvx512Vnni, x86::kNvGemvAvx512Vnni,
                           x86::qgemm_u8s8_tile_avx512vnni});
  auto pack = [&](int64_t i, int64_t rows, uint8_t* dst, int64_t kp) {
    x86::pack_a_rows_amx(rows, b.k, args.a + i * args.lda, args.lda, dst, kp);
  };
  x86::qgemm_amx_chunks(args.m, b.k, pack, reinterpret_cast<const int8_t*>(b.data.data()), b.n, ep,
                        static_cast<uint8_t*>(args.c), args.ldc);
}

void qgemm_avx2(const QGemmArgs& args, const QGemmTileEpilogue& ep) {
  const PackedWeights& b = *args.b;
  if (b.weights_7bit) {
    qgemm_in_place(args, ep,
                   {x86::kLayoutAvx2Weights7bit, x86::kMrAvx2Weights7bit, x86::kNvAvx2Weights7bit,
                    x86::kNvGemvAvx2Weights7bit, x86::qgemm_u8s8_7bit_tile_avx2});
    return;
  }
  const int64_t pb = x86::qgemm_panel_bytes(x86::kLayoutAvx2, b.k);
  const int panel = x86::kLayoutAvx2.panel;
  const int64_t panels = (b.n + panel - 1) / panel;
  const int nv_max = args.m == 1 ? x86::kNvGemvAvx2 : x86::kNvAvx2;
  const int8_t* w = reinterpret_cast<const int8_t*>(b.data.data());
  const int64_t c_row_bytes = args.ldc * static_cast<int64_t>(qgemm_elem_size(ep.type));
  // a widened to int16 once (the kernel's vpmaddwd operand), all rows, so
  // that columns can run outer as in qgemm_avx512vnni; per thread, so
  // concurrent calls never share it.
  const int64_t kp = round_up(b.k, x86::kLayoutAvx2.kgroup);
  thread_local std::vector<int16_t> a16;
  a16.resize(static_cast<size_t>(args.m * kp));
  for (int64_t i = 0; i < args.m; i += x86::kMrAvx2) {
    const int mr = static_cast<int>(std::min<int64_t>(x86::kMrAvx2, args.m - i));
    x86::pack_a_u8_to_s16_avx2(mr, b.k, args.a + i * args.lda, args.lda, a16.data() + i * kp, kp);
  }
  for (int64_t p = 0; p < panels; p += nv_max) {
    const int nv = static_cast<int>(std::min<int64_t>(nv_max, panels - p));
    const int64_t col0 = p * panel;
    const int64_t cols = std::min<int64_t>(b.n - col0, int64_t(nv) * panel);
    for (int64_t i = 0; i < args.m; i += x86::kMrAvx2) {
      const int mr = static_cast<int>(std::min<int64_t>(x86::kMrAvx2, args.m - i));
      void* c = static_cast<uint8_t*>(args.c) + i * c_row_bytes;
      x86::qgemm_u8s8_tile_avx2(mr, nv, kp, a16.data() + i * kp, w + p * pb, pb, col0, cols, ep, c, args.ldc);
    }
  }
}
#endif

#ifdef OCTET_QGEMM_ARM
// Columns outer, as on x86: a panel (4 columns x K) stays in L1 while
// every row block of a passes it. The first panel's pass also sums each
// row of a (kernels/arm/qgemm_arm.h: the weights are w + 128).
void qgemm_neon(const QGemmArgs& args, const QGemmTileEpilogue& ep, arm::NeonTile tile) {
  const PackedWeights& b = *args.b;
  // Per thread, so concurrent calls never share it.
  thread_local std::vector<int32_t> row_offset;
  row_offset.resize(static_cast<size_t>(args.m));
  const int panel = arm::kLayoutNeon.panel;
  const int64_t pb = qgemm_panel_bytes(arm::kLayoutNeon, b.k);
  const uint8_t* w = b.data.data();
  const int64_t c_row_bytes = args.ldc * static_cast<int64_t>(qgemm_elem_size(ep.type));
  for (int64_t col0 = 0; col0 < b.n; col0 += panel, w += pb) {
    const int64_t cols = std::min<int64_t>(panel, b.n - col0);
    for (int64_t i = 0; i < args.m; i += arm::kMrNeon) {
      const int mr = static_cast<int>(std::min<int64_t>(arm::kMrNeon, args.m - i));
      void* c = static_cast<uint8_t*>(args.c) + i * c_row_bytes;
      tile(mr, b.k, args.a + i * args.lda, args.lda, w, row_offset.data() + i, col0 == 0, col0, cols, ep, c,
           args.ldc);
    }
  }
}
#endif

double max_abs(const float* v, int64_t n) {
  double m = 0;
  for (int64_t i = 0; i < n; ++i) m = std::max(m, std::fabs(static_cast<double>(v[i])));
  return m;
}

// The largest |acc| a u8 x s8 depth of k can reach with the epilogue's bias.
double accumulator_bound(const QGemmEpilogue& ep, int64_t n, int64_t k) {
  double bias = 0;
  for (int64_t i = 0; ep.bias && i < n; ++i) bias = std::max(bias, std::fabs(static_cast<double>(ep.bias[i])));
  return bias + 255.0 * 128.0 * static_cast<double>(k);
}

}  // namespace

QGemmTileEpilogue qgemm_tile_epilogue(const QGemmEpilogue& ep, int64_t n, int64_t k) {
  QGemmTileEpilogue t;
  t.type = ep.type;
  t.bias = ep.bias;
  t.scale = ep.scale;
  t.per_channel = ep.per_channel;
  t.zero_point = ep.zero_point;
  if (ep.type == QGemmOutput::U8 || ep.type == QGemmOutput::S8) {
    QClampBounds bounds = qgemm_clamp_bounds(ep);
    t.lo = static_cast<float>(int64_t(bounds.lo) - ep.zero_point);
    t.hi = static_cast<float>(int64_t(bounds.hi) - ep.zero_point);
    const int64_t scales = ep.per_channel ? n : 1;
    t.finite_scale = std::all_of(ep.scale, ep.scale + scales, [](float m) { return std::isfinite(m); });
    t.bounded = t.finite_scale && accumulator_bound(ep, n, k) * max_abs(ep.scale, scales) < 1073741824.0;
  }
  return t;
}

PackedWeights prepack_weights_s8(Isa isa, int64_t n, int64_t k, const int8_t* b, int64_t stride_n,
                                 int64_t stride_k) {
  check(n >= 0 && k >= 0, "negative weight shape");
  check(n * k == 0 || b, "null weights");
  check(isa_supported(isa), std::string("this CPU cannot run ") + isa_name(isa));
  PackedWeights out;
  out.isa = isa;
  out.n = n;
  out.k = k;
  out.col_sums.assign(static_cast<size_t>(n), 0);
  for (int64_t j = 0; j < n; ++j) {
    int32_t s = 0;
    for (int64_t q = 0; q < k; ++q) s += b[j * stride_n + q * stride_k];
    out.col_sums[j] = s;
  }
#ifdef OCTET_QGEMM_X86
  if (isa != Isa::Ref) {
    // Avx2 weights that all fit in 7 bits get the vpmaddubsw kernel: the
    // same bits, faster (kernels/x86/qgemm_u8s8_7bit_avx2.cpp).
    out.weights_7bit = isa == Isa::Avx2 && fits_7bit(n, k, b, stride_n, stride_k);
    x86::QGemmLayout l = layout_of(isa, out.weights_7bit);
    out.data = AlignedBuffer(static_cast<size_t>((n + l.panel - 1) / l.panel * x86::qgemm_panel_bytes(l, k)));
    pack_panels(l, n, k, b, stride_n, stride_k, reinterpret_cast<int8_t*>(out.data.data()));
    return out;
  }
#endif
#ifdef OCTET_QGEMM_ARM
  if (is_arm(isa)) {
    const QGemmLayout& l = arm::kLayoutNeon;
    out.data = AlignedBuffer(static_cast<size_t>((n + l.panel - 1) / l.panel * qgemm_panel_bytes(l, k)));
    pack_panels(l, n, k, b, stride_n, stride_k, reinterpret_cast<int8_t*>(out.data.data()));
    // w + 128 as u8 (kernels/arm/qgemm_arm.h); the padding becomes 128, a
    // zero weight, too.
    for (size_t i = 0; i < out.data.size(); ++i) out.data.data()[i] ^= 0x80;
    return out;
  }
#endif
  out.data = AlignedBuffer(static_cast<size_t>(n * k));
  pack_weights_s8_ref(n, k, b, stride_n, stride_k, reinterpret_cast<int8_t*>(out.data.data()));
  return out;
}

void qgemm_u8s8(const QGemmArgs& args) {
  check(args.b != nullptr, "null packed weights");
  const PackedWeights& b = *args.b;
  check(args.m >= 0, "negative m");
  if (args.m == 0 || b.n == 0) return;
  check(args.a || b.k == 0, "null a");
  check(args.c != nullptr, "null c");
  check(args.lda >= b.k && args.ldc >= b.n, "row stride shorter than the row");
  const QGemmEpilogue& ep = args.epilogue;
  check(ep.type == QGemmOutput::S32 || ep.scale != nullptr, "null scale");
  switch (b.isa) {
    case Isa::Ref: qgemm_u8s8_ref(args); return;
#ifdef OCTET_QGEMM_X86
    case Isa::Avx2: qgemm_avx2(args, qgemm_tile_epilogue(ep, b.n, b.k)); return;
    case Isa::Avx512Vnni: qgemm_avx512vnni(args, qgemm_tile_epilogue(ep, b.n, b.k)); return;
    case Isa::Amx: qgemm_amx(args, qgemm_tile_epilogue(ep, b.n, b.k)); return;
#endif
#ifdef OCTET_QGEMM_ARM
    case Isa::Neon: qgemm_neon(args, qgemm_tile_epilogue(ep, b.n, b.k), arm::qgemm_u8s8_tile_neon); return;
    case Isa::NeonDot: qgemm_neon(args, qgemm_tile_epilogue(ep, b.n, b.k), arm::qgemm_u8s8_tile_neondot); return;
#endif
    default: break;
  }
  throw std::invalid_argument(std::string("qgemm: no kernel for ") + isa_name(b.isa));
}

}  // namespace octet::kernels
