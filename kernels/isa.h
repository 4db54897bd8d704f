#pragma once
// Instruction-set levels Octet has kernels for, detected once and
// overridable downwards with OCTET_ISA=ref|avx2|avx512vnni|amx on x86 and
// OCTET_ISA=ref|neon|neondot on aarch64 (for tests and for benchmarking each
// path). Every level of the target architecture is compiled into the one
// binary.
//
// Amx is Avx512Vnni plus the AMX-INT8 tile unit (Sapphire Rapids and later):
// every Avx512Vnni kernel runs at it, and the GEMMs with enough rows move to
// tile kernels (kernels/x86/qgemm_u8s8_amx.cpp). Linux hands out the tile
// state only on request (arch_prctl ARCH_REQ_XCOMP_PERM), which
// isa_supported(Isa::Amx) makes once for the process.
//
// Neon is baseline ARMv8 Advanced SIMD (every aarch64 core); NeonDot adds
// the ARMv8.2 dot product (sdot), read from getauxval(AT_HWCAP).
#include <string>
#include <vector>

namespace octet::kernels {

enum class Isa { Ref, Avx2, Avx512Vnni, Amx, Neon, NeonDot };

// Whether the level runs the AVX-512 VNNI kernels (Avx512Vnni and above).
inline bool runs_avx512vnni(Isa isa) { return isa == Isa::Avx512Vnni || isa == Isa::Amx; }
// Whether the level is one of the ARM levels.
inline bool is_arm(Isa isa) { return isa == Isa::Neon || isa == Isa::NeonDot; }
// The level the FP32 kernels run at: on ARM the FP32 path is Eigen and
// xsimd (which target NEON themselves), the code of the Ref level.
inline Isa fp32_level(Isa isa) { return is_arm(isa) ? Isa::Ref : isa; }

const char* isa_name(Isa isa);
// Throws std::invalid_argument naming the accepted values.
Isa parse_isa(const std::string& name);

// Whether this CPU (and OS: xgetbv) can run the level.
bool isa_supported(Isa isa);
// The best supported level.
Isa detect_isa();
// detect_isa(), lowered to OCTET_ISA when that is set. Throws
// std::runtime_error when OCTET_ISA names a level this CPU cannot run or an
// unknown level, rather than silently running something else.
Isa selected_isa();
// selected_isa(), or Ref where OCTET_ISA is unusable: for the FP32 paths
// that pick their build once and must not throw (the session reports a bad
// OCTET_ISA to the caller).
Isa selected_isa_or_ref();
// Every level this CPU runs, lowest first (tests sweep these).
std::vector<Isa> supported_isas();

}  // namespace octet::kernels
