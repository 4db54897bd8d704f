#!/usr/bin/python3
"""Regenerates the small bundled model in models/bundled/: a CNN trained on
scikit-learn's 8x8 digits, for the README's demo and an end-to-end test.

    make_bundled_model.py [OUT_DIR]        (default: models/bundled)

Writes digits_cnn.onnx, digits_input.npy (16 held-out images, float32
[16,1,8,8], pixels scaled to [0,1]), digits_labels.npy (int64 [16]) and
digits_expected.npy (PyTorch's FP32 logits for those images, [16,10]).
Seeds are fixed; retraining on another machine may change the last bits of
the weights, so the four files are only ever replaced together."""
import argparse
import os
import sys
import time
import warnings

import numpy as np
import onnx
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

OPSET = 13
SEED = 7
SAMPLES = 16


class DigitsCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU(),
            torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.BatchNorm2d(32), torch.nn.ReLU(),
            torch.nn.MaxPool2d(2))
        self.head = torch.nn.Linear(32 * 4 * 4, 10)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


def load_split():
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    labels = digits.target.astype(np.int64)
    return train_test_split(images, labels, test_size=0.2, random_state=SEED, stratify=labels)


def train(model, x, y, epochs=30, batch=64):
    gen = torch.Generator().manual_seed(SEED)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
    model.eval()


def accuracy(model, x, y):
    with torch.no_grad():
        return float((model(torch.from_numpy(x)).argmax(1).numpy() == y).mean())


def save(path, array):
    tmp = path + ".tmp.npy"
    np.save(tmp, array)
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("out_dir", nargs="?", default=os.path.join(here, "..", "models", "bundled"))
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)  # one thread keeps training's float sums in one order

    start = time.time()
    x_train, x_test, y_train, y_test = load_split()
    model = DigitsCnn()
    train(model, x_train, y_train)
    print(f"make_bundled_model: trained on {len(x_train)} images in {time.time() - start:.1f} s; "
          f"train accuracy {accuracy(model, x_train, y_train):.4f}, "
          f"test accuracy {accuracy(model, x_test, y_test):.4f} on {len(x_test)} images")

    x = np.ascontiguousarray(x_test[:SAMPLES])
    labels = y_test[:SAMPLES]
    with torch.no_grad():
        logits = model(torch.from_numpy(x)).numpy().astype(np.float32)
    onnx_path = os.path.join(args.out_dir, "digits_cnn.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        torch.onnx.export(model, (torch.from_numpy(x),), onnx_path + ".tmp", opset_version=OPSET,
                          input_names=["image"], output_names=["logits"],
                          dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    os.replace(onnx_path + ".tmp", onnx_path)
    exported = onnx.load(onnx_path)
    onnx.checker.check_model(exported)
    save(os.path.join(args.out_dir, "digits_input.npy"), x)
    save(os.path.join(args.out_dir, "digits_labels.npy"), labels)
    save(os.path.join(args.out_dir, "digits_expected.npy"), logits)

    sample_acc = float((logits.argmax(1) == labels).mean())
    ops = sorted({n.op_type for n in exported.graph.node})
    total = sum(os.path.getsize(os.path.join(args.out_dir, f)) for f in
                ("digits_cnn.onnx", "digits_input.npy", "digits_labels.npy", "digits_expected.npy"))
    print(f"make_bundled_model: wrote {args.out_dir} ({total / 1e3:.1f} kB, opset {OPSET}, "
          f"ops {' '.join(ops)}); accuracy on the {SAMPLES} sample images {sample_acc:.4f}")


if __name__ == "__main__":
    sys.exit(main())
