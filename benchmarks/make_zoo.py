#!/usr/bin/python3
"""Makes the peer-comparison model zoo (issue 6) with Debian's PyTorch:

    make_zoo.py OUT_DIR [--only NAME]

OUT_DIR/<name>/ holds model.onnx, calib.npy (samples stacked on the batch
axis, for `octet quantize --calib`), input.npy (batch 1) and meta.json
(kind: cnn | lstm | mlp, plus make_models.py's case fields). The digits CNN
also gets test_x.npy / test_y.npy, the test split every runtime's top-1
accuracy is measured on.

Weights are random but seeded (the digits CNN is the trained bundled model),
and torch_model() rebuilds the very module each model.onnx was exported
from, so compare_peers.py runs PyTorch on the same function."""
import argparse
import json
import os
import shutil
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "scripts"))
import make_models  # noqa: E402  (the scripts directory is not a package)

CALIB_SAMPLES = 16
BUNDLED = os.path.join(REPO, "models", "bundled")

# The LSTM: 2 layers, input 32, hidden 256, sequence 64, batch 1.
# Batch-first, so calib.npy stacks samples on axis 0 like every other model.
LSTM_INPUT, LSTM_HIDDEN, LSTM_SEQ, LSTM_LAYERS, LSTM_CLASSES = 32, 256, 64, 2, 10
MLP_WIDTHS = (1024, 1024, 1024, 10)


class LstmClassifier(torch.nn.Module):
    """Stacked LSTM and a Linear head on the last step: a sequence classifier."""

    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(LSTM_INPUT, LSTM_HIDDEN, num_layers=LSTM_LAYERS, batch_first=True)
        self.head = torch.nn.Linear(LSTM_HIDDEN, LSTM_CLASSES)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.head(y[:, -1])


def mlp():
    layers = []
    for i, (n_in, n_out) in enumerate(zip(MLP_WIDTHS, MLP_WIDTHS[1:])):
        layers.append(torch.nn.Linear(n_in, n_out))
        if i + 2 < len(MLP_WIDTHS):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def digits_from_onnx(path):
    """The bundled digits CNN as a torch module, weights read from its ONNX
    file (BatchNorm is folded there: Conv-Relu-Conv-Relu-MaxPool-Flatten-Gemm)."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(path)
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in m.graph.initializer}
    ops = [n.op_type for n in m.graph.node]
    if ops != ["Conv", "Relu", "Conv", "Relu", "MaxPool", "Flatten", "Gemm"]:
        raise SystemExit(f"{path}: unexpected graph {ops}; update digits_from_onnx")
    conv1, conv2, gemm = (n for n in m.graph.node if n.op_type in ("Conv", "Gemm"))
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(),
        torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(32 * 4 * 4, 10))
    with torch.no_grad():
        for module, node in ((model[0], conv1), (model[2], conv2), (model[6], gemm)):
            module.weight.copy_(weights[node.input[1]])
            module.bias.copy_(weights[node.input[2]])
    return model.eval()


def seeded_randn(shape, offset):
    return torch.randn(shape, generator=torch.Generator().manual_seed(make_models.SEED + offset))


def build(name):
    """(torch module in eval mode, batch-1 input, calib [N, ...]) of `name`."""
    if name in make_models.VISION_MODELS:
        model, x = make_models.build_vision(make_models.VISION_MODELS[name])
        return model.eval(), x, seeded_randn((CALIB_SAMPLES,) + tuple(x.shape[1:]), 300)
    if name == "lstm":
        torch.manual_seed(make_models.SEED + 400)
        shape = (1, LSTM_SEQ, LSTM_INPUT)
        return (LstmClassifier().eval(), seeded_randn(shape, 401),
                seeded_randn((CALIB_SAMPLES,) + shape[1:], 402))
    if name == "mlp":
        torch.manual_seed(make_models.SEED + 500)
        return mlp().eval(), seeded_randn((1, MLP_WIDTHS[0]), 501), seeded_randn((CALIB_SAMPLES, MLP_WIDTHS[0]), 502)
    if name == "digits_cnn":
        x = torch.from_numpy(np.load(os.path.join(BUNDLED, "digits_test_x.npy"))[:1].copy())
        calib = torch.from_numpy(np.load(os.path.join(BUNDLED, "digits_calib.npy")))
        return digits_from_onnx(os.path.join(BUNDLED, "digits_cnn.onnx")), x, calib
    raise KeyError(name)


KINDS = {"resnet18": "cnn", "mobilenet_v2": "cnn", "lstm": "lstm", "mlp": "mlp", "digits_cnn": "cnn"}


def torch_model(name, zoo_dir=None):
    """The torch module `name`'s model.onnx came from (for PyTorch peers)."""
    return build(name)[0]


def make(out_dir, name):
    model, x, calib = build(name)
    case = os.path.join(out_dir, name)
    os.makedirs(case, exist_ok=True)
    if name == "digits_cnn":
        # The bundled trained model as is; PyTorch's rebuild must match it.
        shutil.copyfile(os.path.join(BUNDLED, "digits_cnn.onnx"), os.path.join(case, "model.onnx"))
        make_models.write_npy(os.path.join(case, "input.npy"), x.numpy())
        for split in ("x", "y"):
            shutil.copyfile(os.path.join(BUNDLED, f"digits_test_{split}.npy"), os.path.join(case, f"test_{split}.npy"))
        meta = {"inputs": {"image": list(x.shape)}}
    else:
        meta = make_models.save_case(out_dir, name, model, [x], ["input"], ["logits"])
    make_models.write_npy(os.path.join(case, "calib.npy"), calib.numpy())
    meta["kind"] = KINDS[name]
    meta["calib_samples"] = int(calib.shape[0])
    with open(os.path.join(case, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
    return meta


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--only", choices=sorted(KINDS), action="append", help="make only this model (repeatable)")
    args = parser.parse_args()
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    for name in args.only or KINDS:
        start = time.time()
        meta = make(args.out_dir, name)
        size = os.path.getsize(os.path.join(args.out_dir, name, "model.onnx"))
        print(f"make_zoo: {name} ({meta['kind']}): {size / 1e6:.1f} MB, input {list(meta['inputs'].values())[0]}"
              f" ({time.time() - start:.1f} s)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
