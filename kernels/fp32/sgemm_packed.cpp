// The packed FP32 GEMM driver: packs A into the slivers of each ISA level
// and walks C in column panels of 48 columns. Each panel of B (kc depths x
// 48 columns) is first copied into a contiguous, zero-padded buffer, then
// every sliver of A passes it while it sits in L1. Read in place instead,
// rows ldb apart, the panel of a large image maps onto few L1 sets (an
// image row of 3136 floats is 12.25 pages): resnet18's two largest GEMMs
// ran at 70-76 GFLOPS that way against 110-115 copied. The copy is also
// where an image source (SgemmImageB) does its im2col, one panel at a
// time, so the columns are never written out whole.
// K is blocked by kDepthBlock so that the B panel stays in L1 / L2 (256
// depths x 48 columns = 48 KB; 128 and 192 measured the same within the
// noise of a shared machine, 512 slower). The partial sums of a block go
// through C, which keeps the k order of the contract.
#include "kernels/fp32/sgemm_packed.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/im2col.h"
#include "kernels/ref/sgemm_ref.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) || defined(_M_X64)
#include "kernels/x86/sgemm_f32_x86.h"
#define OCTET_SGEMM_X86 1
#endif

namespace octet::kernels {

namespace {

void check(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("sgemm_packed: " + what);
}

int rows_per_sliver(Isa isa) {
#ifdef OCTET_SGEMM_X86
  if (runs_avx512vnni(isa)) return x86::kSgemmMrAvx512;
  if (isa == Isa::Avx2) return x86::kSgemmMrAvx2;
#endif
  (void)isa;
  return 1;
}

constexpr int64_t kDepthBlock = 256;
constexpr int64_t kMaxNr = 48;  // columns per packed B panel
#ifdef OCTET_SGEMM_X86
static_assert(x86::kSgemmPanel == kMaxNr, "the kernels' B panel width");
#endif

// Dense B rows [k0, k0 + kc), columns [col0, col0 + cols) to [kc][nr].
[[maybe_unused]] void pack_dense(const float* b, int64_t ldb, int64_t k0, int64_t kc, int64_t col0, int64_t cols, int64_t nr,
                float* out) {
  for (int64_t k = 0; k < kc; ++k) {
    float* dst = out + k * nr;
    std::memcpy(dst, b + (k0 + k) * ldb + col0, static_cast<size_t>(cols) * sizeof(float));
    std::fill(dst + cols, dst + nr, 0.f);
  }
}

// The same block of the im2col columns of a 2-D image, gathered from the
// image: the panel's pixels split into runs along output rows (the same
// for every depth, so found once per panel); for each depth (c, ky, kx) a
// run reads one input row at stride sx from ox * sx - pl + kx * dx, with
// zeros where the tap falls in the padding. This gather is the price of
// not writing im2col's columns: about a fifth of resnet18's FP32 time in a
// profile, spent waiting on the image loads rather than on the copies (an
// AVX-512 masked-load version measured no faster).
class ImagePanel {
 public:
  explicit ImagePanel(const SgemmImageB& src) : image_(src.image), w_(*src.window) {}

  void pack(int64_t k0, int64_t kc, int64_t col0, int64_t cols, int64_t nr, float* out) const {
    const int64_t kh = w_.kernel[0], kw = w_.kernel[1], h = w_.in_size[0], wi = w_.in_size[1];
    const int64_t ow = w_.out_size[1], sy = w_.stride[0], sx = w_.stride[1];
    Run runs[kMaxNr];
    int count = 0;
    for (int64_t done = 0, oy = col0 / ow, ox = col0 % ow; done < cols; ox = 0, ++oy) {
      const int64_t len = std::min(cols - done, ow - ox);
      runs[count++] = {done, len, oy * sy - w_.pad_begin[0], ox * sx - w_.pad_begin[1]};
      done += len;
    }
    int64_t c = k0 / (kh * kw), ky = k0 / kw % kh, kx = k0 % kw;
    for (int64_t k = 0; k < kc; ++k) {
      float* dst = out + k * nr;
      const float* plane = image_ + c * h * wi;
      const int64_t dy = ky * w_.dilation[0], dx = kx * w_.dilation[1];
      for (int r = 0; r < count; ++r) {
        const Run& run = runs[r];
        const int64_t iy = run.iy0 + dy;
        if (iy < 0 || iy >= h) {
          std::fill(dst + run.at, dst + run.at + run.len, 0.f);
          continue;
        }
        gather(plane + iy * wi, run.ix0 + dx, wi, sx, run.len, dst + run.at);
      }
      std::fill(dst + cols, dst + nr, 0.f);
      if (++kx == kw) {
        kx = 0;
        if (++ky == kh) {
          ky = 0;
          ++c;
        }
      }
    }
  }

 private:
  struct Run {
    int64_t at, len;  // columns [at, at + len) of the panel
    int64_t iy0, ix0;  // input coordinates of the run's first pixel at tap (0, 0)
  };

  // d[t] = row[ix0 + t * sx] for t < len, 0 where that falls outside
  // [0, wi): taps [lo, hi) are inside. Stride 1 needs no division, and the
  // copies are SSE2 loops: a profile of resnet18 had divisions, memcpy
  // calls on short runs (7 or 14 pixels on the last layers) and scalar
  // stride-2 copies at a fifth of the convolution time.
  static void gather(const float* row, int64_t ix0, int64_t wi, int64_t sx, int64_t len, float* d) {
    int64_t lo, hi;
    if (sx == 1) {
      lo = std::clamp<int64_t>(-ix0, 0, len);
      hi = std::clamp<int64_t>(wi - ix0, lo, len);
    } else {
      lo = ix0 >= 0 ? 0 : std::min(len, (-ix0 + sx - 1) / sx);
      hi = ix0 >= wi ? lo : std::clamp<int64_t>((wi - ix0 + sx - 1) / sx, lo, len);
    }
    std::fill(d, d + lo, 0.f);
    if (hi > lo) {
      const float* src = row + (ix0 + lo * sx);  // the first tap inside
      if (sx == 1)
        copy_run(src, hi - lo, d + lo);
      else if (sx == 2)
        copy_run_stride2(src, hi - lo, d + lo);
      else
        for (int64_t t = 0; t < hi - lo; ++t) d[lo + t] = src[t * sx];
    }
    std::fill(d + hi, d + len, 0.f);
  }

  // d[t] = src[t] for t < n: 4 floats at a time where SSE2 is the
  // baseline (this file has no ISA flags).
  static void copy_run(const float* src, int64_t n, float* d) {
    // Long runs through memcpy, which glibc runs at the CPU's widest
    // stores (SSE2 stores were a tenth of resnet18's FP32 time).
    if (n >= 32) {
      std::memcpy(d, src, static_cast<size_t>(n) * sizeof(float));
      return;
    }
    int64_t t = 0;
#ifdef __SSE2__
    for (; t + 4 <= n; t += 4) _mm_storeu_ps(d + t, _mm_loadu_ps(src + t));
#endif
    for (; t < n; ++t) d[t] = src[t];
  }

  // d[t] = src[2 t] for t < n: the even lanes of two loads, which read up
  // to src[2 t + 7]; that is inside the row only while t + 4 < n (src[2 n
  // - 1] may be past the end of the image).
  static void copy_run_stride2(const float* src, int64_t n, float* d) {
    int64_t t = 0;
#ifdef __SSE2__
    for (; t + 4 < n; t += 4) {
      const __m128 a = _mm_loadu_ps(src + 2 * t), b = _mm_loadu_ps(src + 2 * t + 4);
      _mm_storeu_ps(d + t, _mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)));
    }
#endif
    for (; t < n; ++t) d[t] = src[2 * t];
  }

  const float* image_;
  const SpatialWindow& w_;
};

#ifdef OCTET_SGEMM_X86
// Bytes of A up to which panels run outer and depth blocks inner: A is
// then read from L2 once per panel, while the image rows and the C tile of
// a panel stay cached across its depth blocks (the next panel reuses most
// of the image rows). A larger A runs depth blocks outer so that each
// block of A comes from memory once, at the price of sweeping C and the
// image once per block.
constexpr int64_t kPanelsOuterMaxA = 1 << 20;

class PanelRunner {
 public:
  PanelRunner(const SgemmArgs& args, void (*panel_fn)(const x86::SgemmPanel&))
      : args_(args), a_(*args.a), panel_fn_(panel_fn) {
    base_ = a_.rows ? a_.rows : reinterpret_cast<const float*>(a_.data.data());
    if (args.image) image_.emplace(*args.image);
  }

  // C columns [col0, col0 + 48) over depths [k0, k0 + kDepthBlock).
  void run(int64_t k0, int64_t col0) {
    x86::SgemmPanel p;
    p.m = a_.m;
    if (a_.rows) {
      p.a = base_ + k0;
      p.sliver_stride = a_.mr * a_.lda;
      p.row_stride = a_.lda;
      p.depth_stride = 1;
    } else {
      p.a = base_ + k0 * a_.mr;
      p.sliver_stride = a_.k * a_.mr;
      p.row_stride = 1;
      p.depth_stride = a_.mr;
    }
    p.kc = std::min(kDepthBlock, a_.k - k0);
    p.b = b_panel_;
    p.bias = k0 == 0 ? args_.bias : nullptr;
    p.load_c = k0 > 0 || args_.accumulate;
    p.ldc = args_.ldc;
    p.cols = std::min(kMaxNr, args_.n - col0);
    if (image_)
      image_->pack(k0, p.kc, col0, p.cols, kMaxNr, b_panel_);
    else
      pack_dense(args_.b, args_.ldb, k0, p.kc, col0, p.cols, kMaxNr, b_panel_);
    p.c = args_.c + col0;
    panel_fn_(p);
  }

 private:
  const SgemmArgs& args_;
  const PackedSgemmA& a_;
  void (*panel_fn_)(const x86::SgemmPanel&);
  const float* base_;
  std::optional<ImagePanel> image_;
  alignas(64) float b_panel_[kDepthBlock * kMaxNr];  // 48 KB
};

void sgemm_x86(const SgemmArgs& args, void (*panel_fn)(const x86::SgemmPanel&)) {
  const PackedSgemmA& a = *args.a;
  PanelRunner runner(args, panel_fn);
  // K = 0 still runs one (empty) block: C gets the bias or keeps its sums.
  const int64_t k_end = std::max<int64_t>(a.k, 1);
  if (a.m * a.k * int64_t(sizeof(float)) <= kPanelsOuterMaxA) {
    for (int64_t col0 = 0; col0 < args.n; col0 += kMaxNr)
      for (int64_t k0 = 0; k0 < k_end; k0 += kDepthBlock) runner.run(k0, col0);
  } else {
    for (int64_t k0 = 0; k0 < k_end; k0 += kDepthBlock)
      for (int64_t col0 = 0; col0 < args.n; col0 += kMaxNr) runner.run(k0, col0);
  }
}
#endif

void run_ref(const SgemmArgs& args) {
  const PackedSgemmA& a = *args.a;
  const float* w = a.rows ? a.rows : reinterpret_cast<const float*>(a.data.data());
  const int64_t lda = a.rows ? a.lda : a.k;
  if (!args.image) {
    sgemm_ref(a.m, args.n, a.k, w, lda, args.b, args.ldb, args.bias, args.accumulate, args.c, args.ldc);
    return;
  }
  std::vector<float> columns(static_cast<size_t>(a.k * args.n));
  const SpatialWindow& win = *args.image->window;
  im2col<float>(win, a.k / win.kernel_numel(), args.image->image, 0.f, columns.data());
  sgemm_ref(a.m, args.n, a.k, w, lda, columns.data(), args.n, args.bias, args.accumulate, args.c, args.ldc);
}

void check_image(const SgemmArgs& args) {
  const SgemmImageB& src = *args.image;
  check(src.window != nullptr && src.window->rank() == 2, "image B needs a rank-2 window");
  const SpatialWindow& w = *src.window;
  check(args.n == w.out_numel(), "image B: n is not the number of output pixels");
  check(w.kernel_numel() > 0 && args.a->k % w.kernel_numel() == 0, "image B: k is not channels x kernel");
  check(src.image || args.a->k == 0, "null image");
}

}  // namespace

PackedSgemmA view_sgemm_a(Isa isa, int64_t m, int64_t k, const float* a, int64_t lda) {
  check(m >= 0 && k >= 0, "negative shape");
  check(m * k == 0 || a, "null weights");
  check(lda >= k, "row stride shorter than the row");
  check(isa_supported(isa), std::string("this CPU cannot run ") + isa_name(isa));
  PackedSgemmA out;
  out.isa = fp32_level(isa);  // ARM levels: the reference build, which targets NEON
  out.m = m;
  out.k = k;
  out.mr = rows_per_sliver(out.isa);
  out.rows = a;
  out.lda = lda;
  return out;
}

PackedSgemmA prepack_sgemm_a(Isa isa, int64_t m, int64_t k, const float* a, int64_t lda) {
  PackedSgemmA out = view_sgemm_a(isa, m, k, a, lda);
  out.rows = nullptr;
  out.lda = 0;
  const int64_t slivers = (m + out.mr - 1) / out.mr;
  out.data = AlignedBuffer(static_cast<size_t>(slivers * k * out.mr) * sizeof(float));
  float* dst = reinterpret_cast<float*>(out.data.data());
  // [sliver][k][mr]; the padding rows stay zero (AlignedBuffer zero-fills).
  for (int64_t i = 0; i < m; ++i) {
    float* sliver = dst + (i / out.mr) * k * out.mr + i % out.mr;
    for (int64_t q = 0; q < k; ++q) sliver[q * out.mr] = a[i * lda + q];
  }
  return out;
}

void sgemm_packed(const SgemmArgs& args) {
  check(args.a != nullptr, "null packed A");
  const PackedSgemmA& a = *args.a;
  check(args.n >= 0, "negative n");
  if (a.m == 0 || args.n == 0) return;
  if (args.image)
    check_image(args);
  else
    check((args.b || a.k == 0) && args.ldb >= args.n, "null b or row stride shorter than the row");
  check(args.c != nullptr, "null c");
  check(args.ldc >= args.n, "row stride of c shorter than the row");
  check(!(args.accumulate && args.bias), "bias with accumulate");
  switch (a.isa) {
    case Isa::Ref: run_ref(args); return;
#ifdef OCTET_SGEMM_X86
    case Isa::Avx2: sgemm_x86(args, x86::sgemm_panel_avx2); return;
    case Isa::Avx512Vnni:
    case Isa::Amx: sgemm_x86(args, x86::sgemm_panel_avx512); return;
#endif
    default: break;
  }
  throw std::invalid_argument(std::string("sgemm_packed: no kernel for ") + isa_name(a.isa));
}

}  // namespace octet::kernels
