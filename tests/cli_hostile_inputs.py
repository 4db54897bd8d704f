#!/usr/bin/python3
"""Feeds `octet inspect` and `octet run` damaged models and .npy files:
truncated, bit-flipped and random bytes. The CLI must answer each with exit
status 0, 1 or 2 (0 only where the damage may leave a valid file), a message
on stderr when it fails, and never a signal or a hang.

usage: cli_hostile_inputs.py OCTET NODE_TEST_DIR [MODEL_DIR]

NODE_TEST_DIR is the generated ONNX backend node tests (<build>/onnx_node_tests/node);
MODEL_DIR (tests/data) adds its *.onnx files when it has any. Standard library
and NumPy only: the few protobuf fields needed are decoded here."""
import os
import random
import shutil
import subprocess
import sys
import tempfile

import numpy as np

# Node tests whose models cover initializer-free graphs of several shapes:
# convolution with attributes, a recurrent op with several inputs and outputs,
# and constant-driven shape ops.
NODE_MODELS = ("test_conv_with_strides_padding", "test_lstm_defaults", "test_gemm_all_attributes",
               "test_reshape_negative_dim", "test_slice")
TIMEOUT_S = 30
RNG = random.Random(20240607)

failures = []
runs = 0


def varint(buf, pos):
    value, shift = 0, 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ValueError("bad varint")
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, pos


def fields(buf):
    """(field number, wire type, value, end offset) of each top-level field."""
    pos = 0
    while pos < len(buf):
        key, pos = varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 2:
            n, pos = varint(buf, pos)
            value, pos = buf[pos:pos + n], pos + n
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError("unsupported wire type %d" % wire)
        if pos > len(buf):
            raise ValueError("field runs past the end")
        yield number, wire, value, pos


def packed_varints(data):
    out, pos = [], 0
    while pos < len(data):
        v, pos = varint(data, pos)
        out.append(v)
    return out


ONNX_DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 6: np.int32, 7: np.int64, 9: np.bool_, 11: np.float64}


def tensor_proto_to_numpy(buf):
    """Enough of onnx.TensorProto for the backend test inputs."""
    dims, dtype, raw, floats, ints = [], None, None, [], []
    for number, wire, value, _ in fields(buf):
        if number == 1:
            dims += packed_varints(value) if wire == 2 else [value]
        elif number == 2:
            dtype = ONNX_DTYPES[value]
        elif number == 9:
            raw = value
        elif number == 4:
            floats += list(np.frombuffer(value, "<f4")) if wire == 2 else [np.frombuffer(value, "<f4")[0]]
        elif number in (5, 7):
            vals = packed_varints(value) if wire == 2 else [value]
            ints += [v - (1 << 64) if v >= 1 << 63 else v for v in vals]
    if raw is not None:
        arr = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<"))
    else:
        arr = np.array(floats if dtype in (np.float32, np.float64) else ints, dtype=dtype)
    return arr.reshape(dims)


def top_level_boundaries(buf):
    """Offsets where a cut leaves a well-formed (if incomplete) message."""
    ends = {0}
    try:
        for *_, end in fields(buf):
            ends.add(end)
    except (ValueError, IndexError):
        pass
    return ends


def run(argv, label, allow_ok):
    global runs
    runs += 1
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        failures.append("%s: hung for %d s" % (label, TIMEOUT_S))
        return
    allowed = (0, 1, 2) if allow_ok else (1, 2)
    if p.returncode not in allowed:
        what = "killed by signal %d" % -p.returncode if p.returncode < 0 else "exit %d" % p.returncode
        failures.append("%s: %s, expected one of %s" % (label, what, allowed))
    elif p.returncode != 0 and not p.stderr.strip():
        failures.append("%s: exit %d with nothing on stderr" % (label, p.returncode))


def truncations(data):
    cuts = {0, 1, 2, 5, 9, len(data) // 4, len(data) // 2, len(data) - 1}
    cuts |= {RNG.randrange(len(data)) for _ in range(6)}
    return sorted(c for c in cuts if 0 <= c < len(data))


def bit_flips(data, count=24):
    for _ in range(count):
        out = bytearray(data)
        i = RNG.randrange(len(out))
        out[i] ^= 1 << RNG.randrange(8)
        yield i, bytes(out)


def random_bytes():
    for n in (1, 7, 64, 1000, 70000):
        yield n, bytes(RNG.randrange(256) for _ in range(n))


def check_model(octet, model, inputs, work):
    data = open(model, "rb").read()
    name = os.path.basename(os.path.dirname(model)) if model.endswith("/model.onnx") else os.path.basename(model)
    out_dir = os.path.join(work, "out")
    bad = os.path.join(work, "bad.onnx")

    def both(label, allow_ok):
        run([octet, "inspect", bad], "inspect " + label, allow_ok)
        run([octet, "run", bad, "--input", *inputs, "--output-dir", out_dir], "run " + label, allow_ok)

    boundaries = top_level_boundaries(data)
    for cut in truncations(data):
        open(bad, "wb").write(data[:cut])
        # A cut between top-level fields leaves a parseable message that may
        # still be a usable model (say without its doc string).
        both("%s truncated to %d bytes" % (name, cut), allow_ok=cut in boundaries and cut > 0)
    for i, flipped in bit_flips(data):
        open(bad, "wb").write(flipped)
        both("%s with a bit flipped at byte %d" % (name, i), allow_ok=True)
    for n, junk in random_bytes():
        open(bad, "wb").write(junk)
        both("%s replaced by %d random bytes" % (name, n), allow_ok=False)


def check_quantized_model(octet, work):
    """The bundled digits CNN quantized by `octet quantize`: an INT8 .octet
    whose damaged qparams, codes and contrib-op attributes reach the INT8
    ops. A truncated .octet is never valid; a flipped bit may be."""
    bundled = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "bundled")
    model = os.path.join(work, "digits_int8.octet")
    subprocess.run([octet, "quantize", os.path.join(bundled, "digits_cnn.onnx"), "--calib",
                    os.path.join(bundled, "digits_calib.npy"), "-o", model], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=TIMEOUT_S)
    inputs = [os.path.join(bundled, "digits_input.npy")]
    data = open(model, "rb").read()
    out_dir = os.path.join(work, "out")
    bad = os.path.join(work, "bad.octet")

    def both(label, allow_ok):
        run([octet, "inspect", bad], "inspect " + label, allow_ok)
        run([octet, "run", bad, "--input", *inputs, "--output-dir", out_dir], "run " + label, allow_ok)

    for cut in truncations(data):
        open(bad, "wb").write(data[:cut])
        both("INT8 .octet truncated to %d bytes" % cut, allow_ok=False)
    for i, flipped in bit_flips(data, 150):
        open(bad, "wb").write(flipped)
        both("INT8 .octet with a bit flipped at byte %d" % i, allow_ok=True)


def check_npy(octet, model, inputs, work):
    """Damages the first input of a valid model run."""
    data = open(inputs[0], "rb").read()
    out_dir = os.path.join(work, "out")
    bad = os.path.join(work, "bad.npy")

    def run_with(label, allow_ok):
        run([octet, "run", model, "--input", bad, *inputs[1:], "--output-dir", out_dir], label, allow_ok)

    for cut in truncations(data):
        open(bad, "wb").write(data[:cut])
        run_with(".npy truncated to %d bytes" % cut, allow_ok=False)
    for i, flipped in bit_flips(data, 40):
        open(bad, "wb").write(flipped)
        run_with(".npy with a bit flipped at byte %d" % i, allow_ok=True)
    for n, junk in random_bytes():
        open(bad, "wb").write(junk)
        run_with(".npy replaced by %d random bytes" % n, allow_ok=False)
    for dtype in (">f4", "<f8", "<f2"):
        np.save(bad, np.zeros(3, dtype=dtype))
        run_with(".npy of dtype %s" % dtype, allow_ok=False)
    np.save(bad, np.asfortranarray(np.zeros((2, 3), np.float32)))
    run_with("Fortran-order .npy", allow_ok=False)
    with open(bad, "wb") as f:  # the header promises 2^40 floats
        f.write(b"\x93NUMPY\x01\x00\x46\x00{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776,), }\n")
    run_with(".npy claiming 4 TB", allow_ok=False)


def check_command_line(octet, model, inputs, work):
    usage = [[], ["frobnicate"], ["inspect"], ["inspect", model, model], ["run"], ["run", model, "--bogus"],
             ["run", model, "--output-dir"], ["run", model, "--input", "nosuchinput=" + inputs[0]], ["onnx-test"],
             ["run", model, "--input", *inputs, inputs[0]]]
    for argv in usage:
        p = subprocess.run([octet, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT_S)
        if p.returncode != 2 or not p.stderr.strip():
            failures.append("octet %s: exit %d, expected 2 with a message" % (" ".join(argv), p.returncode))
    errors = [["inspect", os.path.join(work, "missing.onnx")], ["inspect", work], ["inspect", "/dev/null"],
              ["run", model, "--input", os.path.join(work, "missing.npy")]]
    for argv in errors:
        run([octet, *argv], "octet " + " ".join(argv), allow_ok=False)
    # An output directory that cannot be made: a regular file is in the way.
    blocker = os.path.join(work, "blocker")
    open(blocker, "w").close()
    run([octet, "run", model, "--input", *inputs, "--output-dir", os.path.join(blocker, "sub")],
        "run with an impossible output directory", allow_ok=False)


def prepare_inputs(test_dir, work):
    paths = []
    data_set = os.path.join(test_dir, "test_data_set_0")
    i = 0
    while os.path.exists(os.path.join(data_set, "input_%d.pb" % i)):
        arr = tensor_proto_to_numpy(open(os.path.join(data_set, "input_%d.pb" % i), "rb").read())
        paths.append(os.path.join(work, "input_%d.npy" % i))
        np.save(paths[-1], arr)
        i += 1
    return paths


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    octet, node_dir = sys.argv[1], sys.argv[2]
    model_dir = sys.argv[3] if len(sys.argv) == 4 else None
    work = tempfile.mkdtemp(prefix="octet_hostile_")
    try:
        cases = [os.path.join(node_dir, t) for t in NODE_MODELS]
        for case in cases:
            inputs = prepare_inputs(case, work)
            check_model(octet, os.path.join(case, "model.onnx"), inputs, work)
        check_quantized_model(octet, work)
        first = cases[0]
        inputs = prepare_inputs(first, work)
        check_npy(octet, os.path.join(first, "model.onnx"), inputs, work)
        check_command_line(octet, os.path.join(first, "model.onnx"), inputs, work)
        if model_dir and os.path.isdir(model_dir):
            for f in sorted(os.listdir(model_dir)):
                if f.endswith(".onnx"):
                    # No inputs at hand for these: `run` stops at the model or
                    # at the missing input, both must be clean errors.
                    check_model(octet, os.path.join(model_dir, f), [inputs[0]], work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("FAIL", f)
    print("%d runs, %d problems" % (runs, len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
