// bench_kernels: FP32 against INT8 at every ISA level, single thread, batch 1,
// on the GEMM and convolution shapes of linear layers, resnet18 and
// mobilenet_v2. Prints Markdown tables (median time, GOPS, % of the measured
// peak of the instruction each path is built on, INT8 / FP32 speedup).
//
//   bench_kernels [--filter SUBSTRING] [--min-time SECONDS] [--isa LEVEL[,LEVEL]] [--quick]
//
// Each INT8 level's output is checked once, outside timing, against the Ref
// level's output (bit-exact); a difference prints MISMATCH and the program
// exits 1. The GEMM tables time AVX2 twice: with full-range s8 weights (the
// widening kernel) and with weights in [-64, 64] (the 7-bit vpmaddubsw
// kernel that prepack_weights_s8 picks for them), each against the Ref
// output for its own weights.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "benchmarks/bench_shapes.h"
#include "benchmarks/bench_timer.h"
#include "benchmarks/fp32_gemm.h"
#include "benchmarks/peak_probe.h"
#include "kernels/fp32/conv_f32.h"
#include "kernels/fp32/gemm_f32.h"
#include "kernels/im2col.h"
#include "kernels/isa.h"
#include "kernels/qconv.h"
#include "kernels/qgemm.h"

#if defined(__x86_64__) || defined(_M_X64)
#define OCTET_BENCH_X86 1
#endif

namespace octet::bench {
namespace {

using kernels::Isa;

struct Options {
  std::string filter;
  double min_time = 0.2;
  std::vector<Isa> levels;  // INT8 levels to time
  bool quick = false;
};

[[noreturn]] void usage(const std::string& error) {
  std::fprintf(stderr,
               "bench_kernels: %s\n"
               "usage: bench_kernels [--filter SUBSTRING] [--min-time SECONDS] [--isa LEVEL[,LEVEL...]] "
               "[--quick]\n",
               error.c_str());
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  std::string isa_list;
  bool min_time_set = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(a + " needs a value");
      return argv[++i];
    };
    if (a == "--filter") o.filter = value();
    else if (a == "--min-time") {
      std::string v = value();
      char* end = nullptr;
      o.min_time = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end || !(o.min_time >= 0) || o.min_time > 3600) usage("bad --min-time '" + v + "'");
      min_time_set = true;
    } else if (a == "--isa") isa_list = value();
    else if (a == "--quick") o.quick = true;
    else if (a == "--help" || a == "-h") usage("help");
    else usage("unknown argument '" + a + "'");
  }
  if (o.quick && !min_time_set) o.min_time = 0.01;
  const std::vector<Isa> supported = kernels::supported_isas();
  if (isa_list.empty()) {
    o.levels = supported;
  } else {
    std::stringstream ss(isa_list);
    std::string name;
    while (std::getline(ss, name, ',')) {
      Isa isa;
      try {
        isa = kernels::parse_isa(name);
      } catch (const std::exception& e) {
        usage(e.what());
      }
      if (!kernels::isa_supported(isa)) usage("this CPU cannot run " + name);
      if (std::find(o.levels.begin(), o.levels.end(), isa) == o.levels.end()) o.levels.push_back(isa);
    }
  }
  std::sort(o.levels.begin(), o.levels.end());
  return o;
}

TimerOptions timer_options(const Options& o) {
  TimerOptions t;
  t.min_time = o.min_time;
  t.warmup_time = o.quick ? 0.001 : std::min(0.05, o.min_time / 4);
  t.min_samples = o.quick ? 3 : 5;
  return t;
}

bool selected(const Options& o, const std::string& name, bool quick_shape) {
  if (o.quick && !quick_shape) return false;
  return o.filter.empty() || name.find(o.filter) != std::string::npos;
}

// ---------------------------------------------------------------- peaks

struct Peaks {
  double fp32_lib = 0, fp32_avx2 = 0, fp32_avx512 = 0;  // GOPS, 0 = not measured
  double int8_avx2 = 0, int8_avx2_7bit = 0, int8_vnni = 0, int8_vnni_ymm = 0, int8_amx = 0;

  double int8(Isa isa) const {
    if (isa == Isa::Avx2) return int8_avx2;
    if (isa == Isa::Amx) return int8_amx;
    if (runs_avx512vnni(isa)) return int8_vnni;
    return 0;
  }
};

#ifdef OCTET_BENCH_X86
double measure_peak(int64_t (*probe)(int64_t), double ops_per_iter, const Options& o) {
  // Size one call to about 2 ms so the median covers many calls.
  int64_t iters = 1000;
  for (;;) {
    double t0 = now_seconds();
    probe(iters);
    double dt = now_seconds() - t0;
    if (dt > 1e-3 || iters > (int64_t(1) << 40)) {
      iters = std::max<int64_t>(1, static_cast<int64_t>(iters * 2e-3 / dt));
      break;
    }
    iters *= 4;
  }
  TimerOptions t = timer_options(o);
  t.min_time = o.quick ? 0.01 : std::max(0.1, o.min_time);
  double s = fastest_seconds([&] { probe(iters); }, t);
  return ops_per_iter * double(iters) / s * 1e-9;
}
#endif

Peaks measure_peaks(const Options& o) {
  Peaks p;
#ifdef OCTET_BENCH_X86
  std::printf("## Measured peak, one core\n\n");
  std::printf(
      "Independent chains of one instruction on registers (no memory), fastest of many runs; one MAC = 2 "
      "ops.\n\n");
  std::printf("| probe | stands for | GOPS |\n|---|---|---:|\n");
  auto row = [](const char* probe, const char* what, double gops) {
    std::printf("| %s | %s | %.1f |\n", probe, what, gops);
  };
  p.fp32_lib = measure_peak(probe_mulps_addps_xmm, kMulpsAddpsXmmOps, o);
  row("mulps + addps xmm", "FP32 generic build (SSE2 Eigen)", p.fp32_lib);
  if (kernels::isa_supported(Isa::Avx2)) {
    p.fp32_avx2 = measure_peak(probe_fma_ymm, kFmaYmmOps, o);
    row("vfmadd231ps ymm", "FP32 Eigen AVX2/FMA", p.fp32_avx2);
    p.int8_avx2 = measure_peak(probe_vpmaddwd_ymm, kVpmaddwdYmmOps, o);
    row("vpmaddwd + vpaddd ymm", "INT8 avx2 (u8 widened to s16)", p.int8_avx2);
    p.int8_avx2_7bit = measure_peak(probe_vpmaddubsw_ymm, kVpmaddubswYmmOps, o);
    row("vpmaddubsw + vpmaddwd + vpaddd ymm", "INT8 avx2 (\\|w\\|<=64) (saturating pairs, exact for 7-bit weights)",
        p.int8_avx2_7bit);
  }
  if (kernels::isa_supported(Isa::Avx512Vnni)) {
    p.fp32_avx512 = measure_peak(probe_fma_zmm, kFmaZmmOps, o);
    row("vfmadd231ps zmm", "FP32 Eigen AVX-512", p.fp32_avx512);
    p.int8_vnni = measure_peak(probe_vpdpbusd_zmm, kVpdpbusdZmmOps, o);
    row("vpdpbusd zmm", "INT8 avx512vnni", p.int8_vnni);
    p.int8_vnni_ymm = measure_peak(probe_vpdpbusd_ymm, kVpdpbusdYmmOps, o);
    row("vpdpbusd ymm", "(for comparison)", p.int8_vnni_ymm);
  }
  if (kernels::isa_supported(Isa::Amx)) {
    p.int8_amx = measure_peak(probe_tdpbusd, kTdpbusdOps, o);
    row("tdpbusd (4 sum tiles)", "INT8 amx", p.int8_amx);
  }
  std::printf("\n");
#else
  (void)o;
#endif
  return p;
}

// ---------------------------------------------------------------- tables

// One timed path: a column of the table.
struct Column {
  std::string title;
  double peak_gops = 0;  // 0: no % of peak
  bool int8 = false;
  Isa isa = Isa::Ref;
  bool weights_7bit = false;  // INT8 with weights drawn in [-64, 64]
};

struct Cell {
  double seconds = -1;  // < 0: not run
  bool single = false;  // one untimed-for-speed run (slow Ref)
  bool mismatch = false;
};

struct Row {
  std::string name, shape;
  double macs = 0;
  int count = 1;
  std::vector<Cell> cells;
};

// (numerator column, denominator column) of a speedup column: FP32 time / INT8 time.
struct Speedup {
  std::string title;
  size_t fp32, int8;
};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string cell_text(const Cell& c, double ops, const Column& col) {
  if (c.mismatch) return "MISMATCH";
  if (c.seconds < 0) return "-";
  double gops = ops / c.seconds * 1e-9;
  std::string s = fmt("%.3f", c.seconds * 1e3) + (c.single ? "¹" : "") + " / " + fmt("%.1f", gops);
  if (col.peak_gops > 0) s += " / " + fmt("%.0f%%", 100 * gops / col.peak_gops);
  return s;
}

std::string speedup_text(const Cell& fp32, const Cell& int8) {
  if (fp32.seconds <= 0 || int8.seconds <= 0 || int8.mismatch) return "-";
  return fmt("%.2fx", fp32.seconds / int8.seconds);
}

void print_table(const std::string& title, const std::string& note, const std::vector<Column>& cols,
                 const std::vector<Speedup>& speedups, const std::vector<Row>& rows, bool sum_line) {
  if (rows.empty()) return;
  std::printf("## %s\n\n", title.c_str());
  std::printf("Cells: median ms / GOPS / %% of the path's measured peak. %s\n\n", note.c_str());
  std::printf("| layer | shape |");
  for (const Column& c : cols) std::printf(" %s |", c.title.c_str());
  for (const Speedup& s : speedups) std::printf(" %s |", s.title.c_str());
  std::printf("\n|---|---|");
  for (size_t i = 0; i < cols.size() + speedups.size(); ++i) std::printf("---:|");
  std::printf("\n");
  for (const Row& r : rows) {
    std::string name = r.name + (r.count > 1 ? " (x" + std::to_string(r.count) + ")" : "");
    std::printf("| %s | %s |", name.c_str(), r.shape.c_str());
    for (size_t i = 0; i < cols.size(); ++i) std::printf(" %s |", cell_text(r.cells[i], 2 * r.macs, cols[i]).c_str());
    for (const Speedup& s : speedups) std::printf(" %s |", speedup_text(r.cells[s.fp32], r.cells[s.int8]).c_str());
    std::printf("\n");
  }
  if (sum_line) {
    // Each layer weighted by how often the model runs it; a path missing on
    // any row has no total.
    double macs = 0;
    std::vector<Cell> total(cols.size());
    for (size_t i = 0; i < cols.size(); ++i) total[i].seconds = 0;
    for (const Row& r : rows) {
      macs += r.macs * r.count;
      for (size_t i = 0; i < cols.size(); ++i) {
        const Cell& c = r.cells[i];
        if (c.seconds < 0 || total[i].seconds < 0) total[i].seconds = -1;
        else total[i].seconds += c.seconds * r.count;
        total[i].single |= c.single;
        total[i].mismatch |= c.mismatch;
      }
    }
    std::printf("| **sum (each layer x count)** | %.2f GMAC |", macs * 1e-9);
    for (size_t i = 0; i < cols.size(); ++i) std::printf(" **%s** |", cell_text(total[i], 2 * macs, cols[i]).c_str());
    for (const Speedup& s : speedups) std::printf(" **%s** |", speedup_text(total[s.fp32], total[s.int8]).c_str());
    std::printf("\n");
  }
  std::printf("\n");
}

// ---------------------------------------------------------------- data

std::mt19937 rng(12345);

std::vector<uint8_t> random_u8(size_t n) {
  std::uniform_int_distribution<int> d(0, 255);
  std::vector<uint8_t> v(n);
  for (auto& x : v) x = static_cast<uint8_t>(d(rng));
  return v;
}

// max_abs 64: weights for the AVX2 7-bit kernel.
std::vector<int8_t> random_s8(size_t n, int max_abs = 128) {
  std::uniform_int_distribution<int> d(-max_abs, std::min(max_abs, 127));
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

std::vector<float> random_f32(size_t n) {
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

std::vector<int32_t> random_bias(size_t n) {
  std::uniform_int_distribution<int32_t> d(-100000, 100000);
  std::vector<int32_t> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

// Per-channel multipliers that spread the outputs over the u8 range (not
// all saturated), so the check compares informative values: with uniform
// u8 x s8 data an accumulator's spread is about 11000 * sqrt(K), scaled here
// to about 80.
std::vector<float> random_multipliers(size_t n, int64_t k) {
  std::uniform_real_distribution<float> d(0.5f, 1.5f);
  const float base = 80.f / (11000.f * std::sqrt(static_cast<float>(std::max<int64_t>(k, 1))));
  std::vector<float> v(n);
  for (auto& x : v) x = base * d(rng);
  return v;
}

// Times fn at a level; Ref is run once and only timed properly when that
// run was short. `check` compares the output with the Ref output.
Cell time_int8(Isa isa, const std::function<void()>& fn, const std::function<bool()>& check, double ref_once,
               const TimerOptions& t) {
  Cell c;
  if (isa == Isa::Ref) {
    if (ref_once > 0.02) {
      c.seconds = ref_once;
      c.single = true;
      return c;
    }
  } else {
    fn();
    c.mismatch = !check();
  }
  c.seconds = median_seconds(fn, t);
  return c;
}

double time_once(const std::function<void()>& fn) {
  double t0 = now_seconds();
  fn();
  return now_seconds() - t0;
}

// Whether two FP32 results agree to rounding (different summation orders).
bool close_f32(const std::vector<float>& a, const std::vector<float>& b) {
  double scale = 0, err = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    scale = std::max(scale, double(std::fabs(a[i])));
    err = std::max(err, double(std::fabs(a[i] - b[i])));
  }
  return err <= 1e-3 * std::max(scale, 1.0);
}

// ---------------------------------------------------------------- GEMM

struct Layout {
  std::vector<Column> cols;
  std::vector<Speedup> speedups;
  int fp32_lib = -1, fp32_avx2 = -1, fp32_avx512 = -1;
  std::vector<int> int8;  // column per INT8 level, parallel to Options::levels
  int int8_avx2_7bit = -1;  // Avx2 again, weights in [-64, 64]
};

// with_7bit: a second Avx2 column whose weights all fit the 7-bit kernel.
// The FMA peak of the level the library's FP32 convolutions run at (their
// own kernels at the selected ISA); the GEMM table's FP32 lib is the
// Eigen build with no ISA flags.
double conv_lib_peak(const Peaks& p) {
  const Isa isa = kernels::selected_isa_or_ref();
  if (runs_avx512vnni(isa) && p.fp32_avx512 > 0) return p.fp32_avx512;
  if (isa == Isa::Avx2 && p.fp32_avx2 > 0) return p.fp32_avx2;
  return p.fp32_lib;
}

Layout make_layout(const Options& o, const Peaks& p, bool fp32_simd, bool with_7bit, double lib_peak) {
  Layout l;
  l.fp32_lib = 0;
  l.cols.push_back({"FP32 lib", lib_peak});
  if (fp32_simd && kernels::isa_supported(Isa::Avx2)) {
    l.fp32_avx2 = static_cast<int>(l.cols.size());
    l.cols.push_back({"FP32 Eigen AVX2", p.fp32_avx2});
  }
  if (fp32_simd && kernels::isa_supported(Isa::Avx512Vnni)) {
    l.fp32_avx512 = static_cast<int>(l.cols.size());
    l.cols.push_back({"FP32 Eigen AVX-512", p.fp32_avx512});
  }
  for (Isa isa : o.levels) {
    l.int8.push_back(static_cast<int>(l.cols.size()));
    l.cols.push_back({std::string("INT8 ") + kernels::isa_name(isa), p.int8(isa), true, isa});
    if (with_7bit && isa == Isa::Avx2) {
      l.int8_avx2_7bit = static_cast<int>(l.cols.size());
      // The pipes escaped: the titles go into Markdown table headers.
      l.cols.push_back({"INT8 avx2 (\\|w\\|<=64)", p.int8_avx2_7bit, true, isa, true});
    }
  }
  for (size_t i = 0; i < o.levels.size(); ++i) {
    Isa isa = o.levels[i];
    if (isa == Isa::Ref) continue;
    std::string name = kernels::isa_name(isa);
    l.speedups.push_back({name + " vs FP32 lib", size_t(l.fp32_lib), size_t(l.int8[i])});
    // Against FP32 on the same vector width, the comparison the issue's targets name.
    const bool avx2 = isa == Isa::Avx2;
    int same = avx2 ? l.fp32_avx2 : l.fp32_avx512;
    if (same >= 0)
      l.speedups.push_back({name + (avx2 ? " vs FP32 AVX2" : " vs FP32 AVX-512"), size_t(same), size_t(l.int8[i])});
    if (avx2 && same >= 0 && l.int8_avx2_7bit >= 0)
      l.speedups.push_back({"avx2 (\\|w\\|<=64) vs FP32 AVX2", size_t(same), size_t(l.int8_avx2_7bit)});
  }
  return l;
}

bool any_mismatch = false;

Row run_gemm(const GemmShape& s, const Options& o, const Layout& l) {
  const TimerOptions t = timer_options(o);
  Row r;
  r.name = s.name;
  r.shape = std::to_string(s.m) + "x" + std::to_string(s.k) + "x" + std::to_string(s.n);
  r.macs = s.macs();
  r.count = s.count;
  r.cells.resize(l.cols.size());

  // FP32: C[M, N] = A[M, K] * B[K, N].
  {
    std::vector<float> a = random_f32(s.m * s.k), b = random_f32(s.k * s.n), c_lib(s.m * s.n), c(s.m * s.n);
    // The generic (SSE2) build: the library itself now picks the widest one.
    auto lib = [&] {
      kernels::gemm_f32_generic(false, false, s.m, s.n, s.k, 1.f, a.data(), s.k, b.data(), s.n, 0.f, c_lib.data(), s.n);
    };
    r.cells[l.fp32_lib].seconds = median_seconds(lib, t);
#ifdef OCTET_BENCH_X86
    auto simd = [&](int col, void (*gemm)(int64_t, int64_t, int64_t, const float*, const float*, float*)) {
      if (col < 0) return;
      auto fn = [&] { gemm(s.m, s.n, s.k, a.data(), b.data(), c.data()); };
      fn();
      r.cells[col].mismatch = !close_f32(c_lib, c);
      any_mismatch |= r.cells[col].mismatch;
      r.cells[col].seconds = median_seconds(fn, t);
    };
    simd(l.fp32_avx2, gemm_f32_avx2);
    simd(l.fp32_avx512, gemm_f32_avx512);
#endif
  }

  // INT8: c[M, N] u8 = requantize(bias + A[M, K] u8 * B[N, K]^T s8).
  if (!o.levels.empty()) {
    std::vector<uint8_t> a = random_u8(s.m * s.k);
    std::vector<int8_t> b = random_s8(s.n * s.k);
    std::vector<int32_t> bias = random_bias(s.n);
    std::vector<float> mult = random_multipliers(s.n, s.k);
    std::vector<uint8_t> c_ref(s.m * s.n), c(s.m * s.n);
    auto args_for = [&](const kernels::PackedWeights& pw, uint8_t* out) {
      kernels::QGemmArgs args;
      args.m = s.m;
      args.a = a.data();
      args.lda = s.k;
      args.b = &pw;
      args.epilogue.type = kernels::QGemmOutput::U8;
      args.epilogue.bias = bias.data();
      args.epilogue.scale = mult.data();
      args.epilogue.per_channel = true;
      args.epilogue.zero_point = 128;
      args.epilogue.qmin = 0;
      args.epilogue.qmax = 255;
      args.c = out;
      args.ldc = s.n;
      return args;
    };
    kernels::PackedWeights ref_pw = kernels::prepack_weights_s8(Isa::Ref, s.n, s.k, b.data(), s.k, 1);
    const kernels::QGemmArgs ref_args = args_for(ref_pw, c_ref.data());
    const double ref_once = time_once([&] { kernels::qgemm_u8s8(ref_args); });
    auto time_level = [&](Isa isa, const std::vector<int8_t>& w, bool want_7bit, const std::vector<uint8_t>& want) {
      kernels::PackedWeights pw = kernels::prepack_weights_s8(isa, s.n, s.k, w.data(), s.k, 1);
      // The column must time the kernel it is named after.
      if (isa == Isa::Avx2 && pw.weights_7bit != want_7bit)
        throw std::logic_error("prepack_weights_s8 did not pick the AVX2 kernel the column names");
      const kernels::QGemmArgs args = args_for(pw, isa == Isa::Ref ? c_ref.data() : c.data());
      Cell cell = time_int8(
          isa, [&] { kernels::qgemm_u8s8(args); }, [&] { return c == want; }, ref_once, t);
      any_mismatch |= cell.mismatch;
      return cell;
    };
    for (size_t i = 0; i < o.levels.size(); ++i) r.cells[l.int8[i]] = time_level(o.levels[i], b, false, c_ref);
    if (l.int8_avx2_7bit >= 0) {
      std::vector<int8_t> b7 = random_s8(s.n * s.k, 64);
      std::vector<uint8_t> c_ref7(s.m * s.n);
      kernels::PackedWeights ref_pw7 = kernels::prepack_weights_s8(Isa::Ref, s.n, s.k, b7.data(), s.k, 1);
      kernels::qgemm_u8s8(args_for(ref_pw7, c_ref7.data()));
      r.cells[l.int8_avx2_7bit] = time_level(Isa::Avx2, b7, true, c_ref7);
    }
  }
  return r;
}

void gemm_section(const std::string& title, const std::vector<GemmShape>& shapes, bool sum_line, const Options& o,
                  const Layout& l) {
  std::vector<Row> rows;
  for (const GemmShape& s : shapes) {
    if (!selected(o, s.name, s.quick)) continue;
    rows.push_back(run_gemm(s, o, l));
    std::fflush(stdout);
  }
  print_table(title,
              "FP32 lib is kernels/fp32 gemm_f32_generic (Eigen, no ISA flags); INT8 is qgemm_u8s8 with a u8 "
              "requantizing epilogue, weights prepacked outside timing.",
              l.cols, l.speedups, rows, sum_line);
  std::fflush(stdout);
}

std::vector<GemmShape> as_gemms(const std::vector<ConvShape>& convs) {
  std::vector<GemmShape> v;
  for (const ConvShape& c : convs) v.push_back(c.gemm());
  return v;
}

// ---------------------------------------------------------------- convolution

kernels::ConvParams conv_params(const ConvShape& s) {
  kernels::ConvParams p;
  p.batch = 1;
  p.in_channels = s.in_channels;
  p.out_channels = s.out_channels;
  p.group = s.groups;
  kernels::SpatialWindow& w = p.window;
  w.in_size = {s.size, s.size};
  w.kernel = {s.kernel, s.kernel};
  w.stride = {s.stride, s.stride};
  w.dilation = {1, 1};
  w.pad_begin = {s.pad, s.pad};
  w.pad_end = {s.pad, s.pad};
  w.out_size = {s.out_size(), s.out_size()};
  return p;
}

std::string conv_shape_text(const ConvShape& s) {
  std::string k = std::to_string(s.kernel);
  std::string t = k + "x" + k + "/" + std::to_string(s.stride) + " " + std::to_string(s.in_channels) + "->" +
                  std::to_string(s.out_channels);
  if (s.groups > 1) t += " g" + std::to_string(s.groups);
  return t + " @" + std::to_string(s.size);
}

Row run_conv(const ConvShape& s, const Options& o, const Layout& l) {
  const TimerOptions t = timer_options(o);
  const kernels::ConvParams p = conv_params(s);
  const int64_t in_numel = s.in_channels * s.size * s.size, out_pixels = s.out_size() * s.out_size();
  const int64_t depth = s.in_channels / s.groups * s.kernel * s.kernel;
  Row r;
  r.name = s.name;
  r.shape = conv_shape_text(s);
  r.macs = s.macs();
  r.count = s.count;
  r.cells.resize(l.cols.size());

  // FP32 in NCHW, as the graph runs it.
  {
    std::vector<float> x = random_f32(in_numel), w = random_f32(s.out_channels * depth), bias = random_f32(s.out_channels);
    std::vector<float> y_lib(s.out_channels * out_pixels), y(s.out_channels * out_pixels);
    auto lib = [&] { kernels::conv_f32(p, x.data(), w.data(), bias.data(), y_lib.data()); };
    r.cells[l.fp32_lib].seconds = median_seconds(lib, t);
#ifdef OCTET_BENCH_X86
    // The same algorithm as conv_f32 (im2col, one GEMM W[M, K] x cols[K, pixels],
    // bias) with the GEMM compiled for the ISA: dense convolutions only.
    std::vector<float> cols(depth * out_pixels);
    auto simd = [&](int col, void (*gemm)(int64_t, int64_t, int64_t, const float*, const float*, float*)) {
      if (col < 0 || s.groups != 1) return;
      auto fn = [&] {
        kernels::im2col<float>(p.window, s.in_channels, x.data(), 0.f, cols.data());
        gemm(s.out_channels, out_pixels, depth, w.data(), cols.data(), y.data());
        for (int64_t m = 0; m < s.out_channels; ++m)
          for (int64_t i = 0; i < out_pixels; ++i) y[m * out_pixels + i] += bias[m];
      };
      fn();
      r.cells[col].mismatch = !close_f32(y_lib, y);
      any_mismatch |= r.cells[col].mismatch;
      r.cells[col].seconds = median_seconds(fn, t);
    };
    simd(l.fp32_avx2, gemm_f32_avx2);
    simd(l.fp32_avx512, gemm_f32_avx512);
#endif
  }

  // INT8 in NHWC, the kernels' layout.
  if (!o.levels.empty()) {
    std::vector<uint8_t> x = random_u8(in_numel);
    std::vector<int8_t> w = random_s8(s.out_channels * depth);
    std::vector<int32_t> bias = random_bias(s.out_channels);
    std::vector<float> mult = random_multipliers(s.out_channels, depth);
    std::vector<uint8_t> y_ref(s.out_channels * out_pixels), y(s.out_channels * out_pixels);
    kernels::QConvOutput out;
    out.type = kernels::QGemmOutput::U8;
    out.multiplier = mult.data();
    out.per_channel = true;
    out.zero_point = 128;
    out.qmin = 0;
    out.qmax = 255;
    const int32_t x_zero_point = 120;
    const kernels::PackedConv ref_pc = kernels::prepack_qconv(Isa::Ref, p, w.data(), bias.data(), x_zero_point, out);
    std::vector<uint8_t> scratch(std::max<int64_t>(kernels::qconv_scratch_bytes(ref_pc), 1));
    const double ref_once =
        time_once([&] { kernels::qconv_u8s8(ref_pc, 1, x.data(), y_ref.data(), scratch.data()); });
    for (size_t i = 0; i < o.levels.size(); ++i) {
      Isa isa = o.levels[i];
      const kernels::PackedConv pc = kernels::prepack_qconv(isa, p, w.data(), bias.data(), x_zero_point, out);
      std::vector<uint8_t> sc(std::max<int64_t>(kernels::qconv_scratch_bytes(pc), 1));
      uint8_t* dst = isa == Isa::Ref ? y_ref.data() : y.data();
      Cell cell = time_int8(
          isa, [&] { kernels::qconv_u8s8(pc, 1, x.data(), dst, sc.data()); }, [&] { return y == y_ref; }, ref_once,
          t);
      any_mismatch |= cell.mismatch;
      r.cells[l.int8[i]] = cell;
    }
  }
  return r;
}

void conv_section(const std::string& title, const std::vector<ConvShape>& convs, const Options& o, const Layout& l) {
  std::vector<Row> rows;
  for (const ConvShape& s : convs) {
    if (!selected(o, s.name, s.quick)) continue;
    rows.push_back(run_conv(s, o, l));
    std::fflush(stdout);
  }
  print_table(title,
              "FP32 lib is kernels/fp32 conv_f32 (NCHW: Octet's packed GEMM gathering im2col panels, or the depthwise "
              "kernel, at the selected ISA; % of that ISA's FMA peak); FP32 Eigen AVX2 / AVX-512 run im2col and "
              "Eigen's GEMM built for that ISA (dense convolutions only); INT8 "
              "is qconv_u8s8 (NHWC, u8 output) with its scratch allocated outside timing.",
              l.cols, l.speedups, rows, true);
  std::fflush(stdout);
}

std::string load_average() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  if (!(f >> a >> b >> c)) return "unknown";
  return a + " " + b + " " + c;
}

int run(int argc, char** argv) {
  const Options o = parse_options(argc, argv);
  std::string cmd = "bench_kernels";
  for (int i = 1; i < argc; ++i) cmd += std::string(" ") + argv[i];
  std::printf("# Octet kernel benchmark\n\n");
  std::printf("`%s`: single thread, batch 1, median of runs (at least %.3g s per case). INT8 levels:", cmd.c_str(),
              o.min_time);
  for (Isa isa : o.levels) std::printf(" %s", kernels::isa_name(isa));
  std::printf(". Load average at start: %s.\n\n", load_average().c_str());

  const Peaks peaks = measure_peaks(o);
  const Layout gemm_layout = make_layout(o, peaks, true, true, peaks.fp32_lib);
  const Layout conv_layout = make_layout(o, peaks, true, false, conv_lib_peak(peaks));

  gemm_section("GEMM: linear layers", linear_shapes(), false, o, gemm_layout);
  gemm_section("GEMM: resnet18 convolutions as im2col GEMMs (M = pixels, K = C*kh*kw, N = out channels)",
               as_gemms(resnet18_convs()), true, o, gemm_layout);
  gemm_section("GEMM: mobilenet_v2 pointwise convolutions (M = pixels, K = C, N = out channels)",
               as_gemms(mobilenet_v2_pointwise()), true, o, gemm_layout);

  conv_section("Convolution end to end: resnet18 (FP32 NCHW conv_f32 vs INT8 NHWC qconv_u8s8)", resnet18_convs(), o,
               conv_layout);
  conv_section("Convolution end to end: mobilenet_v2 depthwise", mobilenet_v2_depthwise(), o, conv_layout);

  std::printf("¹ Ref measured by a single run (too slow to repeat). Speedup = FP32 time / INT8 time. "
              "Load average at the end: %s.\n",
              load_average().c_str());
  if (any_mismatch) {
    std::printf("\nMISMATCH: some level's output differs from the Ref output (or an FP32 path from the library's).\n");
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace octet::bench

int main(int argc, char** argv) {
  try {
    return octet::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_kernels: %s\n", e.what());
    return 1;
  }
}
