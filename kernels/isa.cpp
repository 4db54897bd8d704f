#include "kernels/isa.h"

#include <cstdlib>
#include <stdexcept>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#define OCTET_X86 1
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#define OCTET_ARM_LINUX 1
#endif

namespace octet::kernels {

namespace {

#ifdef OCTET_X86
struct CpuFeatures {
  bool avx2 = false, fma = false, avx512 = false, vnni = false, amx = false;
};

// The OS must save the wide registers too (XCR0), or the instructions fault
// even where cpuid advertises them.
uint64_t xgetbv0() {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t(hi) << 32) | lo;
}

// Linux enables the tile data state per process on request; without it the
// first tile instruction faults. Granted once, it holds for every thread.
bool request_tile_state() {
#ifdef __linux__
  constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
  return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
#else
  return false;
#endif
}

CpuFeatures read_cpu() {
  CpuFeatures f;
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  bool osxsave = c & (1u << 27);
  bool fma = c & (1u << 12);
  if (!osxsave) return f;
  uint64_t xcr0 = xgetbv0();
  bool ymm_state = (xcr0 & 0x6) == 0x6;
  bool zmm_state = (xcr0 & 0xe6) == 0xe6;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
  f.avx2 = ymm_state && (b & (1u << 5));
  f.fma = ymm_state && fma;
  bool avx512f = b & (1u << 16), avx512dq = b & (1u << 17), avx512bw = b & (1u << 30), avx512vl = b & (1u << 31);
  f.avx512 = zmm_state && avx512f && avx512dq && avx512bw && avx512vl;
  f.vnni = f.avx512 && (c & (1u << 11));
  // AMX-TILE and AMX-INT8, with the OS saving the tile config and data (XCR0 bits 17, 18).
  const bool amx_cpu = (d & (1u << 24)) && (d & (1u << 25)) && (xcr0 & 0x60000) == 0x60000;
  f.amx = f.vnni && amx_cpu && request_tile_state();
  return f;
}
#endif

#ifdef OCTET_ARM_LINUX
// The kernel's hwcap bits (asm/hwcap.h), spelled out so that no header of a
// particular kernel version is needed.
constexpr unsigned long kHwcapAsimd = 1ul << 1, kHwcapAsimdDp = 1ul << 20;
#endif

constexpr Isa kAllLevels[] = {Isa::Ref, Isa::Avx2, Isa::Avx512Vnni, Isa::Amx, Isa::Neon, Isa::NeonDot};

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Ref: return "ref";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512Vnni: return "avx512vnni";
    case Isa::Amx: return "amx";
    case Isa::Neon: return "neon";
    case Isa::NeonDot: return "neondot";
  }
  return "?";
}

Isa parse_isa(const std::string& name) {
  for (Isa isa : kAllLevels)
    if (name == isa_name(isa)) return isa;
  throw std::invalid_argument("unknown ISA level '" + name +
                              "' (expected ref, avx2, avx512vnni or amx on x86; ref, neon or neondot on aarch64)");
}

bool isa_supported(Isa isa) {
  if (isa == Isa::Ref) return true;
#ifdef OCTET_X86
  static const CpuFeatures f = read_cpu();
  if (isa == Isa::Avx2) return f.avx2 && f.fma;
  if (isa == Isa::Avx512Vnni) return f.avx2 && f.fma && f.vnni;
  if (isa == Isa::Amx) return f.avx2 && f.fma && f.amx;
#endif
#ifdef OCTET_ARM_LINUX
  static const unsigned long hwcap = getauxval(AT_HWCAP);
  if (isa == Isa::Neon) return hwcap & kHwcapAsimd;
  if (isa == Isa::NeonDot) return (hwcap & kHwcapAsimd) && (hwcap & kHwcapAsimdDp);
#endif
  return false;
}

Isa detect_isa() {
  Isa best = Isa::Ref;
  for (Isa isa : supported_isas()) best = isa;
  return best;
}

std::vector<Isa> supported_isas() {
  std::vector<Isa> out;
  for (Isa isa : kAllLevels)
    if (isa_supported(isa)) out.push_back(isa);
  return out;
}

Isa selected_isa() {
  const char* forced = std::getenv("OCTET_ISA");
  if (!forced || !*forced) return detect_isa();
  Isa isa;
  try {
    isa = parse_isa(forced);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("OCTET_ISA: ") + e.what());
  }
  if (!isa_supported(isa))
    throw std::runtime_error(std::string("OCTET_ISA=") + forced + ": this CPU cannot run that level (best: " +
                             isa_name(detect_isa()) + ")");
  return isa;
}

Isa selected_isa_or_ref() {
  try {
    return selected_isa();
  } catch (const std::runtime_error&) {
    return Isa::Ref;
  }
}

}  // namespace octet::kernels
