#!/usr/bin/env bash
# Configures the sanitized build that scripts/sanitizer_tests.sh and
# scripts/fuzz.sh share: clang, AddressSanitizer and UndefinedBehaviorSanitizer
# (every report fatal), libFuzzer's coverage hooks, the test suite and the
# fuzz targets. The whole suite runs, the benchmark smoke test and the
# PyTorch zoo models included. When the regular build in build/ has made the
# zoo models, this build tests on those files (OCTET_E2E_MODELS_FROM) instead
# of making them again; otherwise it makes its own.
#
#   bash scripts/configure_sanitized.sh DIR
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$1"
zoo_from=""
if [ -f build/tests/e2e/models/made.stamp ]; then zoo_from="$PWD/build/tests/e2e/models"; fi
flags="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer"
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DOCTET_FUZZ=ON -DOCTET_BUILD_TESTS=ON -DOCTET_E2E_MODELS=ON -DOCTET_E2E_MODELS_FROM="$zoo_from" -DOCTET_BUILD_BENCHMARKS=ON > /dev/null
