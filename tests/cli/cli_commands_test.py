#!/usr/bin/python3
"""End-to-end checks of the `octet` command line: inspect, run, onnx-test,
exit codes. The model is encoded here byte by byte (protobuf wire format,
standard library and NumPy only), and expected values come from NumPy.

usage: cli_commands_test.py OCTET"""
import os
import re
import shutil
import struct
import sys
import tempfile

import numpy as np

import cli_util
from cli_util import check, finish


# --- protobuf encoding of the few ONNX messages needed ---------------------

def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def field_bytes(number, data):
    if isinstance(data, str):
        data = data.encode()
    return varint(number << 3 | 2) + varint(len(data)) + data


ONNX_TYPE = {np.dtype(np.float32): 1, np.dtype(np.uint8): 2, np.dtype(np.int8): 3, np.dtype(np.int32): 6,
             np.dtype(np.int64): 7}


def tensor_proto(arr, name=""):
    out = b"".join(field_varint(1, d) for d in arr.shape)
    out += field_varint(2, ONNX_TYPE[arr.dtype])
    if name:
        out += field_bytes(8, name)
    return out + field_bytes(9, np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes())


def value_info(name, elem_type, dims):
    shape = b"".join(field_bytes(1, field_bytes(2, d) if isinstance(d, str) else field_varint(1, d)) for d in dims)
    tensor_type = field_varint(1, elem_type) + field_bytes(2, shape)
    return field_bytes(1, name) + field_bytes(2, field_bytes(1, tensor_type))


def node(op, inputs, outputs, name):
    return (b"".join(field_bytes(1, i) for i in inputs) + b"".join(field_bytes(2, o) for o in outputs) +
            field_bytes(3, name) + field_bytes(4, op))


def model(nodes, initializers, inputs, outputs, opset=13):
    graph = b"".join(field_bytes(1, n) for n in nodes) + field_bytes(2, "cli_test_graph")
    graph += b"".join(field_bytes(5, t) for t in initializers)
    graph += b"".join(field_bytes(11, v) for v in inputs) + b"".join(field_bytes(12, v) for v in outputs)
    return (field_varint(1, 7) + field_bytes(2, "octet-cli-test") + field_bytes(3, "1.0") + field_bytes(7, graph) +
            field_bytes(8, field_varint(2, opset)))


# y = x @ W + b, written to an output named to escape its directory;
# z = Relu(y), to an output named like a hidden file.
W = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], np.float32)
B = np.array([0.1, -0.2, 0.3], np.float32)
Y_NAME, Z_NAME = "../escape/y", ".z"


def linear_relu_model():
    return model(
        [node("MatMul", ["x", "W"], ["xw"], "mm"), node("Add", ["xw", "b"], [Y_NAME], "add"),
         node("Relu", [Y_NAME], [Z_NAME], "relu")],
        [tensor_proto(W, "W"), tensor_proto(B, "b")],
        [value_info("x", 1, ["N", 2])],
        [value_info(Y_NAME, 1, ["N", 3]), value_info(Z_NAME, 1, ["N", 3])])


def expected(x):
    y = x @ W + B
    return y, np.maximum(y, 0)


# --- the checks --------------------------------------------------------------

def octet(binary, *args):
    return cli_util.octet(binary, *args, timeout=60)


def test_help_and_version(binary):
    p = octet(binary, "--version")
    check(p.returncode == 0 and re.fullmatch(r"octet \d+\.\d+\.\d+\n", p.stdout), "--version: %r" % p.stdout)
    p = octet(binary, "--help")
    check(p.returncode == 0 and all(c in p.stdout for c in ("inspect", "run", "onnx-test")), "--help")
    for cmd in ("inspect", "run", "onnx-test"):
        p = octet(binary, cmd, "--help")
        check(p.returncode == 0 and p.stdout.startswith("usage: octet " + cmd), cmd + " --help")


def test_inspect(binary, model_path):
    p = octet(binary, "inspect", model_path)
    if not check(p.returncode == 0, "inspect failed: " + p.stderr):
        return
    out = p.stdout
    check("producer: octet-cli-test" in out, "inspect: producer\n" + out)
    check(re.search(r"opset:\s+13\n", out), "inspect: opset\n" + out)
    check(re.search(r"\n  x\s+float32\s+\[N, 2\]\n", out), "inspect: input with symbolic dim\n" + out)
    check(re.search(r"\n  \.\./escape/y\s+float32\s+\[N, 3\]\n", out), "inspect: output\n" + out)
    for op in ("MatMul", "Add", "Relu"):
        check(re.search(r"\n  %s\s+1\n" % op, out), "inspect: count of " + op + "\n" + out)
    # W has 6 elements, b 3: 9 floats, 36 bytes.
    check(re.search(r"parameters: 9 in 2 initializers, 36 bytes", out), "inspect: parameters\n" + out)


def test_run(binary, model_path, work):
    x = np.array([[1.0, 2.0], [-3.0, 0.5], [0.0, -1.0]], np.float32)
    np.save(os.path.join(work, "x.npy"), x)
    out_dir = os.path.join(work, "new", "dir")
    p = octet(binary, "run", model_path, "--input", "x=" + os.path.join(work, "x.npy"), "--output-dir", out_dir)
    if not check(p.returncode == 0, "run failed: " + p.stderr):
        return
    y_file, z_file = os.path.join(out_dir, "%2E.%2Fescape%2Fy.npy"), os.path.join(out_dir, "%2Ez.npy")
    check(sorted(os.listdir(out_dir)) == sorted(map(os.path.basename, (y_file, z_file))),
          "run wrote %s" % os.listdir(out_dir))
    check(not os.path.exists(os.path.join(work, "new", "escape")), "an output escaped its directory")
    check(y_file in p.stdout and z_file in p.stdout, "run did not say what it wrote: " + p.stdout)
    y, z = expected(x)
    for path, want in ((y_file, y), (z_file, z)):
        if os.path.exists(path):
            got = np.load(path)
            check(got.dtype == np.float32 and got.shape == want.shape and np.allclose(got, want, rtol=1e-6, atol=1e-6),
                  "%s: got %r, want %r" % (path, got, want))
    # Positional input, another batch size (the model is planned again).
    x1 = np.array([[4.0, -4.0]], np.float32)
    np.save(os.path.join(work, "x1.npy"), x1)
    p = octet(binary, "run", model_path, "-i", os.path.join(work, "x1.npy"), "-o", out_dir)
    if check(p.returncode == 0, "positional run failed: " + p.stderr):
        check(np.allclose(np.load(z_file), expected(x1)[1], atol=1e-6), "positional run values")


def test_run_errors(binary, model_path, work):
    np.save(os.path.join(work, "x_bad.npy"), np.zeros((2, 5), np.float32))
    np.save(os.path.join(work, "x_f64.npy"), np.zeros((2, 2), np.float64))
    cases = [
        (["run", model_path, "--input", os.path.join(work, "x_bad.npy"), "-o", work + "/e1"], 1, "shape"),
        (["run", model_path, "--input", os.path.join(work, "x_f64.npy"), "-o", work + "/e2"], 1, "<f8"),
        (["run", model_path, "-o", work + "/e3"], 2, "no file given for input 'x'"),
        (["run", model_path, "--input", "y=" + os.path.join(work, "x.npy")], 2, "no input named 'y'"),
        (["run", model_path, "--input", os.path.join(work, "x.npy"), "--input", os.path.join(work, "x.npy")], 2,
         "inputs given"),
        (["run", model_path, "-i", os.path.join(work, "x.npy"), "-o", os.path.join(work, "x.npy")], 1,
         "output path %s is not a directory" % os.path.join(work, "x.npy")),
        (["run", model_path, "-i", os.path.join(work, "x.npy"), "-o", os.path.join(work, "x.npy", "sub")], 1,
         "cannot create directory %s" % os.path.join(work, "x.npy", "sub")),
        (["run", model_path, "--nope"], 2, "unknown option"),
        (["inspect"], 2, "exactly one MODEL"),
        (["bogus"], 2, "unknown command"),
        ([], 2, "no command"),
    ]
    for argv, code, text in cases:
        p = octet(binary, *argv)
        check(p.returncode == code and text in p.stderr,
              "octet %s: exit %d (want %d), stderr %r (want %r)" % (" ".join(argv), p.returncode, code, p.stderr, text))
    for d in ("e1", "e2", "e3"):
        check(not os.path.exists(os.path.join(work, d)) or not os.listdir(os.path.join(work, d)),
              "a failed run left files in " + d)


def write_case(root, name, x, outputs):
    case = os.path.join(root, name)
    data_set = os.path.join(case, "test_data_set_0")
    os.makedirs(data_set)
    with open(os.path.join(case, "model.onnx"), "wb") as f:
        f.write(linear_relu_model())
    with open(os.path.join(data_set, "input_0.pb"), "wb") as f:
        f.write(tensor_proto(x, "x"))
    for i, arr in enumerate(outputs):
        with open(os.path.join(data_set, "output_%d.pb" % i), "wb") as f:
            f.write(tensor_proto(arr))
    return case


def test_onnx_test(binary, work):
    root = os.path.join(work, "cases")
    x = np.array([[1.0, 2.0], [-3.0, 0.5]], np.float32)
    y, z = expected(x)
    inside = y * np.float32(1 + 0.5e-3)   # within rtol 1e-3
    outside = y.copy()
    outside[1, 2] = y[1, 2] * np.float32(1 + 3e-3) + np.float32(1e-3)  # 3e-3 relative: beyond rtol
    cases = [
        write_case(root, "test_exact", x, [y, z]),
        write_case(root, "test_within_tolerance", x, [inside, z]),
        write_case(root, "test_beyond_tolerance", x, [outside, z]),
        write_case(root, "test_wrong_shape", x, [y, z[:1]]),
        write_case(root, "test_wrong_dtype", x, [y, z.astype(np.int32)]),
        write_case(root, "test_too_few_outputs", x, [y]),
    ]
    broken = os.path.join(root, "test_broken_model")
    shutil.copytree(cases[0], broken)
    with open(os.path.join(broken, "model.onnx"), "wb") as f:
        f.write(b"\x0a\xff\xff")
    p = octet(binary, "onnx-test", *cases, broken, os.path.join(root, "test_missing"))
    lines = p.stdout.splitlines()
    check(p.returncode == 1, "onnx-test exit %d" % p.returncode)
    check(lines and lines[-1] == "2 passed, 6 failed", "onnx-test summary: %r" % lines[-1:])
    fails = [l for l in lines if l.startswith("FAIL ")]
    check(len(fails) == 6, "onnx-test failure lines:\n" + p.stdout)
    want_value = "expected %.9g, got %.9g" % (outside[1, 2], y[1, 2])
    check(any(l.startswith("FAIL test_beyond_tolerance test_data_set_0 output '../escape/y'") and "[1, 2]" in l
              and want_value in l for l in fails), "beyond-tolerance line, want %r:\n%s" % (want_value, p.stdout))
    check(any("test_wrong_shape" in l and "shape [2, 3], expected [1, 3]" in l for l in fails), "shape line")
    check(any("test_wrong_dtype" in l and "dtype float32, expected int32" in l for l in fails), "dtype line")
    check(any("test_too_few_outputs" in l and "2 outputs" in l for l in fails), "output count line")
    p = octet(binary, "onnx-test", *cases[:2])
    check(p.returncode == 0 and p.stdout == "2 passed, 0 failed\n", "passing onnx-test: %r" % p.stdout)
    # A case named with trailing '/' and '/.' is still called by its directory's name.
    p = octet(binary, "onnx-test", "--verbose", cases[0] + "/", cases[1] + "/./")
    check(p.stdout == "ok   test_exact\nok   test_within_tolerance\n2 passed, 0 failed\n",
          "onnx-test names: %r" % p.stdout)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    work = tempfile.mkdtemp(prefix="octet_cli_test_")
    try:
        model_path = os.path.join(work, "linear_relu.onnx")
        with open(model_path, "wb") as f:
            f.write(linear_relu_model())
        test_help_and_version(binary)
        test_inspect(binary, model_path)
        test_run(binary, model_path, work)
        test_run_errors(binary, model_path, work)
        test_onnx_test(binary, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
