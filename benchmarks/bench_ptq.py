#!/usr/bin/python3
"""FP32 against INT8 for the e2e vision models: speed, size, accuracy and the
cost of calibration, side by side, with `octet` commands only.

    bench_ptq.py --octet BUILD/octet --models BUILD/tests/e2e/models
                 [--only NAME] [--runs 30] [--calib-samples 100] [--observer entropy]

For each model (resnet18, mobilenet_v2, made by scripts/make_models.py and
scripts/pytorch_ptq_sqnr.py): writes CALIB-SAMPLES random inputs as one .npy
file each (a directory calibration reads one at a time), runs `octet
quantize --verbose` under /usr/bin/time for its wall time and peak memory,
then `octet bench --json` on FP32 and INT8 back to back (single thread,
batch 1) and `octet compare --json` on eval.npy. Speed ratios come from one
run of this script; the machine is shared, so read them, not the absolute ms."""
import argparse
import json
import os
import re
import subprocess
import sys

import numpy as np


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return proc


def calib_dir(case, count):
    path = os.path.join(case, f"calib{count}")
    if not os.path.isdir(path):
        os.makedirs(path + ".tmp", exist_ok=True)
        rng = np.random.default_rng(20240611)
        for i in range(count):
            np.save(os.path.join(path + ".tmp", f"sample{i:04d}.npy"),
                    rng.standard_normal((1, 3, 224, 224), dtype=np.float32))
        os.replace(path + ".tmp", path)
    return path


def quantize(octet, case, out, calib, observer):
    proc = run(["/usr/bin/time", "-v", octet, "quantize", os.path.join(case, "model.onnx"), "--calib", calib,
                "-o", out, "--observer", observer, "--verbose"])
    per_sample = float(re.search(r"\(([\d.]+) ms per sample\)", proc.stdout).group(1))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return per_sample, rss_kb / 1024


def bench(octet, model, runs):
    return json.loads(run([octet, "bench", model, "--runs", str(runs), "--warmup", "3", "--json"]).stdout)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--octet", required=True)
    p.add_argument("--models", required=True)
    p.add_argument("--only")
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--calib-samples", type=int, default=100)
    p.add_argument("--observer", default="entropy")
    a = p.parse_args()
    names = [a.only] if a.only else ["resnet18", "mobilenet_v2"]
    rows = []
    for name in names:
        case = os.path.join(a.models, name)
        int8 = os.path.join(case, "int8.octet")
        calib_ms, calib_rss = quantize(a.octet, case, int8, calib_dir(case, a.calib_samples), a.observer)
        fp32_model = os.path.join(case, "model.onnx")
        fp32, q = bench(a.octet, fp32_model, a.runs), bench(a.octet, int8, a.runs)
        cmp = json.loads(run([a.octet, "compare", fp32_model, int8, "--data", os.path.join(case, "eval.npy"),
                              "--json"]).stdout)["outputs"][0]
        rows.append((name, fp32, q, cmp, calib_ms, calib_rss))

    print(f"single thread, batch 1, ISA {rows[0][2]['isa']}; calibration: {a.calib_samples} samples, "
          f"{a.observer} observer\n")
    print(f"{'model':13}{'FP32 ms':>9}{'INT8 ms':>9}{'speedup':>9}{'FP32 MB':>9}{'INT8 MB':>9}{'size':>7}"
          f"{'SQNR dB':>9}{'top-1 agr':>10}{'calib ms/sample':>17}{'/ FP32 run':>11}{'calib peak MB':>15}")
    for name, fp32, q, cmp, calib_ms, calib_rss in rows:
        print(f"{name:13}{fp32['median_ms']:9.2f}{q['median_ms']:9.2f}{fp32['median_ms'] / q['median_ms']:8.2f}x"
              f"{fp32['model_bytes'] / 1e6:9.1f}{q['model_bytes'] / 1e6:9.1f}"
              f"{q['model_bytes'] / fp32['model_bytes']:6.3f}x{cmp['sqnr_db']:9.2f}{cmp['top1_agreement']:10.4f}"
              f"{calib_ms:17.1f}{calib_ms / fp32['median_ms']:10.2f}x{calib_rss:15.1f}")


if __name__ == "__main__":
    main()
