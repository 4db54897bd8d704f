# Cross build for 64-bit ARM Linux with Debian's g++-aarch64-linux-gnu;
# binaries run under qemu-aarch64 (Debian's qemu-user) with the cross
# sysroot as its library prefix, so ctest runs the suite through it.
#
#   cmake -S . -B build-arm -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
#
# Eigen, xsimd and Catch2 are header-only: their CMake packages are taken
# from the host.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(OCTET_ARM_SYSROOT /usr/aarch64-linux-gnu)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-cpu;max;-L;${OCTET_ARM_SYSROOT})
set(CMAKE_FIND_ROOT_PATH ${OCTET_ARM_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
# Debian ships xsimd's package file under the host's multiarch directory.
if(NOT xsimd_DIR AND EXISTS /usr/lib/x86_64-linux-gnu/cmake/xsimd)
  set(xsimd_DIR /usr/lib/x86_64-linux-gnu/cmake/xsimd CACHE PATH "xsimd's (header-only) CMake package")
endif()
