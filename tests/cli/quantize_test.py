#!/usr/bin/python3
"""End-to-end checks of `octet quantize` on the bundled digits CNN: both
calibration sources give the same model, the written model runs and agrees
with the FP32 labels, --exclude and --verbose say what stayed FP32, and bad
command lines or inputs exit 2 or 1 with a message and write nothing; the
model exported by `octet export-qdq` is valid ONNX and predicts the same.

usage: quantize_test.py OCTET"""
import os
import shutil
import sys
import tempfile

import numpy as np

from cli_util import check, finish, octet

BUNDLED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "bundled")
MODEL = os.path.join(BUNDLED, "digits_cnn.onnx")
CALIB = os.path.join(BUNDLED, "digits_calib.npy")


def expect_exit(binary, code, args, out, what):
    p = octet(binary, *args)
    check(p.returncode == code and p.stderr.strip(),
          "%s: exit %d (want %d), stderr %r" % (what, p.returncode, code, p.stderr))
    check(not os.path.exists(out), "%s: left %s behind" % (what, out))


def check_export_qdq(binary, int8, work):
    """export-qdq writes a model onnx.checker accepts, with no contrib op;
    run imports its QDQ groups back onto the INT8 kernels (inspect lists
    them), so its outputs are the INT8 model's bytes."""
    import onnx
    qdq = os.path.join(work, "qdq.onnx")
    p = octet(binary, "export-qdq", int8, "-o", qdq)
    if not check(p.returncode == 0, "export-qdq: exit %d: %s" % (p.returncode, p.stderr)):
        return
    model = onnx.load(qdq)
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:  # the checker raises its own ValidationError types
        check(False, "export-qdq: onnx.checker: %s" % e)
    check(all(n.domain in ("", "ai.onnx") for n in model.graph.node), "export-qdq left a contrib op")
    outputs = {}
    for name, path in (("int8", int8), ("qdq", qdq)):
        out_dir = os.path.join(work, "pred_" + name)
        p = octet(binary, "run", path, "--input", os.path.join(BUNDLED, "digits_test_x.npy"), "--output-dir", out_dir)
        check(p.returncode == 0, "run %s: %s" % (name, p.stderr))
        if p.returncode == 0:
            with open(os.path.join(out_dir, "logits.npy"), "rb") as f:
                outputs[name] = f.read()
    if len(outputs) == 2:
        check(outputs["int8"] == outputs["qdq"], "the QDQ model's outputs are not the INT8 model's bytes")
    p = octet(binary, "inspect", qdq)
    check(p.returncode == 0 and "QDQ groups on INT8 kernels (3)" in p.stdout and "left in FP32 (0)" in p.stdout,
          "inspect of the QDQ model: %s%s" % (p.stdout, p.stderr))
    expect_exit(binary, 2, ["export-qdq", int8], os.path.join(work, "none.onnx"), "export-qdq without -o")
    expect_exit(binary, 1, ["export-qdq", os.path.join(work, "missing.octet"), "-o", os.path.join(work, "m.onnx")],
                os.path.join(work, "m.onnx"), "export-qdq of a missing model")


def check_per_layer(binary, int8):
    """compare --per-layer sees every quantized value of a conv model by its
    own name, though the engine runs INT8 conv chains channels-last."""
    import json
    p = octet(binary, "compare", MODEL, int8, "--data", os.path.join(BUNDLED, "digits_input.npy"), "--per-layer",
              "--json")
    if not check(p.returncode == 0, "compare --per-layer: %s" % p.stderr):
        return
    names = {layer["name"] for layer in json.loads(p.stdout)["layers"]}
    # Both conv outputs (the fused ReLUs' names), the pooled and the flattened value.
    check(len(names) >= 4, "compare --per-layer found only %s" % sorted(names))


def main():
    binary = sys.argv[1]
    work = tempfile.mkdtemp(prefix="octet_quantize_")
    try:
        stacked, from_dir = os.path.join(work, "stacked.octet"), os.path.join(work, "dir.octet")
        p = octet(binary, "quantize", MODEL, "--calib", CALIB, "-o", stacked, "--verbose")
        check(p.returncode == 0, "quantize: exit %d: %s" % (p.returncode, p.stderr))
        check("quantized 5 nodes to INT8, 0 kept in FP32" in p.stdout, "quantize summary: %r" % p.stdout)
        check("calibration: 100 samples, minmax observer" in p.stdout, "--verbose timing: %r" % p.stdout)
        # The same 100 images as one file each: the same ranges, the same bytes.
        calib_dir = os.path.join(work, "calib")
        os.mkdir(calib_dir)
        for i, image in enumerate(np.load(CALIB)):
            np.save(os.path.join(calib_dir, "%03d.npy" % i), image[None])
        p = octet(binary, "quantize", MODEL, "--calib", calib_dir, "-o", from_dir)
        check(p.returncode == 0, "quantize from a directory: exit %d: %s" % (p.returncode, p.stderr))
        check(open(stacked, "rb").read() == open(from_dir, "rb").read(),
              "a directory and a stacked .npy of the same samples gave different models")

        p = octet(binary, "run", stacked, "--input", os.path.join(BUNDLED, "digits_input.npy"),
                  "--output-dir", work)
        check(p.returncode == 0, "run the INT8 model: %s" % p.stderr)
        if p.returncode == 0:
            pred = np.load(os.path.join(work, "logits.npy")).argmax(1)
            labels = np.load(os.path.join(BUNDLED, "digits_labels.npy"))
            check((pred == labels).sum() == 15, "INT8 digits: %d of 16 right, FP32 gets 15" % (pred == labels).sum())

        p = octet(binary, "quantize", MODEL, "--calib", CALIB, "-o", os.path.join(work, "ex.octet"),
                  "--exclude", "/head/Gemm", "--observer", "entropy", "-v")
        check(p.returncode == 0 and "fp32: Gemm '/head/Gemm': excluded" in p.stdout,
              "--exclude: %r %r" % (p.stdout, p.stderr))

        out = os.path.join(work, "bad.octet")
        base = ["quantize", MODEL, "--calib", CALIB, "-o", out]
        expect_exit(binary, 2, ["quantize", MODEL, "-o", out], out, "no --calib")
        expect_exit(binary, 2, ["quantize", MODEL, "--calib", CALIB], out, "no -o")
        expect_exit(binary, 2, base + ["--observer", "median"], out, "unknown observer")
        expect_exit(binary, 2, base + ["--activations", "int4"], out, "unknown activation type")
        expect_exit(binary, 1, base + ["--exclude", "no_such_node"], out, "unknown --exclude name")
        expect_exit(binary, 1, ["quantize", os.path.join(work, "missing.onnx"), "--calib", CALIB, "-o", out], out,
                    "missing model")
        expect_exit(binary, 1, ["quantize", MODEL, "--calib", os.path.join(work, "missing.npy"), "-o", out], out,
                    "missing calibration file")
        empty = os.path.join(work, "empty")
        os.mkdir(empty)
        expect_exit(binary, 1, ["quantize", MODEL, "--calib", empty, "-o", out], out, "empty calibration directory")
        wrong = os.path.join(work, "wrong.npy")
        np.save(wrong, np.zeros((4, 3, 8, 8), np.float32))
        expect_exit(binary, 1, ["quantize", MODEL, "--calib", wrong, "-o", out], out, "calibration of the wrong shape")
        check_export_qdq(binary, stacked, work)
        check_per_layer(binary, stacked)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
