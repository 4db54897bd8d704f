#!/usr/bin/env bash
# Installs, builds and runs every test, on x86 and (cross-built, under
# qemu) on aarch64. Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DOCTET_BUILD_TESTS=ON
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
# The same suite cross-built for aarch64 and run under qemu at each ARM level.
bash scripts/arm_tests.sh
# The thread tests again under ThreadSanitizer (their own build).
bash scripts/tsan_tests.sh
# The static edge CLI: under 3 MB stripped, the same bytes as the regular one.
bash scripts/edge_binary.sh build build-edge
# The suite again under ASan and UBSan, then each fuzz target briefly.
bash scripts/sanitizer_tests.sh 20
