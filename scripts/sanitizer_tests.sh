#!/usr/bin/env bash
# The test suite under AddressSanitizer and UndefinedBehaviorSanitizer
# (scripts/configure_sanitized.sh: clang, every report fatal), then every
# fuzz target for a bounded time on the same build (scripts/fuzz.sh).
#
#   bash scripts/sanitizer_tests.sh [FUZZ_SECONDS_PER_TARGET]    (default 40)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build-asan
bash scripts/configure_sanitized.sh "$dir"
cmake --build "$dir" -j"$(nproc)"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir "$dir" --output-on-failure -j"$(nproc)"
echo "octet: the suite passed under ASan and UBSan"
OCTET_FUZZ_DIR="$dir" bash scripts/fuzz.sh "${1:-40}"
