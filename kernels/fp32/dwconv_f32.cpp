#include "kernels/fp32/dwconv_f32.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "kernels/qconv.h"
#include "kernels/ref/dwconv_f32_ref.h"
#if defined(__x86_64__) || defined(_M_X64)
#include "kernels/x86/dwconv_f32_x86.h"
#define OCTET_DWCONV_F32_X86 1
#endif

namespace octet::kernels {

namespace {

constexpr int kMaxTileVectors = 4;

#ifdef OCTET_DWCONV_F32_X86
bool all_lanes(uint32_t bits, int lanes) { return bits == (lanes == 32 ? ~0u : (1u << lanes) - 1); }

DwF32Column plan_column(const QConvShape& s, int lanes, int64_t ow0, int64_t j) {
  DwF32Column col;
  col.offset = ow0 * s.stride_w - s.pad_left + j * s.dilation_w;
  auto inside = [&](int64_t iw) { return iw >= 0 && iw < s.in_w; };
  for (int l = 0; l < lanes; ++l) {
    const bool tap = ow0 + l < s.out_w && inside(col.offset + l * s.stride_w);
    const bool lo = inside(col.offset + l), hi = inside(col.offset + lanes + l);
    col.tap_bits |= uint32_t(tap) << l;
    col.lo_bits |= uint32_t(lo) << l;
    col.hi_bits |= uint32_t(hi) << l;
    col.tap_lanes[l] = tap ? -1 : 0;
    col.lo_lanes[l] = lo ? -1 : 0;
    col.hi_lanes[l] = hi ? -1 : 0;
  }
  return col;
}

// Interior: plain loads read only inside the image and every lane is an output.
bool interior(const QConvShape& s, int lanes, const DwF32Column& col) {
  if (!all_lanes(col.tap_bits, lanes)) return false;
  if (s.stride_w == 1) return true;
  return s.stride_w == 2 && all_lanes(col.lo_bits, lanes) && all_lanes(col.hi_bits, lanes);
}

// Cuts [first, end) into tiles of up to kMaxTileVectors.
void add_tiles(DwF32Plan& plan, int64_t first, int64_t end, bool masked) {
  for (int64_t v = first; v < end; v += kMaxTileVectors)
    plan.tiles.push_back({v, static_cast<int>(std::min<int64_t>(kMaxTileVectors, end - v)), masked});
}

// split_borders: give border vectors tiles of their own, so the interior
// runs unmasked (AVX2, where masking costs a blend per FMA). AVX-512 masks
// for free, so it keeps tiles full instead.
DwF32Plan plan_dwconv(const QConvShape& s, int lanes, bool split_borders) {
  DwF32Plan plan;
  plan.shape = s;
  plan.lanes = lanes;
  const int64_t vectors = (s.out_w + lanes - 1) / lanes;
  std::vector<bool> full(static_cast<size_t>(vectors), true);
  for (int64_t v = 0; v < vectors; ++v)
    for (int64_t j = 0; j < s.kernel_w; ++j) {
      plan.columns.push_back(plan_column(s, lanes, v * lanes, j));
      full[v] = full[v] && interior(s, lanes, plan.columns.back());
    }
  if (split_borders) {
    for (int64_t v = 0; v < vectors;) {
      int64_t end = v + 1;
      while (end < vectors && full[end] == full[v]) ++end;
      add_tiles(plan, v, end, !full[v]);
      v = end;
    }
  } else {
    for (int64_t v = 0; v < vectors; v += kMaxTileVectors) {
      const int64_t end = std::min(vectors, v + kMaxTileVectors);
      add_tiles(plan, v, end, !std::all_of(full.begin() + v, full.begin() + end, [](bool f) { return f; }));
    }
  }
  int widest = 1;
  for (const DwF32Tile& t : plan.tiles) widest = std::max(widest, t.vectors);
  // About 8 accumulators in flight: enough to cover the FMA latency on two ports.
  plan.group_planes = widest == 1 ? 8 : widest == 2 ? 4 : 2;
  return plan;
}
#endif

QConvShape depthwise_shape(const ConvParams& p) {
  if (!dwconv_f32_applies(p)) throw std::invalid_argument("dwconv_f32: not a depthwise convolution of rank 1 or 2");
  return qconv_shape(p);
}

}  // namespace

bool dwconv_f32_applies(const ConvParams& p) {
  const size_t rank = p.window.rank();
  return (rank == 1 || rank == 2) && p.group == p.in_channels && p.out_channels == p.in_channels;
}

void dwconv_f32(Isa isa, const ConvParams& p, const float* x, const float* w, const float* bias, float* y) {
  if (!isa_supported(isa))
    throw std::invalid_argument(std::string("dwconv_f32: ISA level not supported by this CPU: ") + isa_name(isa));
  const QConvShape s = depthwise_shape(p);
  const int64_t planes = p.batch * s.in_channels;
#ifdef OCTET_DWCONV_F32_X86
  if (runs_avx512vnni(isa)) return dwconv_f32_avx512(plan_dwconv(s, 16, false), planes, x, w, bias, y);
  if (isa == Isa::Avx2) return dwconv_f32_avx2(plan_dwconv(s, 8, true), planes, x, w, bias, y);
#endif
  dwconv_f32_ref(s, planes, x, w, bias, y);
}

void dwconv_f32(const ConvParams& p, const float* x, const float* w, const float* bias, float* y) {
  static const Isa isa = fp32_level(selected_isa_or_ref());
  dwconv_f32(isa, p, x, w, bias, y);
}

}  // namespace octet::kernels
