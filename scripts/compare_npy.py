#!/usr/bin/python3
"""Compares outputs written by `octet run` with reference outputs.

    compare_npy.py ACTUAL.npy EXPECTED.npy [--tol T] [--labels LABELS.npy]
    compare_npy.py --actual-dir DIR --expected NAME=EXPECTED.npy [...] [--tol T] [--labels LABELS.npy]

An output passes when its relative error max|actual - expected| / max|expected|
is at most --tol (default 1e-4); the ratio is printed for each output. With
--labels, the first output's argmax over its last axis must also score the same
accuracy against the labels as the expected output's does.
In --actual-dir form the file for output NAME is DIR/NAME.npy, escaped as
`octet run` escapes it (bytes outside [A-Za-z0-9._-], and a leading '.',
become %XX); with one expected output and one .npy file in DIR, that file is
taken whatever its name.
Exit status: 0 all pass, 1 a comparison failed, 2 a file is missing or unreadable."""
import argparse
import glob
import os
import re
import sys

import numpy as np


class Missing(Exception):
    pass


def load(path):
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise Missing(f"cannot read {path}: {e}")


def relative_error(actual, expected):
    """max|a - e| / max|e|; an all-zero reference is compared absolutely."""
    diff = float(np.max(np.abs(actual.astype(np.float64) - expected.astype(np.float64)), initial=0.0))
    scale = float(np.max(np.abs(expected.astype(np.float64)), initial=0.0))
    return diff / scale if scale > 0 else diff, diff, scale


def compare(name, actual, expected, tol):
    if actual.shape != expected.shape:
        print(f"FAIL {name}: shape {list(actual.shape)}, expected {list(expected.shape)}")
        return False
    if not np.all(np.isfinite(actual)):
        print(f"FAIL {name}: {int(np.sum(~np.isfinite(actual)))} non-finite values")
        return False
    ratio, diff, scale = relative_error(actual, expected)
    ok = ratio <= tol
    print(f"{'ok  ' if ok else 'FAIL'} {name}: max|diff|/max|ref| = {ratio:.3e} "
          f"(max|diff| {diff:.3e}, max|ref| {scale:.3e}, tol {tol:.0e}, shape {list(actual.shape)})")
    return ok


def compare_accuracy(actual, expected, labels):
    labels = labels.reshape(-1)
    if actual.ndim < 1 or actual.shape[:-1] != labels.shape or expected.shape != actual.shape:
        print(f"FAIL accuracy: output shape {list(actual.shape)} does not fit labels {list(labels.shape)}")
        return False
    pred, ref_pred = actual.argmax(axis=-1), expected.argmax(axis=-1)
    acc, ref_acc = float(np.mean(pred == labels)), float(np.mean(ref_pred == labels))
    ok = acc == ref_acc
    print(f"{'ok  ' if ok else 'FAIL'} accuracy: octet {acc:.4f}, reference {ref_acc:.4f} "
          f"on {labels.size} labels; predictions agree on {int(np.sum(pred == ref_pred))}/{labels.size}")
    return ok


def octet_file_name(name):
    """The file name `octet run` gives output NAME (tools/cmd_run.cpp)."""
    out = "%" if not name else ""
    for i, byte in enumerate(name.encode()):
        safe = re.fullmatch(rb"[A-Za-z0-9_.-]", bytes([byte])) and not (i == 0 and byte == ord("."))
        out += chr(byte) if safe else f"%{byte:02X}"
    return out + ".npy"


def find_actual(directory, name, single):
    path = os.path.join(directory, octet_file_name(name))
    if os.path.isfile(path):
        return path
    present = sorted(glob.glob(os.path.join(directory, "*.npy")))
    if single and len(present) == 1:
        return present[0]
    raise Missing(f"no output file for '{name}' in {directory} (found: "
                  f"{', '.join(os.path.basename(p) for p in present) or 'none'})")


def parse_pairs(args, parser):
    if args.actual_dir:
        if args.files or not args.expected:
            parser.error("--actual-dir takes --expected NAME=FILE options and no positional files")
        pairs = []
        for item in args.expected:
            name, sep, path = item.partition("=")
            if not sep or not name or not path:
                parser.error(f"--expected wants NAME=FILE, got '{item}'")
            pairs.append((name, find_actual(args.actual_dir, name, len(args.expected) == 1), path))
        return pairs
    if len(args.files) != 2 or args.expected:
        parser.error("give ACTUAL.npy EXPECTED.npy, or --actual-dir with --expected")
    return [(os.path.basename(args.files[0]), args.files[0], args.files[1])]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", metavar="FILE")
    parser.add_argument("--actual-dir")
    parser.add_argument("--expected", action="append", default=[], metavar="NAME=FILE")
    parser.add_argument("--tol", type=float, default=1e-4)
    parser.add_argument("--labels")
    args = parser.parse_args()
    try:
        pairs = parse_pairs(args, parser)
        loaded = [(name, load(actual), load(expected)) for name, actual, expected in pairs]
        labels = load(args.labels) if args.labels else None
    except Missing as e:
        print(f"FAIL {e}")
        return 2
    ok = all([compare(name, a, e, args.tol) for name, a, e in loaded])
    if labels is not None:
        ok = compare_accuracy(loaded[0][1], loaded[0][2], labels) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
