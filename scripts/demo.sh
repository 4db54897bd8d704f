#!/usr/bin/env bash
# The README's first command: install, build, quantize the bundled digits CNN
# (calibrated on 100 training images) and print FP32 against INT8 on the
# 360-image test split: top-1 accuracy, file size and single-thread latency;
# then the same for the bundled sunspots LSTM forecaster, quantized
# dynamically (no calibration data), with its forecast error on 62 test years.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j"$(nproc)" --target octet
B=models/bundled
mkdir -p build/demo
./build/octet quantize $B/digits_cnn.onnx --calib $B/digits_calib.npy -o build/demo/digits_int8.octet
for m in $B/digits_cnn.onnx build/demo/digits_int8.octet; do
  ./build/octet eval "$m" --data $B/digits_test_x.npy --labels $B/digits_test_y.npy --json
  ./build/octet bench "$m" --runs 2000 --warmup 100 --json
done > build/demo/results.jsonl
/usr/bin/python3 - build/demo/results.jsonl <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
fp32, int8 = {**rows[0], **rows[1]}, {**rows[2], **rows[3]}
print(f"\ndigits CNN, {fp32['count']} test images, batch 1, one thread")
print(f"{'':10}{'top-1':>8}{'size (bytes)':>14}{'median (us)':>13}{'p90 (us)':>10}")
for name, r in (("FP32", fp32), ("INT8", int8)):
    print(f"{name:10}{r['accuracy']:8.4f}{r['model_bytes']:14d}{1000 * r['median_ms']:13.1f}{1000 * r['p90_ms']:10.1f}")
print(f"{'INT8/FP32':10}{int8['accuracy'] - fp32['accuracy']:+8.4f}{int8['model_bytes'] / fp32['model_bytes']:14.3f}"
      f"{int8['median_ms'] / fp32['median_ms']:13.3f}{int8['p90_ms'] / fp32['p90_ms']:10.3f}")
PY

./build/octet quantize $B/sunspots_lstm.onnx --mode dynamic -o build/demo/sunspots_int8.octet
for m in $B/sunspots_lstm.onnx build/demo/sunspots_int8.octet; do
  name=$(basename "$m" | cut -d. -f1)
  ./build/octet run "$m" --input $B/sunspots_test_x.npy --output-dir "build/demo/$name" > /dev/null
  ./build/octet bench "$m" --runs 500 --warmup 20 --json > "build/demo/$name.bench.json"
done
/usr/bin/python3 - <<'PY'
import json
import numpy as np
B = "models/bundled"
y = np.load(f"{B}/sunspots_test_y.npy")
std = json.load(open(f"{B}/sunspots.json"))["std"]
rows = []
for name, label in (("sunspots_lstm", "FP32"), ("sunspots_int8", "INT8")):
    pred = np.load(f"build/demo/{name}/y.npy")
    bench = json.load(open(f"build/demo/{name}.bench.json"))
    rows.append((label, std * float(np.sqrt(np.mean((pred - y) ** 2))), bench["model_bytes"], bench["median_ms"]))
print(f"\nsunspots LSTM forecaster, {len(y)} test years, batch 1, one thread")
print(f"{'':10}{'RMSE (spots)':>13}{'size (bytes)':>14}{'median (us)':>13}")
for label, rmse, size, ms in rows:
    print(f"{label:10}{rmse:13.2f}{size:14d}{1000 * ms:13.1f}")
(_, r0, s0, t0), (_, r1, s1, t1) = rows
print(f"{'INT8/FP32':10}{r1 / r0:13.4f}{s1 / s0:14.3f}{t1 / t0:13.3f}")
PY
