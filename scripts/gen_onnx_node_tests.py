#!/usr/bin/python3
"""Generates the ONNX backend node tests (model.onnx + test_data_set_*/) from
Debian's python3-onnx into OUT_DIR, for `octet onnx-test`.

onnx 1.12's test generators still use NumPy aliases that NumPy 1.24 removed;
they are restored here before the generators are imported."""
import sys

import numpy as np

for alias, target in (("float", float), ("int", int), ("bool", bool), ("object", object)):
    if not hasattr(np, alias):
        setattr(np, alias, target)

from onnx.backend.test.cmd_tools import main as onnx_cmd  # noqa: E402

if len(sys.argv) != 2:
    sys.exit("usage: gen_onnx_node_tests.py OUT_DIR")
sys.argv = ["cmd_tools", "generate-data", "-o", sys.argv[1]]
onnx_cmd()
