#!/usr/bin/python3
"""Octet against ONNX Runtime on a QOperator model built with onnx.helper.

    qoperator_vs_ort.py --octet build/octet [--work DIR] [--no-install]

The model, once with uint8 and once with int8 activations (int8 weights,
per output channel):

    x float [4, 8, 10, 10] -> QuantizeLinear
      -> QLinearConv 3x3 pad 1 (16 out) \\
      -> QLinearConv 1x1       (16 out)  -> com.microsoft QLinearAdd
      -> com.microsoft QLinearGlobalAveragePool -> Reshape [4, 16]
      -> QLinearMatMul [16, 10] -> y (8-bit codes)

Output qparams come from a float64 NumPy run of the same arithmetic on the
input (min/max per tensor, as a calibration would). Both engines run the
file as it is; the script compares their 8-bit output codes and requires
every one within 1 quantization step. ONNX Runtime is onnxruntime-node in
benchmarks/.node (installed there with npm --ignore-scripts unless
--no-install), driven by benchmarks/ort_bench.js --dump."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
NODE_DIR = os.path.join(HERE, ".node")
RNG = np.random.default_rng(2026)


def qparams(lo, hi, dtype):
    """Affine qparams covering [min(lo, 0), max(hi, 0)] in dtype's range."""
    qmin, qmax = (0, 255) if dtype == np.uint8 else (-128, 127)
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    scale = np.float32((hi - lo) / (qmax - qmin) if hi > lo else 1.0)
    zero_point = int(np.clip(np.round(qmin - lo / scale), qmin, qmax))
    return scale, zero_point


def quantize(x, scale, zero_point, dtype):
    info = np.iinfo(dtype)
    return np.clip(np.round(x / scale) + zero_point, info.min, info.max).astype(dtype)


def dequantize(q, scale, zero_point):
    return (q.astype(np.float64) - zero_point) * np.float64(scale)


def conv2d(x, w, b, pad):
    n, c, h, wd = x.shape
    m, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    y = np.zeros((n, m, h, wd))
    for i in range(kh):
        for j in range(kw):
            y += np.einsum("nchw,mc->nmhw", xp[:, :, i:i + h, j:j + wd], w[:, :, i, j])
    return y + b[None, :, None, None]


def build(act, upto_add=False):
    """The model and its input, activations of numpy type `act`; with
    upto_add the model ends at the QLinearAdd (6400 codes to compare
    instead of 40)."""
    act_type = TensorProto.UINT8 if act == np.uint8 else TensorProto.INT8
    inits, nodes = [], []

    def init(name, array, dtype=None):
        inits.append(numpy_helper.from_array(np.asarray(array, dtype=dtype), name))
        return name

    x = RNG.uniform(-1.0, 2.0, size=(4, 8, 10, 10)).astype(np.float32)
    xs, xz = qparams(x.min(), x.max(), act)
    xq = quantize(x, xs, xz, act)
    xr = dequantize(xq, xs, xz)

    def conv_weights(name, m, c, k):
        w = RNG.normal(0, 0.3, size=(m, c, k, k)).astype(np.float32)
        ws = (np.abs(w).reshape(m, -1).max(1) / 127).astype(np.float32)
        wq = np.clip(np.round(w / ws[:, None, None, None]), -128, 127).astype(np.int8)
        b = RNG.normal(0, 0.1, size=m)
        bq = np.round(b / (np.float64(xs) * ws)).astype(np.int32)
        init(name + "_w", wq), init(name + "_ws", ws), init(name + "_wz", np.zeros(m, np.int8)), init(name + "_b", bq)
        real = conv2d(xr, wq.astype(np.float64) * ws[:, None, None, None], bq * np.float64(xs) * ws, k // 2)
        return real

    init("xs", np.float32(xs)), init("xz", np.array(xz, dtype=act))
    nodes.append(helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]))
    branch = {}
    for name, k in (("c1", 3), ("c2", 1)):
        real = conv_weights(name, 16, 8, k)
        s, z = qparams(real.min(), real.max(), act)
        init(name + "_ys", np.float32(s)), init(name + "_yz", np.array(z, dtype=act))
        nodes.append(helper.make_node("QLinearConv", ["xq", "xs", "xz", name + "_w", name + "_ws", name + "_wz",
                                                      name + "_ys", name + "_yz", name + "_b"], [name],
                                      pads=[k // 2] * 4))
        branch[name] = dequantize(quantize(real, s, z, act), s, z)
    added = branch["c1"] + branch["c2"]
    s, z = qparams(added.min(), added.max(), act)
    init("add_s", np.float32(s)), init("add_z", np.array(z, dtype=act))
    s_add = s
    nodes.append(helper.make_node("QLinearAdd", ["c1", "c1_ys", "c1_yz", "c2", "c2_ys", "c2_yz", "add_s", "add_z"],
                                  ["added"], domain="com.microsoft"))
    pooled = dequantize(quantize(added, s, z, act), s, z).mean(axis=(2, 3))
    s, z = qparams(pooled.min(), pooled.max(), act)
    init("pool_s", np.float32(s)), init("pool_z", np.array(z, dtype=act))
    nodes.append(helper.make_node("QLinearGlobalAveragePool", ["added", "add_s", "add_z", "pool_s", "pool_z"],
                                  ["pooled"], domain="com.microsoft", channels_last=0))
    init("shape", np.array([4, 16], np.int64))
    nodes.append(helper.make_node("Reshape", ["pooled", "shape"], ["flat"]))
    wm = RNG.normal(0, 0.4, size=(16, 10)).astype(np.float32)
    wms = np.float32(np.abs(wm).max() / 127)
    wmq = np.clip(np.round(wm / wms), -128, 127).astype(np.int8)
    logits = dequantize(quantize(pooled, s, z, act), s, z) @ (wmq.astype(np.float64) * wms)
    ys, yz = qparams(logits.min(), logits.max(), act)
    init("wm", wmq), init("wms", wms), init("wmz", np.int8(0)), init("ys", np.float32(ys))
    init("yz", np.array(yz, dtype=act))
    nodes.append(helper.make_node("QLinearMatMul", ["flat", "pool_s", "pool_z", "wm", "wms", "wmz", "ys", "yz"],
                                  ["y"]))
    output = helper.make_tensor_value_info("y", act_type, [4, 10])
    if upto_add:
        nodes = nodes[:4]
        used = {i for n in nodes for i in n.input}
        inits = [t for t in inits if t.name in used]
        output = helper.make_tensor_value_info("added", act_type, [4, 16, 10, 10])
        ys = np.float32(s_add)
    graph = helper.make_graph(nodes, "qoperator_" + np.dtype(act).name, [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, [4, 8, 10, 10])], [output], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("com.microsoft", 1)])
    onnx.checker.check_model(model)
    return model, x, ys


def ensure_ort(no_install):
    if os.path.isdir(os.path.join(NODE_DIR, "node_modules", "onnxruntime-node")):
        return
    if no_install:
        sys.exit("qoperator_vs_ort: no onnxruntime-node in %s (--no-install)" % NODE_DIR)
    os.makedirs(NODE_DIR, exist_ok=True)
    subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "onnxruntime-node"],
                   cwd=NODE_DIR, check=True)


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit("qoperator_vs_ort: %s failed:\n%s%s" % (" ".join(cmd), proc.stdout, proc.stderr))
    return proc.stdout


def ort_script_args(doc, work_prefix, octet=True):
    """The ORT comparison scripts' command line (--octet, --work,
    --no-install), with ORT installed and the work directory made."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    if octet:
        p.add_argument("--octet", required=True)
    p.add_argument("--work", default=None)
    p.add_argument("--no-install", action="store_true")
    args = p.parse_args()
    ensure_ort(args.no_install)
    args.work = args.work or tempfile.mkdtemp(prefix=work_prefix)
    os.makedirs(args.work, exist_ok=True)
    return args


def main():
    args = ort_script_args(__doc__, "octet_qoperator_")
    work = args.work
    failed = False
    for act, upto_add in ((np.uint8, False), (np.int8, False), (np.uint8, True), (np.int8, True)):
        name = np.dtype(act).name + ("_upto_add" if upto_add else "")
        model, x, ys = build(act, upto_add)
        path = os.path.join(work, "qoperator_%s.onnx" % name)
        onnx.save(model, path)
        xfile = os.path.join(work, "x_%s.npy" % name)
        np.save(xfile, x)
        out_dir = os.path.join(work, "octet_" + name)
        run([args.octet, "run", path, "--input", xfile, "--output-dir", out_dir])
        ours = np.load(os.path.join(out_dir, ("added" if upto_add else "y") + ".npy"))
        dump = os.path.join(work, "ort_%s.bin" % name)
        info = json.loads(run(["node", os.path.join(HERE, "ort_bench.js"), path, xfile, "--runs", "1",
                               "--warmup", "0", "--dump", dump]).strip().splitlines()[-1])
        theirs = np.fromfile(dump, dtype=act).reshape([int(d) for d in info["dump"]["dims"]])
        diff = np.abs(ours.astype(np.int32) - theirs.astype(np.int32))
        ok = ours.dtype == theirs.dtype and ours.shape == theirs.shape and diff.max() <= 1
        failed |= not ok
        print(json.dumps({"model": name, "ort": info["ort"], "outputs": int(diff.size),
                          "max_code_diff": int(diff.max()), "exact": int((diff == 0).sum()),
                          "output_scale": float(ys), "within_one_step": bool(ok)}))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
