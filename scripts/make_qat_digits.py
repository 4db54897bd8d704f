#!/usr/bin/python3
"""Quantization-aware training of the digits CNN as a PyTorch user does it,
exported to ONNX (QDQ) for Octet, with PyTorch's own converted INT8 model's
accuracy as the reference.

    make_qat_digits.py OUT_DIR

Trains the bundled model's architecture (scripts/make_bundled_model.py) in
FP32 on scikit-learn's digits, folds BatchNorm into the convs
(fuse_modules), fine-tunes with fake quantization (prepare_qat:
activations uint8 per tensor, weights int8 per output channel, symmetric),
and writes:

  digits_qat.onnx   the QAT model, opset 13, fake quantizers as
                    QuantizeLinear / DequantizeLinear
  qat.json          accuracies on the 360-image test split: FP32, the QAT
                    model in fake-quant (float) form, and PyTorch's
                    converted INT8 model (torch.ao.quantization.convert,
                    onednn engine)

The test split is models/bundled/digits_test_x.npy / digits_test_y.npy."""
import argparse
import json
import os
import sys
import time
import warnings

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_bundled_model import SEED, DigitsCnn, accuracy, load_split, train  # noqa: E402

tq = torch.ao.quantization
OPSET = 13


class Quantized(torch.nn.Module):
    """The CNN between a QuantStub and a DeQuantStub (eager-mode QAT)."""

    def __init__(self, model):
        super().__init__()
        self.quant = tq.QuantStub()
        self.model = model
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.model(self.quant(x)))


def qat_qconfig():
    # Full 8-bit ranges (no reduce_range), which ONNX's QuantizeLinear
    # expresses; FakeQuantize rather than the fused default, which the ONNX
    # exporter of torch 1.13 cannot write.
    activation = tq.FakeQuantize.with_args(observer=tq.MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
                                           dtype=torch.quint8, qscheme=torch.per_tensor_affine)
    weight = tq.FakeQuantize.with_args(observer=tq.MovingAveragePerChannelMinMaxObserver, quant_min=-128,
                                       quant_max=127, dtype=torch.qint8, qscheme=torch.per_channel_symmetric,
                                       ch_axis=0)
    return tq.QConfig(activation=activation, weight=weight)


def fine_tune(model, x, y, epochs, batch=64):
    gen = torch.Generator().manual_seed(SEED + 1)
    opt = torch.optim.Adam(model.parameters(), lr=3e-4)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    for epoch in range(epochs):
        model.train()
        if epoch == epochs - 1:
            model.apply(tq.disable_observer)  # the last epoch trains at fixed scales
        order = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
    model.eval()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--epochs", type=int, default=5, help="QAT fine-tuning epochs (default 5)")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    start = time.time()
    torch.manual_seed(SEED)
    x_train, x_test, y_train, y_test = load_split()

    model = DigitsCnn()
    train(model, x_train, y_train)
    fp32 = accuracy(model, x_test, y_test)
    model.eval()
    tq.fuse_modules(model.features, [["0", "1", "2"], ["3", "4", "5"]], inplace=True)

    qat = Quantized(model)
    qat.qconfig = qat_qconfig()
    tq.prepare_qat(qat.train(), inplace=True)
    fine_tune(qat, x_train, y_train, args.epochs)
    fake_quant = accuracy(qat, x_test, y_test)

    path = os.path.join(args.out_dir, "digits_qat.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(qat, torch.from_numpy(x_test[:1]), path, opset_version=OPSET, input_names=["image"],
                          output_names=["logits"], dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})

    torch.backends.quantized.engine = "onednn"
    converted = tq.convert(qat.eval(), inplace=False)
    int8 = accuracy(converted, x_test, y_test)
    report = {"fp32_top1": fp32, "qat_fake_quant_top1": fake_quant, "pytorch_int8_top1": int8,
              "engine": "onednn", "test_images": int(len(y_test)), "qat_epochs": args.epochs,
              "torch": torch.__version__, "seconds": round(time.time() - start, 1)}
    with open(os.path.join(args.out_dir, "qat.json"), "w") as f:
        json.dump(report, f, indent=1)
    print("make_qat_digits: %s" % json.dumps(report))


if __name__ == "__main__":
    main()
