#!/usr/bin/python3
"""One post-training quantization test: `octet quantize` a model, then check
the INT8 model against its FP32 original with `octet compare` / `octet eval`.

    run_ptq.py --octet BIN --case DIR --out-dir OUT [--observer NAME]
    run_ptq.py --octet BIN --model M.onnx --calib C.npy --data X.npy --labels Y.npy --out-dir OUT

--case reads DIR/model.onnx, calib.npy, eval.npy and pytorch_ptq.json (made by
scripts/make_models.py and scripts/pytorch_ptq_sqnr.py) and requires Octet's
output SQNR to be at least PyTorch's own onednn post-training SQNR minus 1 dB.
With --labels it requires INT8 top-1 accuracy within 0.5 points of FP32.
--case also requires the .octet file to be at most 0.27x the ONNX file."""
import argparse
import json
import os
import sys

from octet_cli import last_json, octet

MAX_SIZE_RATIO = 0.27
SQNR_MARGIN_DB = 1.0
ACCURACY_MARGIN = 0.005


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--octet", required=True)
    p.add_argument("--case")
    p.add_argument("--model")
    p.add_argument("--calib")
    p.add_argument("--data")
    p.add_argument("--labels")
    p.add_argument("--observer", default="minmax")
    p.add_argument("--out-dir", required=True)
    a = p.parse_args()
    if a.case:
        a.model, a.calib, a.data = (os.path.join(a.case, f) for f in ("model.onnx", "calib.npy", "eval.npy"))
    if not (a.model and a.calib and a.data):
        p.error("give --case, or --model, --calib and --data")
    os.makedirs(a.out_dir, exist_ok=True)
    int8 = os.path.join(a.out_dir, "int8.octet")
    print(octet(a.octet, "quantize", a.model, "--calib", a.calib, "-o", int8, "--observer", a.observer), end="")

    failures = []
    ratio = os.path.getsize(int8) / os.path.getsize(a.model)
    print(f"size: {os.path.getsize(int8)} / {os.path.getsize(a.model)} bytes = {ratio:.3f}x (limit {MAX_SIZE_RATIO})")
    # Only the big models: in a 10k-parameter model the per-tensor table and
    # 64-byte alignment of ~30 small tensors are a tenth of the file.
    if a.case and ratio > MAX_SIZE_RATIO:
        failures.append(f"size ratio {ratio:.3f} > {MAX_SIZE_RATIO}")

    cmp = last_json(octet(a.octet, "compare", a.model, int8, "--data", a.data, "--json"))
    out = cmp["outputs"][0]
    print(f"octet INT8 vs FP32 on {cmp['count']} samples: SQNR {out['sqnr_db']:.2f} dB, "
          f"cosine {out['cosine']:.5f}, top-1 agreement {out['top1_agreement']:.4f}")
    if a.case:
        with open(os.path.join(a.case, "pytorch_ptq.json")) as f:
            torch_ref = json.load(f)
        floor = torch_ref["sqnr_db"] - SQNR_MARGIN_DB
        print(f"PyTorch {torch_ref['mode']} {torch_ref['engine']} PTQ SQNR {torch_ref['sqnr_db']:.2f} dB; "
              f"required >= {floor:.2f} dB")
        if out["sqnr_db"] < floor:
            failures.append(f"SQNR {out['sqnr_db']:.2f} dB < {floor:.2f} dB")

    if a.labels:
        acc = {}
        for name, model in (("fp32", a.model), ("int8", int8)):
            acc[name] = last_json(octet(a.octet, "eval", model, "--data", a.data, "--labels", a.labels, "--json"))
        drop = acc["fp32"]["accuracy"] - acc["int8"]["accuracy"]
        print(f"top-1 on {acc['fp32']['count']} images: FP32 {acc['fp32']['accuracy']:.4f}, "
              f"INT8 {acc['int8']['accuracy']:.4f} (drop {100 * drop:.2f} points, limit {100 * ACCURACY_MARGIN})")
        if drop > ACCURACY_MARGIN:
            failures.append(f"accuracy drop {100 * drop:.2f} points")

    if failures:
        sys.exit("FAIL " + "; ".join(failures))
    print("PASS")


if __name__ == "__main__":
    main()
