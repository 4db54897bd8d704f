#!/usr/bin/env bash
# Cross-builds Octet for aarch64 (cmake/aarch64-linux-gnu.cmake) and runs the
# test suite under qemu-aarch64 -cpu max once per ARM level (OCTET_ISA=neon,
# then neondot), then checks that the bundled models' .octet files give the
# same output bytes on this x86 machine and under qemu
# (tests/cli/cross_arch_outputs.py). Needs scripts/install_deps.sh first.
#
#   bash scripts/arm_tests.sh          # CI: without the PyTorch zoo models
#   bash scripts/arm_tests.sh --full   # also resnet18 / mobilenet_v2 e2e (about 30 min more under qemu)
#
# The zoo's end-to-end tests calibrate and run resnet18 and mobilenet_v2 in
# FP32 under emulation (over 9 minutes for resnet18's PTQ test alone), so CI
# leaves them to the x86 suite; every other test runs on both.
set -euo pipefail
cd "$(dirname "$0")/.."
zoo=OFF
if [ "${1:-}" = "--full" ]; then zoo=ON; fi
jobs="$(nproc)"
# The native octet quantizes the models the cross check runs on both sides.
if [ ! -x build/octet ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
  cmake --build build --target octet -j"$jobs"
fi
cmake -S . -B build-arm -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
  -DOCTET_BUILD_BENCHMARKS=OFF -DOCTET_E2E_MODELS="$zoo"
cmake --build build-arm -j"$jobs"
for level in neon neondot; do
  echo "octet: the aarch64 suite at OCTET_ISA=$level (qemu-aarch64 -cpu max)"
  OCTET_ISA="$level" ctest --test-dir build-arm --output-on-failure -j"$jobs"
done
/usr/bin/python3 tests/cli/cross_arch_outputs.py --native build/octet --emulated build-arm/octet-emulated \
  --work build-arm/cross_arch
