#!/usr/bin/python3
"""Makes the FP32 LSTM grid of end-to-end cases: torch.nn.LSTM models with
seeded random weights over layers, direction, hidden size, sequence length and
layout, each as OUT_DIR/lstm_<cfg>/ in the case layout of make_models.py.

    make_lstm_models.py OUT_DIR [--only CFG]

The grid covers issue 5's "1 and 2 layers, bidirectional, hidden 128 to 512,
sequence 16 to 128, batch-first"; tests/e2e/CMakeLists.txt adds one ctest
e2e_lstm_<cfg> per entry of GRID, so keep the two in step."""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_models import SEED, save_case  # noqa: E402  (same case layout and exporter)

INPUT_SIZE = 64
CLASSES = 10

# name: (num_layers, hidden, seq, batch, bidirectional, batch_first, head)
GRID = {
    "l1_h128_s16": (1, 128, 16, 2, False, False, False),
    "l2_h256_s64": (2, 256, 64, 2, False, False, True),
    "bi_l1_h512_s128": (1, 512, 128, 1, True, False, False),
    "bi_l2_h128_s32_bf": (2, 128, 32, 3, True, True, True),
    "bf_h256_s64_b1": (1, 256, 64, 1, False, True, True),
}


class LstmModel(torch.nn.Module):
    """An LSTM returning its sequence output and final states, with an optional
    Linear head on the last step's output (a sequence classifier)."""

    def __init__(self, num_layers, hidden, bidirectional, batch_first, head):
        super().__init__()
        self.batch_first = batch_first
        self.lstm = torch.nn.LSTM(INPUT_SIZE, hidden, num_layers=num_layers,
                                  bidirectional=bidirectional, batch_first=batch_first)
        directions = 2 if bidirectional else 1
        self.head = torch.nn.Linear(directions * hidden, CLASSES) if head else None

    def forward(self, x):
        y, (h, c) = self.lstm(x)
        if self.head is None:
            return y, h, c
        last = y[:, -1] if self.batch_first else y[-1]
        return y, h, c, self.head(last)


def build_case(cfg):
    """The seeded torch model of grid entry `cfg`, its input and its output
    names: the same on every call, so other scripts (pytorch_dynamic_sqnr.py)
    rebuild the model that make_case exported."""
    num_layers, hidden, seq, batch, bidirectional, batch_first, head = GRID[cfg]
    seed_offset = list(GRID).index(cfg)  # the grid position, so --only writes the same files
    torch.manual_seed(SEED + 100 + seed_offset)
    model = LstmModel(num_layers, hidden, bidirectional, batch_first, head)
    gen = torch.Generator().manual_seed(SEED + 200 + seed_offset)
    shape = (batch, seq, INPUT_SIZE) if batch_first else (seq, batch, INPUT_SIZE)
    x = torch.randn(shape, generator=gen)
    outputs = ["y", "h_n", "c_n"] + (["logits"] if head else [])
    return model.eval(), x, outputs


def make_case(out_dir, cfg):
    model, x, outputs = build_case(cfg)
    name = f"lstm_{cfg}"
    meta = save_case(out_dir, name, model, [x], ["x"], outputs)
    if "LSTM" not in meta["ops"]:
        raise SystemExit(f"{name}: exported graph has no ONNX LSTM node (ops: {meta['ops']})")
    return name, meta


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--only", choices=sorted(GRID), action="append",
                        help="make only this configuration (may be repeated)")
    args = parser.parse_args()
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    for cfg in GRID:
        if args.only and cfg not in args.only:
            continue
        start = time.time()
        name, meta = make_case(args.out_dir, cfg)
        size = os.path.getsize(os.path.join(args.out_dir, name, "model.onnx"))
        print(f"make_lstm_models: {name}: {size / 1e6:.1f} MB, outputs {meta['output_shapes']}, "
              f"ops {' '.join(meta['ops'])} ({time.time() - start:.1f} s)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
