#!/usr/bin/env bash
# Builds the edge CLI (README, "Edge build: a static binary under 3 MB"):
# non-kernel code at -Os, FP32 kernels at -O2, unused sections dropped,
# linked statically. Strips it, fails if it is 3 MB (3,000,000 bytes) or
# more, and checks that the static binary quantizes and runs the bundled
# digits CNN to the same output bytes as the regular build's CLI.
#
#   bash scripts/edge_binary.sh [REGULAR_BUILD_DIR] [EDGE_BUILD_DIR]   (default build, build-edge)
set -euo pipefail
cd "$(dirname "$0")/.."
regular="${1:-build}"
dir="${2:-build-edge}"
limit=3000000
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOCTET_SIZE_OPTIMIZED=ON -DOCTET_STATIC_CLI=ON \
  -DOCTET_BUILD_TESTS=OFF -DOCTET_BUILD_BENCHMARKS=OFF > /dev/null
cmake --build "$dir" --target octet -j"$(nproc)"
strip -o "$dir/octet-stripped" "$dir/octet"
bytes=$(stat -c %s "$dir/octet-stripped")
echo "octet: static stripped CLI is $bytes bytes (limit $limit)"
if readelf -l "$dir/octet-stripped" | grep -q INTERP; then  # a program interpreter: dynamically linked
  echo "octet: the edge CLI is not statically linked" >&2
  exit 1
fi
if [ "$bytes" -ge "$limit" ]; then
  echo "octet: the edge CLI is over its size budget" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
m=models/bundled
for which in regular edge; do
  cli="$regular/octet"
  [ "$which" = edge ] && cli="$dir/octet-stripped"
  "$cli" quantize "$m/digits_cnn.onnx" --calib "$m/digits_calib.npy" -o "$work/$which.octet" > /dev/null 2>&1
  "$cli" run "$work/$which.octet" -i "$m/digits_input.npy" -o "$work/$which-out" > /dev/null
done
cmp "$work/regular.octet" "$work/edge.octet"
for f in "$work/regular-out/"*.npy; do cmp "$f" "$work/edge-out/$(basename "$f")"; done
echo "octet: the edge CLI writes the same .octet and outputs as the regular one"
