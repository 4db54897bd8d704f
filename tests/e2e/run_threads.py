#!/usr/bin/python3
"""Outputs do not depend on the thread count: quantizes a model (static,
from its calibration samples), then runs the INT8 model with `octet run
--threads 1`, 2 and 3 at every kernel level this CPU has and requires the
same output bytes from every run.

    run_threads.py --octet OCTET --case DIR --out-dir DIR

DIR holds model.onnx, calib.npy and input.npy (scripts/make_models.py).
Three threads split rows unevenly; the levels take different conv paths
(im2col, indirect, AMX tiles, the depthwise row kernel)."""
import argparse
import hashlib
import os
import subprocess
import sys

from octet_cli import octet

LEVELS = ("ref", "avx2", "avx512vnni", "amx", "neon", "neondot")


def runs_here(binary, model, level):
    """Whether this CPU runs `level` (the session refuses one it lacks)."""
    probe = subprocess.run([binary, "bench", model, "--runs", "1", "--warmup", "0"], capture_output=True, text=True,
                           env=dict(os.environ, OCTET_ISA=level))
    return probe.returncode == 0


def output_digest(binary, model, inputs, out_dir, threads, level):
    os.makedirs(out_dir, exist_ok=True)
    os.environ["OCTET_ISA"] = level
    octet(binary, "run", model, "--input", inputs, "--output-dir", out_dir, "--threads", str(threads))
    digest = hashlib.sha256()
    for name in sorted(os.listdir(out_dir)):
        with open(os.path.join(out_dir, name), "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()[:16]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--octet", required=True)
    p.add_argument("--case", required=True)
    p.add_argument("--out-dir", required=True)
    args = p.parse_args()
    model = os.path.join(args.out_dir, "int8.octet")
    os.makedirs(args.out_dir, exist_ok=True)
    octet(args.octet, "quantize", os.path.join(args.case, "model.onnx"), "--calib",
          os.path.join(args.case, "calib.npy"), "-o", model)
    inputs = os.path.join(args.case, "input.npy")
    failures = 0
    for level in (lv for lv in LEVELS if runs_here(args.octet, model, lv)):
        digests = {t: output_digest(args.octet, model, inputs, os.path.join(args.out_dir, "%s_t%d" % (level, t)), t,
                                    level) for t in (1, 2, 3)}
        same = len(set(digests.values())) == 1
        failures += not same
        print("%-11s %s %s" % (level, " ".join("t%d=%s" % kv for kv in digests.items()), "same" if same else "DIFFER"))
    print("%d levels differ" % failures)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
