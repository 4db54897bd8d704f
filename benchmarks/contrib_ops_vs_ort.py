#!/usr/bin/python3
"""Octet against ONNX Runtime on single-node models of ONNX Runtime's
com.microsoft quantized contrib operators.

    contrib_ops_vs_ort.py --octet build/octet [--work DIR] [--no-install]

Each case is one node built with onnx.helper, in a uint8 and an int8
variant (activations, or for the float-input ops the weights):
QLinearAdd and QLinearMul (same shape, and B [1, C, 1, 1] broadcast),
QLinearGlobalAveragePool (channels_last 0 and 1), QLinearAveragePool (3x3,
pad 1, stride 2, count_include_pad 0 and 1), QLinearConcat (axis 1 and -1),
QLinearSigmoid, QLinearLeakyRelu, QGemm (8-bit output; float output with
transA and alpha; transB with per-column weight scales), DynamicQuantizeMatMul,
MatMulIntegerToFloat and DynamicQuantizeLSTM (forward; bidirectional with
per-channel weight scales, sequence_lens and initial state). Activations are
graph inputs, everything else an initializer, so Octet runs its prepared
INT8 kernels. Data come from a Generator seeded by the case name; every
case saturates some outputs (output qparams cover the 1st..99th percentile
of the float result, inputs hold the extreme codes or outliers).

Both engines run the same file; the script prints one JSON line per case
and a summary line. 8-bit outputs agree when every code is within 1
quantization step; float outputs when the largest absolute difference is at
most 1e-4 * max|ORT| + 1e-6. DynamicQuantizeLSTM is judged differently:
ONNX Runtime quantizes all of X with one scale and h with one per step,
Octet each row of them with its own (README, the LSTM benchmark), so the
outputs differ by more than a code. Each engine's largest error against
the float ONNX LSTM with the same dequantized weights (run by ORT) is
reported, and Octet agrees when its error is at most ORT's. A case ORT
refuses is reported, not counted; a case Octet refuses counts as differing.
Exit status 1 if any case differs. ONNX Runtime is onnxruntime-node in
benchmarks/.node (see qoperator_vs_ort.py), driven by ort_bench.js --dump;
the models and inputs stay in --work for reruns."""
import json
import os
import subprocess
import sys
import zlib

import numpy as np
import onnx
from onnx import helper, numpy_helper

from qop_pairings_vs_ort import ort_error
from qoperator_vs_ort import ort_script_args

HERE = os.path.dirname(os.path.abspath(__file__))
TAG = {np.uint8: "u8", np.int8: "s8"}
# onnx.mapping is gone from newer onnx; 1.12 has no np_dtype_to_tensor_dtype.
TENSOR_TYPE = getattr(helper, "np_dtype_to_tensor_dtype", None) or (lambda d: onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[d])


def qrange(dtype):
    info = np.iinfo(dtype)
    return int(info.min), int(info.max)


def act_qparams(rng, act):
    """A calibration-like activation scale and a zero point well off the
    centre of the range (the centre would hide a sign or offset slip)."""
    offset = int(rng.choice([-1, 1]) * rng.integers(20, 90))
    return np.float32(rng.uniform(0.01, 0.1)), np.array(offset + (128 if act == np.uint8 else 0), act)


def out_qparams(real, act):
    """Qparams covering the 1st..99th percentile of `real` (and 0), so that
    about 1% of the outputs saturate at each end."""
    qmin, qmax = qrange(act)
    lo, hi = np.percentile(real, [1, 99])
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = np.float32((hi - lo) / (qmax - qmin))
    return scale, np.array(np.clip(np.round(qmin - lo / scale), qmin, qmax), act)


def codes(rng, shape, act):
    """Uniform codes; the first two are the range's ends."""
    qmin, qmax = qrange(act)
    q = rng.integers(qmin, qmax + 1, size=shape).astype(act)
    q.flat[0], q.flat[1] = qmin, qmax
    return q


def deq(q, scale, zero_point):
    return (q.astype(np.float64) - np.asarray(zero_point, np.float64)) * np.asarray(scale, np.float64)


def weights(rng, shape, wt, axis):
    """Symmetric 8-bit weights (zero point 0, or 128 for uint8, the ones
    Octet's INT8 kernels take) with scales per slice along `axis` (None:
    per tensor): (codes, scale, zero point)."""
    w = rng.normal(0, 0.3, size=shape)
    keep = tuple(range(len(shape))) if axis is None else tuple(a for a in range(len(shape)) if a not in axis)
    scale = (np.abs(w).max(axis=keep) / 127).astype(np.float32)
    zp = 128 if wt == np.uint8 else 0
    expand = scale if axis is None else np.expand_dims(scale, keep)
    q = np.clip(np.round(w / expand), -127, 127) + zp
    return q.astype(wt), scale, np.full(scale.shape, zp, wt)


class Case:
    """One com.microsoft node: its inputs in order, each a graph input (an
    activation), an initializer, or omitted."""

    def __init__(self, name, op, **attrs):
        self.name, self.op, self.attrs = name, op, attrs
        self.rng = np.random.default_rng([2026, zlib.crc32(name.encode())])
        self.names, self.feeds, self.consts = [], [], []

    def feed(self, name, array):
        self.names.append(name)
        self.feeds.append((name, np.asarray(array)))
        return self

    def const(self, name, array):
        self.names.append(name)
        self.consts.append((name, np.asarray(array)))
        return self

    def omit(self):
        self.names.append("")
        return self

    def model(self, out_dtype, out_shape):
        def info(name, dtype, shape):
            return helper.make_tensor_value_info(name, TENSOR_TYPE(np.dtype(dtype)), list(shape))
        node = helper.make_node(self.op, self.names, ["Y"], domain="com.microsoft", **self.attrs)
        graph = helper.make_graph([node], self.name, [info(n, a.dtype, a.shape) for n, a in self.feeds],
                                  [info("Y", out_dtype, out_shape)],
                                  [numpy_helper.from_array(a, n) for n, a in self.consts])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                        helper.make_opsetid("com.microsoft", 1)])
        onnx.checker.check_model(model)
        return model


def qlinear_binary(op, act, b_shape):
    shape = (2, 8, 5, 6)
    c = Case("%s%s_%s" % (op, "" if b_shape == shape else "_broadcast", TAG[act]), op)
    a, b = codes(c.rng, shape, act), codes(c.rng, b_shape, act)
    (sa, za), (sb, zb) = act_qparams(c.rng, act), act_qparams(c.rng, act)
    ra, rb = deq(a, sa, za), deq(b, sb, zb)
    real = ra + rb if op == "QLinearAdd" else ra * rb
    sc, zc = out_qparams(real, act)
    c.feed("A", a).const("A_scale", sa).const("A_zero_point", za)
    c.feed("B", b).const("B_scale", sb).const("B_zero_point", zb).const("C_scale", sc).const("C_zero_point", zc)
    return c, c.model(act, real.shape)


def unary_case(c, act, shape, fn):
    """X and its qparams, then output qparams from fn(dequantized X)."""
    x = codes(c.rng, shape, act)
    sx, zx = act_qparams(c.rng, act)
    real = fn(deq(x, sx, zx))
    sy, zy = out_qparams(real, act)
    c.feed("X", x).const("X_scale", sx).const("X_zero_point", zx).const("Y_scale", sy).const("Y_zero_point", zy)
    return c, c.model(act, real.shape)


def qlinear_global_pool(act, channels_last):
    c = Case("QLinearGlobalAveragePool_cl%d_%s" % (channels_last, TAG[act]), "QLinearGlobalAveragePool",
             channels_last=channels_last)
    shape, axes = ((2, 7, 7, 16), (1, 2)) if channels_last else ((2, 16, 7, 7), (2, 3))
    return unary_case(c, act, shape, lambda x: x.mean(axis=axes, keepdims=True))


def avg_pool_3x3_s2_p1(x, count_include_pad):
    def window_sums(a):
        a = np.pad(a, ((0, 0), (0, 0), (1, 1), (1, 1)))
        h, w = (a.shape[2] - 3) // 2 + 1, (a.shape[3] - 3) // 2 + 1
        return sum(a[:, :, i:i + 2 * h - 1:2, j:j + 2 * w - 1:2] for i in range(3) for j in range(3))
    return window_sums(x) / (9.0 if count_include_pad else window_sums(np.ones_like(x)))


def qlinear_avg_pool(act, count_include_pad):
    c = Case("QLinearAveragePool_pad%d_%s" % (count_include_pad, TAG[act]), "QLinearAveragePool",
             kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2], count_include_pad=count_include_pad)
    return unary_case(c, act, (2, 4, 9, 9), lambda x: avg_pool_3x3_s2_p1(x, count_include_pad))


def qlinear_lut(op, act):
    if op == "QLinearSigmoid":
        return unary_case(Case("%s_%s" % (op, TAG[act]), op), act, (2, 8, 5, 6), lambda x: 1 / (1 + np.exp(-x)))
    c = Case("%s_%s" % (op, TAG[act]), op, alpha=0.1)
    return unary_case(c, act, (2, 8, 5, 6), lambda x: np.where(x < 0, 0.1 * x, x))


def qlinear_concat(act, axis):
    c = Case("QLinearConcat_axis%d_%s" % (axis, TAG[act]), "QLinearConcat", axis=axis)
    sizes = (3, 5, 2)
    shapes = [(2, n, 4, 4) if axis == 1 else (2, 4, 4, n) for n in sizes]
    parts = [codes(c.rng, s, act) for s in shapes]
    qps = [act_qparams(c.rng, act) for _ in parts]
    sy, zy = out_qparams(np.concatenate([deq(parts[i], *qps[i]).ravel() for i in (0, 2)]), act)
    qps[1] = (sy, zy)  # an input quantized as the output: ORT may copy those codes as they are
    c.const("Y_scale", sy).const("Y_zero_point", zy)
    for i, (p, (s, z)) in enumerate(zip(parts, qps)):
        c.feed("X%d" % i, p).const("X%d_scale" % i, s).const("X%d_zero_point" % i, z)
    return c, c.model(act, np.concatenate(parts, axis=axis).shape)


def qgemm(act, variant):
    """variant "q8": 8-bit Y; "float": no y_scale, transA, alpha 0.5;
    "percol": transB with per-column b_scale."""
    c = Case("QGemm_%s_%s" % (variant, TAG[act]), "QGemm", transA=int(variant == "float"),
             transB=int(variant == "percol"), alpha=0.5 if variant == "float" else 1.0)
    m, k, n = 6, 40, 12
    a = codes(c.rng, (m, k), act)
    sa, za = act_qparams(c.rng, act)
    b, sb, zb = weights(c.rng, (k, n), np.int8, (1,) if variant == "percol" else None)
    bias = c.rng.integers(-3000, 3000, size=n).astype(np.int32)
    real = c.attrs["alpha"] * (deq(a, sa, za) @ deq(b, sb, zb) + bias * np.float64(sa) * sb)
    c.feed("A", a.T.copy() if c.attrs["transA"] else a).const("a_scale", sa).const("a_zero_point", za)
    c.const("B", b.T.copy() if c.attrs["transB"] else b).const("b_scale", sb).const("b_zero_point", zb)
    c.const("C", bias)
    if variant == "float":
        return c, c.model(np.float32, real.shape)
    sy, zy = out_qparams(real, act)
    c.const("y_scale", sy).const("y_zero_point", zy)
    return c, c.model(act, real.shape)


def float_activations(rng, shape):
    """Normal values with two outliers, so a dynamic range is set by them."""
    x = rng.normal(0, 1, size=shape).astype(np.float32)
    x.flat[0], x.flat[1] = 6.0, -4.5
    return x


def dynamic_matmul(wt):
    c = Case("DynamicQuantizeMatMul_%s" % TAG[wt], "DynamicQuantizeMatMul")
    a = float_activations(c.rng, (2, 5, 24))
    b, sb, zb = weights(c.rng, (24, 16), wt, (1,) if wt == np.int8 else None)
    bias = c.rng.normal(0, 0.5, size=16).astype(np.float32)
    c.feed("A", a).const("B", b).const("b_scale", sb).const("b_zero_point", zb).const("bias", bias)
    return c, c.model(np.float32, (2, 5, 16))


def matmul_integer_to_float(act):
    c = Case("MatMulIntegerToFloat_%s" % TAG[act], "MatMulIntegerToFloat")
    a = codes(c.rng, (3, 5, 24), act)
    sa, za = act_qparams(c.rng, act)
    b, sb, zb = weights(c.rng, (24, 16), np.int8, (1,))
    bias = c.rng.normal(0, 0.5, size=16).astype(np.float32)
    c.feed("A", a).const("B", b).const("a_scale", sa).const("b_scale", sb)
    c.const("a_zero_point", za).const("b_zero_point", zb).const("bias", bias)
    return c, c.model(np.float32, (3, 5, 16))


def dynamic_lstm(wt, direction):
    """uint8 weights per tensor, int8 per channel (ORT wants int8 zero
    points 0 and uint8 ones equal across channels)."""
    c = Case("DynamicQuantizeLSTM_%s_%s" % (direction, TAG[wt]), "DynamicQuantizeLSTM",
             hidden_size=8, direction=direction)
    seq, batch, size, hidden, nd = 5, 3, 10, 8, 2 if direction == "bidirectional" else 1
    axis = (0, 2) if wt == np.int8 else None
    w, sw, zw = weights(c.rng, (nd, size, 4 * hidden), wt, axis)
    r, sr, zr = weights(c.rng, (nd, hidden, 4 * hidden), wt, axis)
    if axis is None:  # ORT wants [num_directions] for per-tensor qparams
        sw, zw, sr, zr = (np.repeat(v.reshape(1), nd) for v in (sw, zw, sr, zr))
    c.feed("X", float_activations(c.rng, (seq, batch, size))).const("W", w).const("R", r)
    c.const("B", c.rng.normal(0, 0.1, size=(nd, 8 * hidden)).astype(np.float32))
    if direction == "bidirectional":
        c.const("sequence_lens", np.array([5, 3, 4], np.int32))
        for name in ("initial_h", "initial_c"):
            c.const(name, c.rng.normal(0, 0.5, size=(nd, batch, hidden)).astype(np.float32))
    else:
        c.omit().omit().omit()
    c.omit().const("W_scale", sw).const("W_zero_point", zw).const("R_scale", sr).const("R_zero_point", zr)
    return c, c.model(np.float32, (seq, nd, batch, hidden))


def dequantized(q, scale, zero_point):
    """DynamicQuantizeLSTM weights [nd, in, 4h] (scales per direction or per
    direction and column) as the float ONNX LSTM's [nd, 4h, in]."""
    s = scale.reshape(scale.shape[0], 1, -1)
    z = zero_point.reshape(zero_point.shape[0], 1, -1).astype(np.float64)
    return ((q.astype(np.float64) - z) * s).astype(np.float32).transpose(0, 2, 1)


def fp32_lstm(case):
    """The float ONNX LSTM with the case's weights dequantized: what both
    engines' INT8 LSTMs approximate."""
    consts = dict(case.consts)
    names = [n for n in case.names]
    w = dequantized(consts["W"], consts["W_scale"], consts["W_zero_point"])
    r = dequantized(consts["R"], consts["R_scale"], consts["R_zero_point"])
    inits = [numpy_helper.from_array(w, "W"), numpy_helper.from_array(r, "R")]
    inits += [numpy_helper.from_array(a, n) for n, a in case.consts if n in ("B", "sequence_lens", "initial_h",
                                                                          "initial_c")]
    node = helper.make_node("LSTM", names[:8], ["Y"], **case.attrs)
    x = case.feeds[0][1]
    graph = helper.make_graph([node], case.name + "_fp32",
                              [helper.make_tensor_value_info("X", onnx.TensorProto.FLOAT, list(x.shape))],
                              [helper.make_tensor_value_info("Y", onnx.TensorProto.FLOAT, None)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def cases():
    for act in (np.uint8, np.int8):
        for op in ("QLinearAdd", "QLinearMul"):
            yield qlinear_binary(op, act, (2, 8, 5, 6))
            yield qlinear_binary(op, act, (1, 8, 1, 1))
        for channels_last in (0, 1):
            yield qlinear_global_pool(act, channels_last)
        for count_include_pad in (0, 1):
            yield qlinear_avg_pool(act, count_include_pad)
        for axis in (1, -1):
            yield qlinear_concat(act, axis)
        for op in ("QLinearSigmoid", "QLinearLeakyRelu"):
            yield qlinear_lut(op, act)
        for variant in ("q8", "float", "percol"):
            yield qgemm(act, variant)
        yield dynamic_matmul(act)
        yield matmul_integer_to_float(act)
        for direction in ("forward", "bidirectional"):
            yield dynamic_lstm(act, direction)


def save_case(case, model, work):
    path = os.path.join(work, case.name + ".onnx")
    onnx.save(model, path)
    inputs = []
    for name, array in case.feeds:
        inputs.append(os.path.join(work, "%s_%s.npy" % (case.name, name)))
        np.save(inputs[-1], array)
    return path, inputs


def run_ort(path, inputs, work, name):
    """ORT's output 0, or its error message."""
    dump = os.path.join(work, name + "_ort.bin")
    proc = subprocess.run(["node", os.path.join(HERE, "ort_bench.js"), path, *inputs, "--runs", "1",
                           "--warmup", "0", "--dump", dump], capture_output=True, text=True)
    if proc.returncode != 0:
        return None, ort_error(proc)
    info = json.loads(proc.stdout.strip().splitlines()[-1])["dump"]
    dtype = {"float32": np.float32, "uint8": np.uint8, "int8": np.int8}[info["type"]]
    return np.fromfile(dump, dtype=dtype).reshape([int(d) for d in info["dims"]]), None


def run_octet(octet, path, inputs, work, name):
    """Octet's output Y, or its error message."""
    out_dir = os.path.join(work, name + "_octet")
    cmd = [octet, "run", path]
    for f in inputs:
        cmd += ["--input", f]
    proc = subprocess.run(cmd + ["--output-dir", out_dir], capture_output=True, text=True)
    if proc.returncode != 0:
        return None, (proc.stderr.strip() or proc.stdout.strip() or "exit %d" % proc.returncode)[:300]
    return np.load(os.path.join(out_dir, "Y.npy")), None


def compare(ours, theirs, lstm):
    """The differences as JSON fields, and whether they are within bounds."""
    if ours.dtype != theirs.dtype or ours.shape != theirs.shape:
        return {"mismatch": "octet %s%s, ort %s%s" % (ours.dtype, list(ours.shape), theirs.dtype,
                                                      list(theirs.shape))}, False
    if theirs.dtype != np.float32:
        diff = np.abs(ours.astype(np.int32) - theirs.astype(np.int32))
        return {"outputs": int(diff.size), "max_code_diff": int(diff.max()),
                "exact": int((diff == 0).sum())}, bool(diff.max() <= 1)
    diff = np.abs(ours.astype(np.float64) - theirs)
    span = float(theirs.max() - theirs.min()) or 1.0
    fields = {"outputs": int(diff.size), "max_abs_diff": float(diff.max()), "max_diff_over_range":
              float(diff.max() / span)}
    if lstm:
        return fields, True  # judged against FP32 by against_fp32
    bound = 1e-4 * float(np.abs(theirs).max()) + 1e-6
    return dict(fields, bound=bound), bool(diff.max() <= bound)


def run_case(case, model, octet, work):
    path, inputs = save_case(case, model, work)
    theirs, ort_err = run_ort(path, inputs, work, case.name)
    ours, octet_err = run_octet(octet, path, inputs, work, case.name)
    result = {"case": case.name, "ort": "refused: " + ort_err if ort_err else "ran",
              "octet": "failed: " + octet_err if octet_err else "ran"}
    if octet_err:
        return result, False, bool(ort_err)
    if ort_err:
        return result, True, True
    lstm = case.op == "DynamicQuantizeLSTM"
    fields, ok = compare(ours, theirs, lstm)
    if lstm:
        fields, ok = against_fp32(case, ours, theirs, octet, work, fields)
    result.update(fields, agrees=ok)
    return result, ok, False


def against_fp32(case, ours, theirs, octet, work, fields):
    """The LSTM's engines quantize differently (ONNX Runtime: one scale for
    all of X and one per step for h; Octet: one per row of each), so their
    outputs differ by more than a code. Each is measured against the float
    LSTM instead; Octet agrees when its error is at most ORT's."""
    path = os.path.join(work, case.name + "_fp32.onnx")
    onnx.save(fp32_lstm(case), path)
    fp32, err = run_ort(path, [os.path.join(work, "%s_X.npy" % case.name)], work, case.name + "_fp32")
    if err:
        return dict(fields, fp32="failed: " + err), False
    ours_err, theirs_err = (float(np.abs(v.astype(np.float64) - fp32).max()) for v in (ours, theirs))
    fields = dict(fields, octet_vs_fp32=ours_err, ort_vs_fp32=theirs_err)
    return fields, ours_err <= theirs_err


def main():
    args = ort_script_args(__doc__, "octet_contrib_ops_")
    work = args.work
    total = failed = refused = 0
    for case, model in cases():
        result, ok, ort_refused = run_case(case, model, args.octet, work)
        total, failed, refused = total + 1, failed + (not ok), refused + ort_refused
        print(json.dumps(result), flush=True)
    print(json.dumps({"cases": total, "ort_refused": refused, "cases_differing": failed, "work": work}))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
