#!/usr/bin/python3
"""The same .octet file gives the same output bytes on x86 and on aarch64.

Quantizes the bundled models with the native (x86) octet: the digits CNN
statically from its calibration set, the sunspots LSTM dynamically. Then
runs each .octet on its bundled test inputs at every kernel level the
native CPU has (OCTET_ISA=ref, avx2, ...) and at every ARM level through
the emulated build (ref, neon, neondot under qemu-aarch64 -cpu max), and
requires byte-identical output .npy files from all of them.

usage: cross_arch_outputs.py --native OCTET --emulated OCTET_EMULATED --work DIR"""
import argparse
import filecmp
import hashlib
import os
import sys

from cli_util import check, finish, octet

BUNDLED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "bundled")
X86_LEVELS = ["ref", "avx2", "avx512vnni", "amx"]
ARM_LEVELS = ["ref", "neon", "neondot"]
# model name -> (ONNX file, quantize options, test input)
MODELS = {
    "digits": ("digits_cnn.onnx", ["--calib", os.path.join(BUNDLED, "digits_calib.npy")], "digits_test_x.npy"),
    "sunspots": ("sunspots_lstm.onnx", ["--mode", "dynamic"], "sunspots_test_x.npy"),
}


def run_level(binary, level, model, inputs, out_dir):
    """The output files of `binary run` at OCTET_ISA=level, or None when the
    CPU lacks the level (the session says so)."""
    os.environ["OCTET_ISA"] = level
    try:
        p = octet(binary, "run", model, "--input", inputs, "--output-dir", out_dir, timeout=600)
    finally:
        del os.environ["OCTET_ISA"]
    if p.returncode != 0 and "cannot run that level" in p.stderr:
        return None
    if not check(p.returncode == 0, "run %s at %s: exit %d: %s" % (model, level, p.returncode, p.stderr)):
        return None
    return sorted(os.path.join(out_dir, f) for f in os.listdir(out_dir))


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def check_model(args, name):
    onnx_file, options, inputs = MODELS[name]
    model = os.path.join(args.work, name + ".octet")
    p = octet(args.native, "quantize", os.path.join(BUNDLED, onnx_file), *options, "-o", model, timeout=600)
    if not check(p.returncode == 0, "quantize %s: exit %d: %s" % (name, p.returncode, p.stderr)):
        return
    runs = []
    for arch, binary, levels in (("x86", args.native, X86_LEVELS), ("aarch64", args.emulated, ARM_LEVELS)):
        for level in levels:
            files = run_level(binary, level, model, os.path.join(BUNDLED, inputs),
                              os.path.join(args.work, name, arch + "_" + level))
            if files:
                runs.append((arch + " " + level, files))
    check(any(r[0].startswith("x86") for r in runs) and any(r[0].startswith("aarch64") for r in runs),
          "%s: no run on one of the architectures" % name)
    if not runs:
        return
    first_label, first = runs[0]
    for label, files in runs:
        print("%-9s %-18s %s" % (name, label, " ".join(digest(f) for f in files)))
        same = [os.path.basename(f) for f in files] == [os.path.basename(f) for f in first] and all(
            filecmp.cmp(a, b, shallow=False) for a, b in zip(files, first))
        check(same, "%s: %s outputs differ from %s" % (name, label, first_label))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--native", required=True)
    parser.add_argument("--emulated", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    for name in MODELS:
        check_model(args, name)
    finish()


if __name__ == "__main__":
    sys.exit(main())
