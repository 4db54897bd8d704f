#!/usr/bin/python3
"""Generates node tests (model.onnx + test_data_set_0/, the ONNX backend
test layout `octet onnx-test` reads) for every 8-bit type pairing of the
integer ops:

    QLinearConv, QLinearMatMul     x/a u8|s8, w/b u8|s8, y u8|s8
    ConvInteger, MatMulInteger     x/a u8|s8, w/b u8|s8
    com.microsoft MatMulIntegerToFloat   a u8|s8, b u8|s8

    gen_qop_pairing_tests.py OUT_DIR

Each pairing comes twice: with the weight as an initializer whose zero
point is one the INT8 kernels take exactly (int8 0, uint8 128, per tensor),
so the session runs the prepared INT8 op, and with the weight as a graph
input and arbitrary per-channel zero points, so it runs the scalar
reference op (scales are per channel in both). The expected outputs are computed here in NumPy
int64 with Octet's requantization (DESIGN.md: float32 multiplier
(x_scale * w_scale) / y_scale, float32 product, round half to even, plus the
zero point, saturate). The first row / image of A holds its type's extreme
and the first output channel of B its own, so 255 and -128 meet -128 and
255 in every pairing."""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

RNG = np.random.default_rng(8128)
F32 = np.float32
TYPES = {"u8": np.uint8, "s8": np.int8}
ONNX_TYPES = {np.uint8: onnx.TensorProto.UINT8, np.int8: onnx.TensorProto.INT8, np.int32: onnx.TensorProto.INT32,
              np.float32: onnx.TensorProto.FLOAT}

# Conv: x [2, 5, 7, 6], w [6, 5, 3, 3], strides (2, 1), pads (1, 0, 1, 2).
CONV_X, CONV_W = (2, 5, 7, 6), (6, 5, 3, 3)
CONV_ATTRS = {"strides": [2, 1], "pads": [1, 0, 1, 2]}
# MatMul: a [2, 3, 37] (batched) times b [37, 9].
MM_A, MM_B = (2, 3, 37), (37, 9)


def extreme(t, high):
    info = np.iinfo(t)
    return info.max if high else info.min


def activation(t, shape):
    """Random over the full range; the first image / row at the extreme
    farthest from the zero point chosen below."""
    info = np.iinfo(t)
    a = RNG.integers(info.min, info.max + 1, size=shape).astype(t)
    a.reshape(shape[0], -1)[0] = extreme(t, t == np.uint8)
    return a


def activation_zero_point(t):
    return t(2) if t == np.uint8 else t(120)


def weights(t, shape, channel_axis):
    info = np.iinfo(t)
    w = RNG.integers(info.min, info.max + 1, size=shape).astype(t)
    np.moveaxis(w, channel_axis, 0)[0] = extreme(t, t == np.uint8)
    return w


def weight_zero_points(t, channels, kernel_exact):
    """Per tensor and one the kernels take exactly, or random per channel."""
    if kernel_exact:
        return np.array(128 if t == np.uint8 else 0, dtype=t)
    info = np.iinfo(t)
    return RNG.integers(info.min, info.max + 1, size=channels).astype(t)


def conv_acc(x, x_zp, w, w_zp):
    """int64 convolution of (x - x_zp) and (w - w_zp[m]) with CONV_ATTRS."""
    n, c, h, wd = x.shape
    m, _, kh, kw = w.shape
    (sh, sw), (pt, pl, pb, pr) = CONV_ATTRS["strides"], CONV_ATTRS["pads"]
    xi = np.pad(x.astype(np.int64) - int(x_zp), ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    wi = w.astype(np.int64) - w_zp.astype(np.int64).reshape(-1, 1, 1, 1)
    oh, ow = (h + pt + pb - kh) // sh + 1, (wd + pl + pr - kw) // sw + 1
    acc = np.zeros((n, m, oh, ow), dtype=np.int64)
    for i in range(kh):
        for j in range(kw):
            patch = xi[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
            acc += np.einsum("nchw,mc->nmhw", patch, wi[:, :, i, j])
    return acc


def matmul_acc(a, a_zp, b, b_zp):
    return (a.astype(np.int64) - int(a_zp)) @ (b.astype(np.int64) - b_zp.astype(np.int64))


def requantize(acc, x_scale, w_scale, y_scale, y_zp, y_type, channel_axis):
    """Octet's requantization, channel by channel along channel_axis."""
    shape = [1] * acc.ndim
    shape[channel_axis] = -1
    mult = ((F32(x_scale) * w_scale.astype(F32)) / F32(y_scale)).astype(F32).reshape(shape)
    assert np.all(np.abs(acc) < 2 ** 24), "accumulators must convert to float32 exactly"
    scaled = acc.astype(F32) * mult
    info = np.iinfo(y_type)
    return np.clip(np.rint(scaled) + F32(y_zp), info.min, info.max).astype(y_type)


def output_qparams(real, y_type):
    """A y_scale that puts the bulk of the outputs in range and saturates
    the extreme rows; a zero point off centre."""
    y_scale = F32(np.percentile(np.abs(real), 90) / 100.0)
    return y_scale, y_type(-5) if y_type == np.int8 else y_type(133)


class Case:
    def __init__(self, name, op, domain=""):
        self.name, self.op, self.domain = name, op, domain
        self.node_inputs, self.graph_inputs, self.inits, self.feeds = [], [], [], []
        self.attrs = {}

    def add(self, name, array, runtime=False):
        array = np.asarray(array)
        self.node_inputs.append(name)
        if runtime:
            self.graph_inputs.append(helper.make_tensor_value_info(name, ONNX_TYPES[array.dtype.type], array.shape))
            self.feeds.append(array)
        else:
            self.inits.append(numpy_helper.from_array(array, name))

    def write(self, root, expected):
        node = helper.make_node(self.op, self.node_inputs, ["y"], domain=self.domain, **self.attrs)
        out = helper.make_tensor_value_info("y", ONNX_TYPES[expected.dtype.type], expected.shape)
        graph = helper.make_graph([node], self.name, self.graph_inputs, [out], self.inits)
        opsets = [helper.make_opsetid("", 13)] + ([helper.make_opsetid(self.domain, 1)] if self.domain else [])
        model = helper.make_model(graph, opset_imports=opsets)
        onnx.checker.check_model(model)
        case_dir = os.path.join(root, self.name)
        data_dir = os.path.join(case_dir, "test_data_set_0")
        os.makedirs(data_dir, exist_ok=True)
        onnx.save(model, os.path.join(case_dir, "model.onnx"))
        for i, (vi, array) in enumerate(zip(self.graph_inputs, self.feeds)):
            with open(os.path.join(data_dir, "input_%d.pb" % i), "wb") as f:
                f.write(numpy_helper.from_array(array, vi.name).SerializeToString())
        with open(os.path.join(data_dir, "output_0.pb"), "wb") as f:
            f.write(numpy_helper.from_array(expected, "y").SerializeToString())


def conv_case(root, qlinear, xt, wt, yt, exact):
    x, w = activation(xt, CONV_X), weights(wt, CONV_W, 0)
    x_zp, w_zp = activation_zero_point(xt), weight_zero_points(wt, CONV_W[0], exact)
    acc = conv_acc(x, x_zp, w, w_zp)
    op = "QLinearConv" if qlinear else "ConvInteger"
    c = Case(case_name(op, xt, wt, yt, exact), op)
    c.attrs = CONV_ATTRS
    if not qlinear:
        for name, v, runtime in (("x", x, True), ("w", w, not exact), ("x_zp", x_zp, False), ("w_zp", w_zp, False)):
            c.add(name, v, runtime)
        return c.write(root, acc.astype(np.int32))
    x_scale, w_scale = F32(0.02), RNG.uniform(0.002, 0.01, CONV_W[0]).astype(F32)
    bias = RNG.integers(-5000, 5001, CONV_W[0]).astype(np.int32)
    acc += bias[None, :, None, None]
    y_scale, y_zp = output_qparams(acc * (x_scale * w_scale[None, :, None, None]), yt)
    for name, v, runtime in (("x", x, True), ("x_scale", x_scale, False), ("x_zp", x_zp, False),
                             ("w", w, not exact), ("w_scale", w_scale, False), ("w_zp", w_zp, False),
                             ("y_scale", y_scale, False), ("y_zp", y_zp, False), ("bias", bias, False)):
        c.add(name, v, runtime)
    c.write(root, requantize(acc, x_scale, w_scale, y_scale, y_zp, yt, 1))


def matmul_case(root, op, at, bt, yt, exact):
    a, b = activation(at, MM_A), weights(bt, MM_B, 1)
    a_zp, b_zp = activation_zero_point(at), weight_zero_points(bt, MM_B[1], exact)
    acc = matmul_acc(a, a_zp, b, b_zp)
    a_scale, b_scale = F32(0.03), RNG.uniform(0.001, 0.02, MM_B[1]).astype(F32)
    domain = "com.microsoft" if op == "MatMulIntegerToFloat" else ""
    c = Case(case_name(op, at, bt, yt, exact), op, domain)
    if op == "MatMulInteger":
        for name, v, runtime in (("a", a, True), ("b", b, not exact), ("a_zp", a_zp, False), ("b_zp", b_zp, False)):
            c.add(name, v, runtime)
        return c.write(root, acc.astype(np.int32))
    if op == "MatMulIntegerToFloat":
        bias = RNG.uniform(-1, 1, MM_B[1]).astype(F32)
        for name, v, runtime in (("a", a, True), ("b", b, not exact), ("a_scale", a_scale, False),
                                 ("b_scale", b_scale, False), ("a_zp", a_zp, False), ("b_zp", b_zp, False),
                                 ("bias", bias, False)):
            c.add(name, v, runtime)
        # ONNX Runtime's order: float(acc) * (a_scale * b_scale), then + bias.
        return c.write(root, (acc.astype(F32) * (a_scale * b_scale)).astype(F32) + bias)
    y_scale, y_zp = output_qparams(acc * (a_scale * b_scale), yt)
    for name, v, runtime in (("a", a, True), ("a_scale", a_scale, False), ("a_zp", a_zp, False),
                             ("b", b, not exact), ("b_scale", b_scale, False), ("b_zp", b_zp, False),
                             ("y_scale", y_scale, False), ("y_zp", y_zp, False)):
        c.add(name, v, runtime)
    c.write(root, requantize(acc, a_scale, b_scale, y_scale, y_zp, yt, acc.ndim - 1))


def short(t):
    return "u8" if t == np.uint8 else "s8"


def case_name(op, at, bt, yt, exact):
    y = "_y" + short(yt) if yt is not None else ""
    return "test_octet_%s_%s%s%s_%s" % (op.lower(), short(at), short(bt), y, "const_w" if exact else "input_w")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_qop_pairing_tests.py OUT_DIR")
    root = sys.argv[1]
    count = 0
    for at in TYPES.values():
        for bt in TYPES.values():
            for exact in (True, False):
                for yt in TYPES.values():
                    conv_case(root, True, at, bt, yt, exact)
                    matmul_case(root, "QLinearMatMul", at, bt, yt, exact)
                    count += 2
                conv_case(root, False, at, bt, None, exact)
                matmul_case(root, "MatMulInteger", at, bt, None, exact)
                matmul_case(root, "MatMulIntegerToFloat", at, bt, None, exact)
                count += 3
    print("gen_qop_pairing_tests: %d node tests in %s" % (count, root))


if __name__ == "__main__":
    main()
