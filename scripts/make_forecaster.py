#!/usr/bin/python3
"""Trains the bundled sunspots forecaster: a small LSTM that reads the last
WINDOW years of the yearly sunspot numbers (statsmodels' sunspots data,
1700-2008, from Debian's python3-statsmodels) and predicts the next year.

    make_forecaster.py [OUT_DIR]           (default: models/bundled)

The series is normalized with the mean and standard deviation of its training
part (the first 80% of the years); windows whose target falls in the last 20%
are the test set, so the split is chronological. Writes to OUT_DIR:
- sunspots_lstm.onnx: opset 13, input "x" [batch, WINDOW, 1] (batch-first,
  batch symbolic), output "y" [batch, 1] (next year, normalized);
- sunspots_test_x.npy float32 [N, WINDOW, 1], sunspots_test_y.npy float32
  [N, 1] (normalized targets), sunspots_expected.npy float32 [N, 1] (PyTorch's
  FP32 predictions);
- sunspots.json: the normalization, the split and PyTorch's FP32 test RMSE.
Training is seeded and single-threaded, so build_forecaster() rebuilds the
same torch module on this machine (scripts/pytorch_dynamic_sqnr.py instead
loads the exported weights, needing no statsmodels); the files are only ever
replaced together."""
import argparse
import json
import os
import sys
import time
import warnings

import numpy as np
import onnx
import onnx.numpy_helper
import torch

OPSET = 13
SEED = 11
WINDOW = 32
HIDDEN = 64
LAYERS = 2
TEST_FRACTION = 0.2
EPOCHS = 30
BATCH = 32
FILES = ("sunspots_lstm.onnx", "sunspots_test_x.npy", "sunspots_test_y.npy",
         "sunspots_expected.npy", "sunspots.json")


class Forecaster(torch.nn.Module):
    """LSTM over the window, then a Linear on the last step's hidden state."""

    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(1, HIDDEN, num_layers=LAYERS, batch_first=True)
        self.head = torch.nn.Linear(HIDDEN, 1)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.head(y[:, -1])


def load_series():
    import statsmodels.api as sm
    data = sm.datasets.sunspots.load_pandas().data
    return data["YEAR"].to_numpy(), data["SUNACTIVITY"].to_numpy(np.float64)


def windows(z, first_target, last_target):
    """Inputs z[t-WINDOW:t] and targets z[t] for t in [first_target, last_target)."""
    xs = np.stack([z[t - WINDOW:t] for t in range(first_target, last_target)])
    ys = z[first_target:last_target]
    return xs[:, :, None].astype(np.float32), ys[:, None].astype(np.float32)


def split_data():
    """Normalized train and test windows plus the facts of the split."""
    years, series = load_series()
    split = int(round(len(series) * (1 - TEST_FRACTION)))
    mean, std = float(series[:split].mean()), float(series[:split].std())
    z = (series - mean) / std
    train = windows(z, WINDOW, split)
    test = windows(z, split, len(z))
    info = {"mean": mean, "std": std, "split_index": split,
            "first_test_year": int(years[split]), "last_test_year": int(years[-1])}
    return train, test, info


def train(model, x, y):
    gen = torch.Generator().manual_seed(SEED)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, EPOCHS)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    model.train()
    for _ in range(EPOCHS):
        order = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), BATCH):
            idx = order[i:i + BATCH]
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        sched.step()
    model.eval()


def build_forecaster():
    """The trained model and its data: (model, (train_x, train_y), (test_x,
    test_y), info). Seeded and single-threaded, so the same on every call on
    one machine; callers check it against sunspots_expected.npy."""
    torch.set_num_threads(1)  # one thread keeps training's float sums in one order
    torch.manual_seed(SEED)
    (train_x, train_y), (test_x, test_y), info = split_data()
    model = Forecaster()
    train(model, train_x, train_y)
    return model, (train_x, train_y), (test_x, test_y), info


def predict(model, x):
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy().astype(np.float32)


def rmse(a, b):
    return float(np.sqrt(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)))


def save_npy(path, array):
    tmp = path + ".tmp.npy"
    np.save(tmp, array)
    os.replace(tmp, path)


def is_zero_fill(name, producers):
    """True when `name` is all zeros: a ConstantOfShape of 0 (its default
    value), possibly sliced."""
    node = producers.get(name)
    while node is not None and node.op_type == "Slice":
        node = producers.get(node.input[0])
    if node is None or node.op_type != "ConstantOfShape":
        return False
    value = [a for a in node.attribute if a.name == "value"]
    return not value or not onnx.numpy_helper.to_array(value[0].t).any()


def drop_zero_initial_states(graph):
    """With a symbolic batch, torch exports the LSTMs' zero initial_h and
    initial_c as Shape -> ConstantOfShape -> Slice chains. Both inputs are
    optional and default to zeros in ONNX, so blank them and prune the chain:
    same function, fewer ops for the engine."""
    producers = {out: n for n in graph.node for out in n.output}
    for node in graph.node:
        if node.op_type != "LSTM":
            continue
        for i in (5, 6):
            if i < len(node.input) and is_zero_fill(node.input[i], producers):
                node.input[i] = ""
        while node.input and node.input[-1] == "":
            node.input.pop()
    # Drop nodes none of whose outputs is used, until none is left.
    while True:
        used = {name for n in graph.node for name in n.input} | {o.name for o in graph.output}
        dead = [n for n in graph.node if not any(out in used for out in n.output)]
        if not dead:
            return
        for n in dead:
            graph.node.remove(n)


def export(model, x, path):
    tmp = path + ".tmp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        torch.onnx.export(model, (torch.from_numpy(x),), tmp, opset_version=OPSET,
                          input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    exported = onnx.load(tmp)
    drop_zero_initial_states(exported.graph)
    onnx.checker.check_model(exported)
    onnx.save(exported, tmp)
    os.replace(tmp, path)
    return sorted({n.op_type for n in exported.graph.node})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("out_dir", nargs="?", default=os.path.join(here, "..", "models", "bundled"))
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)

    start = time.time()
    model, (train_x, train_y), (test_x, test_y), info = build_forecaster()
    pred = predict(model, test_x)
    train_rmse = rmse(predict(model, train_x), train_y)
    test_rmse = rmse(pred, test_y)
    # Persistence (next year = this year) is the baseline a forecaster must beat.
    naive_rmse = rmse(test_x[:, -1], test_y)
    print(f"make_forecaster: trained on {len(train_x)} windows in {time.time() - start:.1f} s; "
          f"test windows {len(test_x)} (years {info['first_test_year']}-{info['last_test_year']})")
    print(f"make_forecaster: FP32 RMSE train {train_rmse:.4f}, test {test_rmse:.4f} normalized = "
          f"{test_rmse * info['std']:.2f} sunspots (persistence baseline {naive_rmse * info['std']:.2f})")

    ops = export(model, test_x, os.path.join(args.out_dir, "sunspots_lstm.onnx"))
    if "LSTM" not in ops:
        raise SystemExit(f"make_forecaster: exported graph has no ONNX LSTM node (ops: {ops})")
    save_npy(os.path.join(args.out_dir, "sunspots_test_x.npy"), test_x)
    save_npy(os.path.join(args.out_dir, "sunspots_test_y.npy"), test_y)
    save_npy(os.path.join(args.out_dir, "sunspots_expected.npy"), pred)
    meta = dict(info, window=WINDOW, hidden=HIDDEN, layers=LAYERS, test_windows=len(test_x),
                fp32_test_rmse=test_rmse, fp32_test_rmse_sunspots=test_rmse * info["std"],
                persistence_test_rmse=naive_rmse, torch=torch.__version__,
                note="predictions and targets are normalized: sunspots = mean + std * value")
    json_path = os.path.join(args.out_dir, "sunspots.json")
    with open(json_path + ".tmp", "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    os.replace(json_path + ".tmp", json_path)

    total = sum(os.path.getsize(os.path.join(args.out_dir, f)) for f in FILES)
    print(f"make_forecaster: wrote {args.out_dir} ({total / 1e3:.1f} kB, opset {OPSET}, ops {' '.join(ops)})")


if __name__ == "__main__":
    sys.exit(main())
