#!/usr/bin/python3
"""End-to-end checks of `octet eval`, `octet bench` and `octet compare`.
Accuracies are known from PyTorch (the bundled digits model gets 15 of 16),
compare's metrics are recomputed with NumPy from `octet run` outputs, and its
per-layer SQNR from a NumPy quantization of a model built here with onnx.

usage: eval_bench_compare_test.py OCTET MODELS_DIR"""
import json
import os
import shutil
import sys
import tempfile

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

from cli_util import check, finish, octet


def octet_json(binary, *args):
    p = octet(binary, *args)
    if not check(p.returncode == 0, "octet %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr)):
        return None
    try:
        return json.loads(p.stdout)  # the whole stdout: nothing but the object
    except ValueError:
        check(False, "octet %s: stdout is not one JSON object: %r" % (" ".join(args), p.stdout))
        return None


def close(a, b, rtol):
    return abs(a - b) <= rtol * max(abs(a), abs(b))


# --- models made here --------------------------------------------------------

def with_fixed_batch(src, dst, batch):
    m = onnx.load(src)
    for v in list(m.graph.input) + list(m.graph.output):
        v.type.tensor_type.shape.dim[0].dim_value = batch
    onnx.save(m, dst)


def with_scaled_weight(src, dst, factor):
    """The digits model with its first float weight (of rank >= 2) scaled."""
    m = onnx.load(src)
    for init in m.graph.initializer:
        w = numpy_helper.to_array(init)
        if w.dtype == np.float32 and w.ndim >= 2:
            init.CopyFrom(numpy_helper.from_array((w * np.float32(factor)).astype(np.float32), init.name))
            onnx.save(m, dst)
            return
    raise RuntimeError("no weight to scale")


C = np.float32(1.7)
H_SCALE, H_ZP = np.float32(0.05), np.uint8(100)   # coarse, uint8
Y_SCALE, Y_ZP = np.float32(0.01), np.int8(-100)   # fine, int8, saturating above 2.27


def mul_relu_models(ref_path, q_path):
    """REF: h = x * C; y = Relu(h). MODEL: the same with h and y carried
    through QuantizeLinear as h_quantized / y_quantized (the naming
    convention), its output named differently."""
    def scalar(name, value):
        return numpy_helper.from_array(np.array(value), name)

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 6])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 6])
    ref = helper.make_graph([helper.make_node("Mul", ["x", "c"], ["h"]), helper.make_node("Relu", ["h"], ["y"])],
                            "ref", [x], [y], [scalar("c", C)])
    q_out = helper.make_tensor_value_info("out", TensorProto.FLOAT, ["N", 6])
    q = helper.make_graph([
        helper.make_node("Mul", ["x", "c"], ["h"]),
        helper.make_node("QuantizeLinear", ["h", "h_scale", "h_zero_point"], ["h_quantized"]),
        helper.make_node("DequantizeLinear", ["h_quantized", "h_scale", "h_zero_point"], ["hd"]),
        helper.make_node("Relu", ["hd"], ["y"]),
        helper.make_node("QuantizeLinear", ["y", "y_scale", "y_zero_point"], ["y_quantized"]),
        helper.make_node("DequantizeLinear", ["y_quantized", "y_scale", "y_zero_point"], ["out"]),
    ], "quantized", [x], [q_out], [scalar("c", C), scalar("h_scale", H_SCALE), scalar("h_zero_point", H_ZP),
                                   scalar("y_scale", Y_SCALE), scalar("y_zero_point", Y_ZP)])
    for g, path in ((ref, ref_path), (q, q_path)):
        onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)


def fake_quant(v, scale, zp, lo, hi):
    q = np.clip(np.rint(v / scale) + np.float32(zp), lo, hi)  # rint: round half to even, as QuantizeLinear
    return (scale * (q - np.float32(zp))).astype(np.float32)


def sqnr(ref, got):
    ref, got = ref.astype(np.float64), got.astype(np.float64)
    return 10 * np.log10(np.sum(ref ** 2) / np.sum((ref - got) ** 2))


def cosine(ref, got):
    ref, got = ref.astype(np.float64).ravel(), got.astype(np.float64).ravel()
    return ref.dot(got) / np.sqrt(ref.dot(ref) * got.dot(got))


# --- eval --------------------------------------------------------------------

def test_eval(binary, models, work):
    model, x, y = (os.path.join(models, f) for f in ("digits_cnn.onnx", "digits_input.npy", "digits_labels.npy"))
    p = octet(binary, "eval", model, "--data", x, "--labels", y)
    check(p.returncode == 0 and p.stdout == "accuracy: 0.9375 (15 of 16 correct)\n", "eval text: %r %s" %
          (p.stdout, p.stderr))
    for batch in ("32", "5", "1"):  # 5: partial last batch, the model planned again
        r = octet_json(binary, "eval", model, "--data", x, "--labels", y, "--json", "--batch", batch)
        check(r == {"accuracy": 0.9375, "count": 16, "correct": 15}, "eval --batch %s: %r" % (batch, r))
    labels32 = os.path.join(work, "labels32.npy")
    np.save(labels32, np.load(y).astype(np.int32))
    r = octet_json(binary, "eval", model, "--data", x, "--labels", labels32, "--json")
    check(r and r["accuracy"] == 0.9375, "eval with int32 labels: %r" % r)

    fixed4 = os.path.join(work, "digits_b4.onnx")
    with_fixed_batch(model, fixed4, 4)
    r = octet_json(binary, "eval", fixed4, "--data", x, "--labels", y, "--json")
    check(r == {"accuracy": 0.9375, "count": 16, "correct": 15}, "eval of a fixed-batch model: %r" % r)

    x15, y15 = os.path.join(work, "x15.npy"), os.path.join(work, "y15.npy")
    np.save(x15, np.load(x)[:15])
    np.save(y15, np.load(y)[:15])
    bad_shape, float_labels = os.path.join(work, "x_bad.npy"), os.path.join(work, "labels_f.npy")
    np.save(bad_shape, np.zeros((16, 1, 8, 7), np.float32))
    np.save(float_labels, np.load(y).astype(np.float32))
    cases = [
        (["eval", fixed4, "--data", x15, "--labels", y15], 1, "15 samples do not split into batches of 4"),
        (["eval", fixed4, "--data", x, "--labels", y, "--batch", "8"], 2, "fixed at 4"),
        (["eval", model, "--data", x, "--labels", float_labels], 1, "labels must be int64 or int32"),
        (["eval", model, "--data", x, "--labels", y15], 1, "labels must have shape [16]"),
        (["eval", model, "--data", bad_shape, "--labels", y], 1, "does not stack samples"),
        (["eval", model, "--data", os.path.join(work, "none.npy"), "--labels", y], 1, "none.npy"),
        (["eval", os.path.join(work, "none.onnx"), "--data", x, "--labels", y], 1, "none.onnx"),
        (["eval", model, "--data", x], 2, "--labels"),
        (["eval", model, "--data", x, "--labels", y, "--batch", "0"], 2, "--batch"),
        (["eval", model, "--data", x, "--labels", y, "--batch", "x"], 2, "--batch"),
        (["eval", "--data", x, "--labels", y], 2, "exactly one MODEL"),
    ]
    check_errors(binary, cases)


def check_errors(binary, cases):
    for argv, code, text in cases:
        p = octet(binary, *argv)
        check(p.returncode == code and text in p.stderr and (code != 1 or p.stdout == ""),
              "octet %s: exit %d (want %d), stderr %r (want %r)" % (" ".join(argv), p.returncode, code, p.stderr, text))


# --- bench -------------------------------------------------------------------

def test_bench(binary, models, work):
    model = os.path.join(models, "digits_cnn.onnx")
    r = octet_json(binary, "bench", model, "--runs", "20", "--warmup", "2", "--json")
    if r is not None:
        keys = {"median_ms", "p10_ms", "p90_ms", "peak_rss_bytes", "model_bytes", "arena_bytes", "runs", "isa",
                "threads"}
        check(set(r) == keys, "bench keys: %r" % sorted(r))
        check(r["threads"] == 1, "bench threads: %r" % r)
        if set(r) == keys:
            check(0 < r["p10_ms"] <= r["median_ms"] <= r["p90_ms"] < 1000, "bench latencies: %r" % r)
            check(r["model_bytes"] == os.path.getsize(model), "bench model_bytes: %r" % r)
            check(1 << 20 < r["peak_rss_bytes"] < 1 << 32, "bench peak_rss_bytes: %r" % r)
            # The digits CNN's intermediates are a few KiB; offsets are 64-byte aligned.
            check(0 < r["arena_bytes"] < 1 << 16 and r["arena_bytes"] % 64 == 0, "bench arena_bytes: %r" % r)
            check(r["runs"] == 20 and r["isa"] in ("ref", "avx2", "avx512vnni", "amx", "neon", "neondot"), "bench runs/isa: %r" % r)
    r = octet_json(binary, "bench", model, "--runs", "3", "--input", os.path.join(models, "digits_input.npy"),
                   "--json")
    check(r is not None and r.get("runs") == 3, "bench --input: %r" % r)
    r = octet_json(binary, "bench", model, "--runs", "3", "--threads", "2", "--json")
    check(r is not None and r.get("threads") == 2, "bench --threads 2: %r" % r)
    p = octet(binary, "bench", model, "--runs", "3")
    check(p.returncode == 0 and "latency:  median " in p.stdout and "peak RSS:" in p.stdout and "arena:" in p.stdout,
          "bench text: %r" % p.stdout)
    test_bench_profile(binary, model)
    check_errors(binary, [
        (["bench", model, "--profile", "--top", "0"], 2, "--top"),
        (["bench", model, "--threads", "0"], 2, "--threads"),
        (["bench", model, "--threads", "100000"], 2, "<= 256"),
        (["bench", model, "--runs", "0"], 2, "--runs"),
        (["bench", model, "--warmup", "-1"], 2, "--warmup"),
        (["bench", os.path.join(work, "none.onnx")], 1, "none.onnx"),
        (["bench", model, "--input", os.path.join(work, "none.npy")], 1, "none.npy"),
        (["bench"], 2, "exactly one MODEL"),
    ])


def test_bench_profile(binary, model):
    """--profile times every node of the planned graph: the digits model's
    nodes in the file's order, less the Relus the planner fuses into the
    Convs, and their medians add up to about one whole run."""
    nodes = [(n.name, n.op_type) for n in onnx.load(model).graph.node if n.op_type != "Relu"]
    r = octet_json(binary, "bench", model, "--runs", "20", "--profile", "--json")
    prof = (r or {}).get("profile")
    check(isinstance(prof, list) and [(n["node"], n["op_type"]) for n in prof] == nodes,
          "bench --profile nodes: %r against %r" % (prof, nodes))
    if isinstance(prof, list) and prof:
        check(all(n["median_ms"] >= 0 and n["output_shape"].startswith("[1, ") for n in prof),
              "bench --profile entries: %r" % prof)
        total = sum(n["median_ms"] for n in prof)
        check(0 < total < 3 * r["median_ms"] + 0.05, "bench --profile sum %.4f against a run %.4f" % (total, r["median_ms"]))
        check(max(n["median_ms"] for n in prof if n["op_type"] == "Conv") > 0, "bench --profile: no Conv time: %r" % prof)
    p = octet(binary, "bench", model, "--runs", "5", "--profile", "--top", "3")
    lines = p.stdout.splitlines()
    check(p.returncode == 0 and "profile: median per node" in p.stdout, "bench --profile text: %r" % p.stdout)
    head = [i for i, l in enumerate(lines) if "node (slowest first)" in l]
    check(len(head) == 1 and len(lines) - head[0] - 1 == 3, "bench --top 3 rows: %r" % lines)
    for name, op in nodes:
        check(any(l.split()[:1] == [op] for l in lines), "bench --profile op table lacks %s" % op)


# --- compare -----------------------------------------------------------------

def run_outputs(binary, model, x_path, out_dir):
    p = octet(binary, "run", model, "--input", x_path, "--output-dir", out_dir)
    check(p.returncode == 0, "run %s: %s" % (model, p.stderr))
    return np.load(os.path.join(out_dir, "logits.npy"))


def test_compare(binary, models, work):
    model, x = os.path.join(models, "digits_cnn.onnx"), os.path.join(models, "digits_input.npy")
    r = octet_json(binary, "compare", model, model, "--data", x, "--json")
    if r:
        o = r["outputs"][0]
        check(r["count"] == 16 and o["sqnr_db"] == "inf" and o["cosine"] == 1 and o["top1_agreement"] == 1 and
              o["max_abs_error"] == 0 and o["name"] == o["ref_name"] == "logits", "compare with itself: %r" % r)

    scaled = os.path.join(work, "digits_scaled.onnx")
    with_scaled_weight(model, scaled, 1.3)
    ref = run_outputs(binary, model, x, os.path.join(work, "ref_out"))
    got = run_outputs(binary, scaled, x, os.path.join(work, "scaled_out"))
    want_agree = np.mean(ref.argmax(-1) == got.argmax(-1))
    for batch in ("16", "3"):
        r = octet_json(binary, "compare", model, scaled, "--data", x, "--json", "--batch", batch)
        if not r:
            continue
        o = r["outputs"][0]
        check(np.isfinite(sqnr(ref, got)) and close(o["sqnr_db"], sqnr(ref, got), 1e-5),
              "compare --batch %s SQNR %r, numpy %r" % (batch, o["sqnr_db"], sqnr(ref, got)))
        check(close(o["max_abs_error"], float(np.max(np.abs(ref - got))), 1e-5), "compare max error: %r" % o)
        check(close(o["cosine"], cosine(ref, got), 1e-6), "compare cosine: %r vs %r" % (o, cosine(ref, got)))
        check(o["top1_agreement"] == want_agree, "compare top-1: %r, numpy %r" % (o, want_agree))
    p = octet(binary, "compare", model, scaled, "--data", x)
    check(p.returncode == 0 and "output 0 'logits'" in p.stdout and "SQNR " in p.stdout, "compare text: %r" % p.stdout)

    # Per layer: h (uint8, coarse) and y (int8, fine) against NumPy's quantization.
    ref_m, q_m = os.path.join(work, "mul_relu.onnx"), os.path.join(work, "mul_relu_q.onnx")
    mul_relu_models(ref_m, q_m)
    xs = np.random.RandomState(7).uniform(-3, 3, (10, 6)).astype(np.float32)
    xs_path = os.path.join(work, "xs.npy")
    np.save(xs_path, xs)
    h = xs * C
    hq = fake_quant(h, H_SCALE, H_ZP, 0, 255)
    yq = fake_quant(np.maximum(hq, 0), Y_SCALE, Y_ZP, -128, 127)
    y_ref = np.maximum(h, 0)
    r = octet_json(binary, "compare", ref_m, q_m, "--data", xs_path, "--per-layer", "--json", "--batch", "4")
    if r:
        layers = r.get("layers", [])
        # y's int8 range ends at 2.27, so its larger values saturate: y is the worse.
        want = {"h": (h, hq), "y": (y_ref, yq)}
        order = sorted(want, key=lambda name: sqnr(*want[name]))
        check(order == ["y", "h"] and [l["name"] for l in layers] == order, "per-layer values, worst first: %r" % layers)
        for l in layers:
            if l["name"] not in want:
                continue
            ref_v, got_v = want[l["name"]]
            check(l["quantized"] == l["name"] + "_quantized", "per-layer quantized name: %r" % l)
            check(close(l["sqnr_db"], sqnr(ref_v, got_v), 1e-6) and close(l["cosine"], cosine(ref_v, got_v), 1e-9) and
                  close(l["max_abs_error"], float(np.max(np.abs(ref_v - got_v))), 1e-6),
                  "per-layer %s: %r, numpy SQNR %r" % (l["name"], l, sqnr(ref_v, got_v)))
        o = r["outputs"][0]
        check(o["ref_name"] == "y" and o["name"] == "out" and close(o["sqnr_db"], sqnr(y_ref, yq), 1e-6),
              "per-layer run's output: %r, numpy SQNR %r" % (o, sqnr(y_ref, yq)))
    p = octet(binary, "compare", ref_m, q_m, "--data", xs_path, "--per-layer")
    check(p.returncode == 0 and "per layer, worst SQNR first (2 values)" in p.stdout, "per-layer text: %r" % p.stdout)
    r = octet_json(binary, "compare", ref_m, ref_m, "--data", xs_path, "--per-layer", "--json")
    check(r is not None and r.get("layers") == [], "per-layer of a float model: %r" % r)

    check_errors(binary, [
        (["compare", model, "--data", x], 2, "REF_MODEL and MODEL"),
        (["compare", model, scaled], 2, "--data"),
        (["compare", model, ref_m, "--data", x], 1, "shape"),
        (["compare", model, os.path.join(work, "none.onnx"), "--data", x], 1, "none.onnx"),
        (["compare", model, scaled, "--data", os.path.join(work, "none.npy")], 1, "none.npy"),
    ])


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary, models = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="octet_eval_bench_compare_")
    try:
        for cmd in ("eval", "bench", "compare"):
            p = octet(binary, cmd, "--help")
            check(p.returncode == 0 and p.stdout.startswith("usage: octet " + cmd), cmd + " --help")
        test_eval(binary, models, work)
        test_bench(binary, models, work)
        test_compare(binary, models, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
