#!/usr/bin/env bash
# Builds the library and the thread tests (tests/threads: the pool, a
# session's own threads, four threads sharing one loaded model) with
# ThreadSanitizer and runs them; any report fails the script.
#
#   bash scripts/tsan_tests.sh [BUILD_DIR]     (default build-tsan)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build-tsan}"
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" \
  -DOCTET_BUILD_BENCHMARKS=OFF -DOCTET_E2E_MODELS=OFF -DOCTET_E2E_LSTM_GRID=OFF > /dev/null
cmake --build "$dir" --target octet_thread_tests -j"$(nproc)"
# halt_on_error: the first race fails the run with its report.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" "$dir/tests/octet_thread_tests"
echo "octet: ThreadSanitizer found nothing in the thread tests"
