# One rule for ISA-specific source files, used by the library and the
# benchmarks: a file named *_avx2.cpp is compiled with AVX2/FMA, a file named
# *_avx512vnni.cpp with AVX-512 (F, BW, DQ, VL) and VNNI, a file named
# *_amx.cpp with those and AMX-TILE / AMX-INT8, and all are built
# on x86 only. On aarch64 a file named *_neon.cpp is built as it is (NEON is
# baseline there) and one named *_neondot.cpp with the ARMv8.2 dot product
# (ARMv8.2-A, the first with it); both only on aarch64. Such code runs only
# after kernels::selected_isa() has checked the CPU. Other files get no ISA
# flags.
#
# GCC 12's own avx512fintrin.h trips -Wmaybe-uninitialized on its
# _mm512_undefined_* placeholders; that warning is about the header.
set(OCTET_IS_X86 OFF)
set(OCTET_IS_ARM64 OFF)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
  set(OCTET_IS_X86 ON)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  set(OCTET_IS_ARM64 ON)
endif()

# octet_isa_sources(OUT src...): OUT gets the sources to build here, with
# per-level flags set on the ISA-specific ones.
function(octet_isa_sources out)
  set(kept)
  foreach(src ${ARGN})
    if(src MATCHES "_amx\\.cpp$")
      if(OCTET_IS_X86)
        set_property(SOURCE ${src} APPEND PROPERTY COMPILE_OPTIONS
          -mavx2 -mfma -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx512vnni -mamx-tile -mamx-int8
          $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
        list(APPEND kept ${src})
      endif()
    elseif(src MATCHES "_avx512vnni\\.cpp$")
      if(OCTET_IS_X86)
        set_property(SOURCE ${src} APPEND PROPERTY COMPILE_OPTIONS
          -mavx2 -mfma -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx512vnni $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
        list(APPEND kept ${src})
      endif()
    elseif(src MATCHES "_avx2\\.cpp$")
      if(OCTET_IS_X86)
        set_property(SOURCE ${src} APPEND PROPERTY COMPILE_OPTIONS -mavx2 -mfma)
        list(APPEND kept ${src})
      endif()
    elseif(src MATCHES "_neondot\\.cpp$")
      if(OCTET_IS_ARM64)
        set_property(SOURCE ${src} APPEND PROPERTY COMPILE_OPTIONS -march=armv8.2-a+dotprod)
        list(APPEND kept ${src})
      endif()
    elseif(src MATCHES "_neon\\.cpp$")
      if(OCTET_IS_ARM64)
        list(APPEND kept ${src})
      endif()
    else()
      list(APPEND kept ${src})
    endif()
  endforeach()
  set(${out} ${kept} PARENT_SCOPE)
endfunction()
