#!/usr/bin/python3
"""Peak resident memory of Octet against ONNX Runtime on the same INT8
models, measured in one run.

    peak_memory.py --octet build/octet MODEL.octet [MODEL.octet ...] [--runs 20] [--no-install]

For each .octet model: `octet bench --json` (its peak_rss_bytes: the whole
octet process), and ONNX Runtime on the QDQ file `octet export-qdq` writes,
through benchmarks/ort_bench.js (the node process's peak: node, V8, the
ORT library and the session). Node's share is measured too, as the peak of
a node process that only loads onnxruntime-node, and subtracted in the last
column, so ORT is not charged for the JavaScript runtime. Inputs are the
same uniform [-1, 1) tensor for both (symbolic dims set to 1)."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx

from qoperator_vs_ort import ensure_ort

HERE = os.path.dirname(os.path.abspath(__file__))
NODE_MODULES = os.path.join(HERE, ".node", "node_modules", "onnxruntime-node")


def run_json(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit("peak_memory: %s failed:\n%s" % (" ".join(cmd), proc.stderr))
    return json.loads(proc.stdout.strip().splitlines()[-1])


def node_baseline():
    """Peak RSS of node with onnxruntime-node loaded and nothing run."""
    script = ("require(%r); const m = /VmHWM:\\s*(\\d+) kB/.exec(require('fs').readFileSync("
              "'/proc/self/status', 'latin1')); console.log(Number(m[1]) * 1024)" % NODE_MODULES)
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[0])


def input_for(onnx_path, work):
    """One uniform [-1, 1) float input shaped as the model's (symbolic dims 1)."""
    g = onnx.load(onnx_path, load_external_data=False).graph
    init = {t.name for t in g.initializer}
    x = [v for v in g.input if v.name not in init][0]
    shape = [d.dim_value if d.dim_value > 0 else 1 for d in x.type.tensor_type.shape.dim]
    path = os.path.join(work, os.path.basename(onnx_path) + ".x.npy")
    np.save(path, np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32))
    return path


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--octet", required=True)
    p.add_argument("models", nargs="+")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--no-install", action="store_true")
    args = p.parse_args()
    ensure_ort(args.no_install)
    work = tempfile.mkdtemp(prefix="octet_peak_memory_")
    baseline = node_baseline()
    mib = 1 << 20
    print("| model | Octet INT8 peak RSS (MiB) | ORT INT8 (QDQ) peak RSS, node process (MiB) | node + onnxruntime-node "
          "alone (MiB) | ORT minus that (MiB) |")
    print("|---|---|---|---|---|")
    for model in args.models:
        qdq = os.path.join(work, os.path.basename(model) + ".qdq.onnx")
        subprocess.run([args.octet, "export-qdq", model, "-o", qdq], check=True, capture_output=True)
        x = input_for(qdq, work)
        ours = run_json([args.octet, "bench", model, "--runs", str(args.runs), "--input", x, "--json"])
        theirs = run_json(["node", os.path.join(HERE, "ort_bench.js"), qdq, x, "--runs", str(args.runs)])
        print("| %s | %.1f | %.1f | %.1f | %.1f |" % (os.path.basename(model), ours["peak_rss_bytes"] / mib,
                                                   theirs["peak_rss_bytes"] / mib, baseline / mib,
                                                   (theirs["peak_rss_bytes"] - baseline) / mib), flush=True)


if __name__ == "__main__":
    main()
