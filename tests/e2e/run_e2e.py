#!/usr/bin/python3
"""One end-to-end test: runs `octet run` on a model and its input, then checks
the outputs against reference outputs with scripts/compare_npy.py.

    run_e2e.py --octet BIN --case DIR --out-dir OUT [--tol T]
    run_e2e.py --octet BIN --model M.onnx --input X.npy [...] --expected NAME=FILE [...]
               --out-dir OUT [--labels L.npy] [--tol T]

--case reads DIR/meta.json as written by scripts/make_models.py (model.onnx,
input.npy, and the expected file of each output)."""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

COMPARE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "compare_npy.py")


def from_case(case_dir):
    meta_path = os.path.join(case_dir, "meta.json")
    if not os.path.isfile(meta_path):
        sys.exit(f"FAIL {meta_path} is missing: the build makes it (target e2e_models)")
    with open(meta_path) as f:
        meta = json.load(f)
    inputs = ["input.npy"] + [f"input_{i}.npy" for i in range(1, len(meta["inputs"]))]
    return (os.path.join(case_dir, "model.onnx"),
            [os.path.join(case_dir, x) for x in inputs],
            [f"{name}={os.path.join(case_dir, file)}" for name, file in meta["expected"].items()])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--octet", required=True)
    parser.add_argument("--case")
    parser.add_argument("--model")
    parser.add_argument("--input", action="append", default=[])
    parser.add_argument("--expected", action="append", default=[], metavar="NAME=FILE")
    parser.add_argument("--labels")
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--tol", default="1e-4")
    args = parser.parse_args()

    if args.case:
        model, inputs, expected = from_case(args.case)
    else:
        if not (args.model and args.input and args.expected):
            parser.error("give --case, or --model, --input and --expected")
        model, inputs, expected = args.model, args.input, args.expected

    # A fresh directory, so a file left by an earlier run is never compared.
    shutil.rmtree(args.out_dir, ignore_errors=True)
    os.makedirs(args.out_dir)
    cmd = [args.octet, "run", model, "--input", *inputs, "--output-dir", args.out_dir]
    print("$", " ".join(cmd), flush=True)
    start = time.time()
    run = subprocess.run(cmd)
    print(f"octet run: exit {run.returncode} after {time.time() - start:.2f} s", flush=True)
    if run.returncode != 0:
        return 1

    compare = [sys.executable, COMPARE, "--actual-dir", args.out_dir, "--tol", args.tol]
    for item in expected:
        compare += ["--expected", item]
    if args.labels:
        compare += ["--labels", args.labels]
    return subprocess.run(compare).returncode


if __name__ == "__main__":
    sys.exit(main())
