#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, seeds each target's corpus from the repo's
# models and runs every target for a bounded time. A crash, a hang, an
# exception other than octet::Error, a sanitizer report or a single
# allocation over 1 GiB fails the script; the input is saved under
# $dir/artifacts/ to replay with `$dir/fuzz/TARGET_fuzz FILE`.
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Defaults: 45 seconds each for onnx_loader, octet_loader, npy and load_run.
# Corpora grow in build-asan/corpus/TARGET across runs (the build
# scripts/sanitizer_tests.sh uses); OCTET_FUZZ_DIR chooses another.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-45}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(onnx_loader octet_loader npy load_run)
dir="${OCTET_FUZZ_DIR:-build-asan}"
bash scripts/configure_sanitized.sh "$dir"
cmake --build "$dir" --target octet "${targets[@]/%/_fuzz}" -j"$(nproc)"

# Seeds: the bundled models, each also quantized to .octet and exported
# back to QDQ ONNX, and the bundled .npy files under 64 KiB.
seeds="$dir/seeds"
if [ ! -f "$seeds/made.stamp" ]; then
  rm -rf "$seeds"
  mkdir -p "$seeds"/{onnx,octet,npy}
  m=models/bundled
  cp "$m"/*.onnx "$seeds/onnx/"
  find "$m" -name '*.npy' -size -64k -exec cp {} "$seeds/npy/" \;
  "$dir/octet" quantize "$m/digits_cnn.onnx" --calib "$m/digits_calib.npy" -o "$seeds/octet/digits_static.octet" \
    > /dev/null 2>&1
  "$dir/octet" quantize "$m/sunspots_lstm.onnx" --mode dynamic -o "$seeds/octet/sunspots_dynamic.octet" > /dev/null
  "$dir/octet" export-qdq "$seeds/octet/digits_static.octet" -o "$seeds/onnx/digits_qdq.onnx" > /dev/null
  touch "$seeds/made.stamp"
fi
seed_dirs() {
  case "$1" in
    onnx_loader) echo "$seeds/onnx" ;;
    octet_loader) echo "$seeds/octet" ;;
    npy) echo "$seeds/npy" ;;
    load_run) echo "$seeds/onnx $seeds/octet" ;;
  esac
}

mkdir -p "$dir/artifacts"
for t in "${targets[@]}"; do
  corpus="$dir/corpus/$t"
  mkdir -p "$corpus"
  echo "fuzz: $t for ${seconds}s"
  # shellcheck disable=SC2046  # the seed directories are words
  "$dir/fuzz/${t}_fuzz" "$corpus" $(seed_dirs "$t") -max_total_time="$seconds" -timeout=20 \
    -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$dir/artifacts/$t-" \
    2> "$dir/$t.log" || { tail -60 "$dir/$t.log"; echo "fuzz: $t failed; input in $dir/artifacts/" >&2; exit 1; }
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$dir/$t.log" | grep -o '[0-9]*$' || echo "?")
  echo "fuzz: $t ran $execs inputs, no crash ($(ls "$corpus" | wc -l) in its corpus)"
done
