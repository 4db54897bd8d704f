// The elementwise kernels built for this file's ISA flags (the file name
// sets them: cmake/isa_sources.cmake); elementwise_f32.cpp dispatches.
#if defined(__x86_64__) || defined(_M_X64)
#include "kernels/fp32/elementwise_f32_levels.h"

#define OCTET_FP32_LEVEL fp32_avx2
#include "kernels/fp32/elementwise_f32_impl.h"
#endif
