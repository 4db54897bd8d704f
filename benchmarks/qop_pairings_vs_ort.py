#!/usr/bin/python3
"""ONNX Runtime on the 8-bit pairing node tests of
scripts/gen_qop_pairing_tests.py: which pairings it runs, and whether its
outputs agree with the expected ones Octet's tests hold it to.

    qop_pairings_vs_ort.py [--work DIR] [--no-install]

For each generated case (QLinearConv, QLinearMatMul, ConvInteger,
MatMulInteger, MatMulIntegerToFloat; uint8 / int8 activations and weights;
weights constant or a graph input) it prints one JSON line: whether ORT
loaded and ran it (else its error's first line), and the largest difference
from the expected output (8-bit codes, int32 accumulators, or float). Exit
status 1 if a case ORT runs differs by more than 1 quantization step (8-bit
outputs), at all (int32) or by more than 1e-5 relative (float32).
ONNX Runtime is onnxruntime-node in benchmarks/.node, as for
qoperator_vs_ort.py."""
import glob
import json
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

from qoperator_vs_ort import ort_script_args

HERE = os.path.dirname(os.path.abspath(__file__))
GENERATOR = os.path.join(HERE, "..", "scripts", "gen_qop_pairing_tests.py")


def load(path):
    return numpy_helper.to_array(onnx.load_tensor(path))


def largest_difference(expected, got):
    if expected.dtype == np.float32:
        scale = np.maximum(np.abs(expected), 1e-30)
        return float((np.abs(got.astype(np.float64) - expected) / scale).max())
    return int(np.abs(got.astype(np.int64) - expected.astype(np.int64)).max())


def within_bounds(expected, difference):
    if expected.dtype == np.float32:
        return difference <= 1e-5
    return difference <= (1 if expected.itemsize == 1 else 0)


def ort_error(proc):
    """ort_bench.js's error line, without ORT's source path and signature."""
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("ort_bench:")]
    if not lines:
        return "exit %d" % proc.returncode
    message = lines[-1][len("ort_bench:"):].strip()
    if "Status Message:" in message:
        message = message.split("Status Message:", 1)[1].split(" const ", 1)[-1]
    return message.strip()[:200]


def run_case(case_dir, work):
    name = os.path.basename(case_dir)
    data = os.path.join(case_dir, "test_data_set_0")
    inputs = []
    for i, pb in enumerate(sorted(glob.glob(os.path.join(data, "input_*.pb")))):
        path = os.path.join(work, "%s_in%d.npy" % (name, i))
        np.save(path, load(pb))
        inputs.append(path)
    expected = load(os.path.join(data, "output_0.pb"))
    dump = os.path.join(work, name + ".bin")
    proc = subprocess.run(["node", os.path.join(HERE, "ort_bench.js"), os.path.join(case_dir, "model.onnx"), *inputs,
                           "--runs", "1", "--warmup", "0", "--dump", dump], capture_output=True, text=True)
    result = {"case": name}
    if proc.returncode != 0:
        result["ort"] = "refused: " + ort_error(proc)
        return result, True
    got = np.fromfile(dump, dtype=expected.dtype).reshape(expected.shape)
    result["ort"] = "ran"
    result["largest_difference"] = largest_difference(expected, got)
    ok = within_bounds(expected, result["largest_difference"])
    result["agrees"] = bool(ok)
    return result, ok


def main():
    args = ort_script_args(__doc__, "octet_qop_pairings_", octet=False)
    work = args.work
    cases = os.path.join(work, "cases")
    subprocess.run([sys.executable, GENERATOR, cases], check=True)
    failed = 0
    for case_dir in sorted(glob.glob(os.path.join(cases, "test_octet_*"))):
        result, ok = run_case(case_dir, work)
        failed += not ok
        print(json.dumps(result))
    print(json.dumps({"cases_differing": failed}))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
