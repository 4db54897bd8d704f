#pragma once
// Instruction-set levels Octet has kernels for, detected once and
// overridable downwards with OCTET_ISA=ref|avx2|avx512vnni (for tests and for
// benchmarking each path). Every level is compiled into the one binary.
#include <string>
#include <vector>

namespace octet::kernels {

enum class Isa { Ref, Avx2, Avx512Vnni };

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
