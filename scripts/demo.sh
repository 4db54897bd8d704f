#!/usr/bin/env bash
# The README's first command: install, build, and run the bundled digits
# model on 16 held-out images, printing what octet predicted against the labels.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j"$(nproc)" --target octet
./build/octet inspect models/bundled/digits_cnn.onnx
./build/octet run models/bundled/digits_cnn.onnx --input models/bundled/digits_input.npy --output-dir build/demo
/usr/bin/python3 - <<'PY'
import glob
import numpy as np
logits = np.load(glob.glob("build/demo/*.npy")[0])
labels = np.load("models/bundled/digits_labels.npy")
pred = logits.argmax(axis=1)
print("predicted:", " ".join(map(str, pred)))
print("labels:   ", " ".join(map(str, labels)))
print(f"accuracy: {np.mean(pred == labels):.3f} on {len(labels)} images")
PY
