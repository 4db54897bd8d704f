#!/usr/bin/python3
"""Makes the end-to-end reference models: each as OUT_DIR/NAME/model.onnx with
an input (input.npy) and PyTorch's FP32 outputs for it (expected*.npy).

    make_models.py OUT_DIR [--only NAME]

Weights are random but fixed by seeds, so every run writes the same files.
The models are tens of MB: they are made in the build directory, never committed.
OUT_DIR/NAME/meta.json tells the tests which ONNX output each expected file
holds, the opset, and the op types the exported graph uses."""
import argparse
import json
import os
import sys
import time
import warnings

import numpy as np
import onnx
import torch
import torchvision

OPSET = 13
SEED = 20240601


def write_npy(path, array):
    # Written beside and renamed, so an interrupted run never leaves a
    # truncated file that a later run would take as done.
    tmp = path + ".tmp.npy"
    np.save(tmp, np.ascontiguousarray(array, dtype=np.float32))
    os.replace(tmp, path)


def settle_batchnorm(model, input_shape, generator, steps=4, batch=4):
    """Runs train-mode forward passes on random data so every BatchNorm holds
    running statistics of real activations (not the initial 0 and 1), and
    draws non-trivial affine parameters, so folding BN into Conv is tested."""
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5, generator=generator)
                m.bias.normal_(0.0, 0.1, generator=generator)
            m.momentum = None  # cumulative average of the batches seen
            m.reset_running_stats()
    model.train()
    with torch.no_grad():
        for _ in range(steps):
            model(torch.randn((batch,) + tuple(input_shape[1:]), generator=generator))
    model.eval()


def export(model, args, path, input_names, output_names):
    tmp = path + ".tmp"
    # The exporter warns about batch sizes and shape inference of constants
    # that a fixed-shape export does not meet; its output is checked below.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        torch.onnx.export(model, args, tmp, opset_version=OPSET,
                          input_names=input_names, output_names=output_names)
    os.replace(tmp, path)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    return m


def op_types(onnx_model):
    return sorted({n.op_type for n in onnx_model.graph.node})


def save_case(out_dir, name, model, inputs, input_names, output_names):
    """Exports `model`, runs it in PyTorch on `inputs`, and writes the case."""
    case_dir = os.path.join(out_dir, name)
    os.makedirs(case_dir, exist_ok=True)
    model.eval()
    with torch.no_grad():
        outputs = model(*inputs)
    if isinstance(outputs, torch.Tensor):
        outputs = (outputs,)
    assert len(outputs) == len(output_names)

    onnx_model = export(model, tuple(inputs), os.path.join(case_dir, "model.onnx"),
                        input_names, output_names)
    for i, x in enumerate(inputs):
        write_npy(os.path.join(case_dir, "input.npy" if i == 0 else f"input_{i}.npy"), x.numpy())
    expected = {}
    for i, (out_name, y) in enumerate(zip(output_names, outputs)):
        file = "expected.npy" if i == 0 else f"expected_{out_name}.npy"
        write_npy(os.path.join(case_dir, file), y.numpy())
        expected[out_name] = file
    meta = {
        "opset": OPSET,
        "torch": torch.__version__,
        "inputs": {n: list(x.shape) for n, x in zip(input_names, inputs)},
        "expected": expected,
        "output_shapes": {n: list(y.shape) for n, y in zip(output_names, outputs)},
        "ops": op_types(onnx_model),
    }
    with open(os.path.join(case_dir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
    return meta


def build_vision(constructor):
    """The seeded model with settled BatchNorm (in eval mode) and its input;
    scripts/pytorch_ptq_sqnr.py rebuilds the same models through this."""
    torch.manual_seed(SEED)
    model = constructor(weights=None)
    gen = torch.Generator().manual_seed(SEED + 1)
    shape = (1, 3, 224, 224)
    settle_batchnorm(model, shape, gen)
    x = torch.randn(shape, generator=gen)
    return model, x


def make_vision(out_dir, name, constructor):
    model, x = build_vision(constructor)
    return save_case(out_dir, name, model, [x], ["input"], ["logits"])


class LstmTagger(torch.nn.Module):
    """Two stacked LSTM layers and a per-step linear head, seq-first."""

    def __init__(self, input_size=32, hidden_size=64, num_layers=2, classes=8):
        super().__init__()
        self.lstm = torch.nn.LSTM(input_size, hidden_size, num_layers=num_layers)
        self.head = torch.nn.Linear(hidden_size, classes)

    def forward(self, x):
        y, (h, c) = self.lstm(x)
        return self.head(y), h, c


def make_lstm(out_dir, name):
    torch.manual_seed(SEED)
    model = LstmTagger()
    gen = torch.Generator().manual_seed(SEED + 2)
    x = torch.randn((10, 3, 32), generator=gen)  # [seq, batch, features]
    meta = save_case(out_dir, name, model, [x], ["x"], ["y", "h_n", "c_n"])
    if "LSTM" not in meta["ops"]:
        raise SystemExit(f"{name}: exported graph has no ONNX LSTM node (ops: {meta['ops']})")
    return meta


VISION_MODELS = {
    "resnet18": torchvision.models.resnet18,
    "mobilenet_v2": torchvision.models.mobilenet_v2,
}

MODELS = {
    "resnet18": lambda d, n: make_vision(d, n, VISION_MODELS[n]),
    "mobilenet_v2": lambda d, n: make_vision(d, n, VISION_MODELS[n]),
    "lstm": make_lstm,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--only", choices=sorted(MODELS), action="append",
                        help="make only this model (may be repeated)")
    args = parser.parse_args()
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    for name in args.only or MODELS:
        start = time.time()
        print(f"make_models: {name} ...", flush=True)
        meta = MODELS[name](args.out_dir, name)
        size = os.path.getsize(os.path.join(args.out_dir, name, "model.onnx"))
        print(f"make_models: {name}: opset {meta['opset']}, {size / 1e6:.1f} MB, "
              f"outputs {meta['output_shapes']}, ops {' '.join(meta['ops'])} "
              f"({time.time() - start:.1f} s)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
