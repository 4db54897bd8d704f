#!/usr/bin/env bash
# Configures the sanitized build that scripts/sanitizer_tests.sh and
# scripts/fuzz.sh share: clang, AddressSanitizer and UndefinedBehaviorSanitizer
# (every report fatal), libFuzzer's coverage hooks, the test suite and the
# fuzz targets. The PyTorch zoo models (resnet18, mobilenet_v2) are left to
# the regular build, as in the aarch64 suite; every other test runs.
#
#   bash scripts/configure_sanitized.sh DIR
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$1"
flags="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer"
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DOCTET_FUZZ=ON -DOCTET_BUILD_TESTS=ON -DOCTET_E2E_MODELS=OFF -DOCTET_BUILD_BENCHMARKS=OFF > /dev/null
