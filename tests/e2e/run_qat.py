#!/usr/bin/python3
"""The quantization-aware-trained digits CNN (scripts/make_qat_digits.py):
Octet runs its QDQ export with every Conv and Gemm on INT8 kernels (as
`octet inspect` reports them) and its top-1 accuracy on the test split is
within 0.3 points of PyTorch's own converted INT8 model.

    run_qat.py --octet BIN --dir DIR --data X.npy --labels Y.npy

DIR holds digits_qat.onnx and qat.json."""
import argparse
import json
import os
import sys

from octet_cli import last_json, octet

ACCURACY_MARGIN = 0.003


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--octet", required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--labels", required=True)
    args = p.parse_args()
    model = os.path.join(args.dir, "digits_qat.onnx")
    with open(os.path.join(args.dir, "qat.json")) as f:
        pytorch = json.load(f)
    failures = []
    shown = octet(args.octet, "inspect", model)
    if "QDQ groups on INT8 kernels (3)" not in shown or "QDQ groups left in FP32 (0)" not in shown:
        failures.append("inspect: the two Convs and the Gemm are not all on INT8 kernels:\n" + shown)
    ours = last_json(octet(args.octet, "eval", model, "--data", args.data, "--labels", args.labels, "--json"))
    theirs = pytorch["pytorch_int8_top1"]
    print("qat digits: Octet top-1 %.4f, PyTorch INT8 (%s) %.4f, fake-quant %.4f, FP32 %.4f" %
          (ours["accuracy"], pytorch["engine"], theirs, pytorch["qat_fake_quant_top1"], pytorch["fp32_top1"]))
    if abs(ours["accuracy"] - theirs) > ACCURACY_MARGIN:
        failures.append("Octet's top-1 %.4f is more than %.1f points from PyTorch's %.4f" %
                        (ours["accuracy"], 100 * ACCURACY_MARGIN, theirs))
    for f in failures:
        print("FAIL", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
