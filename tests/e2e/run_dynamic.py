#!/usr/bin/python3
"""One dynamic quantization test (issue 5): `octet quantize --mode dynamic` a
model, then hold the INT8 model to PyTorch's own `quantize_dynamic`.

    run_dynamic.py --octet BIN --case DIR --out-dir OUT

DIR/pytorch_dynamic.json is written by scripts/pytorch_dynamic_sqnr.py. For a
grid case DIR also holds model.onnx and input.npy, the model's whole input,
which `octet compare` runs in one call as PyTorch did. For the forecaster the
json names the bundled model, its test windows ("input") and targets
("labels"), and its "batch" (1): the windows are run that many at a time, as
PyTorch measured them, and the INT8 and FP32 test RMSE come from `octet run`.

Requires the first output's SQNR (INT8 vs FP32) to be at least PyTorch's
minus 1 dB and, with labels, INT8 test RMSE <= 1.02 x FP32 test RMSE."""
import argparse
import json
import os
import shutil
import sys

import numpy as np

from octet_cli import last_json, octet

SQNR_MARGIN_DB = 1.0
RMSE_RATIO = 1.02


def rmse(a, b):
    return float(np.sqrt(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)))


def run_model(binary, model, x, batch, output, work_dir):
    """`octet run` of `model` on the samples of `x` (stacked on axis 0),
    `batch` at a time: the dynamic ranges are those of each batch."""
    outputs = []
    for start in range(0, len(x), batch):
        run_dir = os.path.join(work_dir, f"{start:05d}")
        os.makedirs(run_dir)
        x_path = os.path.join(run_dir, "x.npy")
        np.save(x_path, x[start:start + batch])
        octet(binary, "run", model, "--input", x_path, "--output-dir", run_dir)
        outputs.append(np.load(os.path.join(run_dir, output + ".npy")))
    return np.concatenate(outputs)


def check_rmse(a, model, int8, ref, out_dir):
    """The forecaster's test RMSE, FP32 and INT8, from `octet run` outputs."""
    x, y = np.load(ref["input"]), np.load(ref["labels"])
    name = ref["outputs"][0]["name"]
    # FP32 does not depend on the batch: one run of all windows is enough.
    fp32 = run_model(a.octet, model, x, len(x), name, os.path.join(out_dir, "run_fp32"))
    q = run_model(a.octet, int8, x, ref["batch"], name, os.path.join(out_dir, "run_int8"))
    got = {"fp32": rmse(fp32, y), "int8": rmse(q, y)}
    limit = RMSE_RATIO * got["fp32"]
    print(f"test RMSE on {len(x)} windows (batch {ref['batch']}): FP32 {got['fp32']:.4f}, INT8 {got['int8']:.4f} "
          f"(ratio {got['int8'] / got['fp32']:.4f}, limit {RMSE_RATIO}); PyTorch FP32 {ref['fp32_test_rmse']:.4f}, "
          f"INT8 {ref['int8_test_rmse']:.4f}")
    return [] if got["int8"] <= limit else [f"INT8 test RMSE {got['int8']:.4f} > {limit:.4f} ({RMSE_RATIO} x FP32)"]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--octet", required=True)
    p.add_argument("--case", required=True)
    p.add_argument("--out-dir", required=True)
    a = p.parse_args()
    ref_path = os.path.join(a.case, "pytorch_dynamic.json")
    if not os.path.isfile(ref_path):
        sys.exit(f"FAIL {ref_path} is missing: the build makes it (target e2e_lstm_models)")
    with open(ref_path) as f:
        ref = json.load(f)
    model = ref.get("model", os.path.join(a.case, "model.onnx"))
    data = ref.get("input", os.path.join(a.case, "input.npy"))
    # A grid case's input.npy is one fixed-shape input (its axis 0 may be
    # the sequence): compare runs it whole. Stacked windows run at "batch".
    batch = ["--batch", str(ref["batch"])] if "input" in ref else []

    shutil.rmtree(a.out_dir, ignore_errors=True)
    os.makedirs(a.out_dir)
    int8 = os.path.join(a.out_dir, "int8.octet")
    print(octet(a.octet, "quantize", model, "--mode", "dynamic", "-o", int8), end="")

    cmp = last_json(octet(a.octet, "compare", model, int8, "--data", data, *batch, "--json"))
    failures = []
    for mine, theirs in zip(cmp["outputs"], ref["outputs"]):
        mine["sqnr_db"] = float(mine["sqnr_db"])  # "inf" when identical
        print(f"output {mine['index']} '{mine['ref_name']}': octet INT8 SQNR {mine['sqnr_db']:.2f} dB, "
              f"PyTorch {ref['engine']} {theirs['sqnr_db']:.2f} dB")
    first = cmp["outputs"][0]
    if first["ref_name"] != ref["outputs"][0]["name"]:
        failures.append(f"first output is '{first['ref_name']}' here, '{ref['outputs'][0]['name']}' in {ref_path}")
    floor = ref["sqnr_db"] - SQNR_MARGIN_DB
    print(f"first output SQNR {first['sqnr_db']:.2f} dB over {os.path.basename(data)} (axis 0: {cmp['count']}); "
          f"required >= {floor:.2f} dB "
          f"(PyTorch quantize_dynamic {ref['sqnr_db']:.2f} - {SQNR_MARGIN_DB})")
    if first["sqnr_db"] < floor:
        failures.append(f"SQNR {first['sqnr_db']:.2f} dB < {floor:.2f} dB")

    if "labels" in ref:
        failures += check_rmse(a, model, int8, ref, a.out_dir)

    if failures:
        sys.exit("FAIL " + "; ".join(failures))
    print("PASS")


if __name__ == "__main__":
    main()
