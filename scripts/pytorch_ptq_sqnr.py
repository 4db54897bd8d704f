#!/usr/bin/python3
"""PyTorch's own post-training INT8 quantization of the e2e vision models: the
SQNR Octet's static quantization is held to.

    pytorch_ptq_sqnr.py MODELS_DIR [--only NAME] [--calib 16] [--eval 16]
                        [--compare-minmax]

MODELS_DIR is make_models.py's OUT_DIR. For each model this rebuilds the same
seeded torch model (make_models.build_vision), checks it against the model's
expected.npy, and writes beside model.onnx:
- calib.npy and eval.npy, [N,3,224,224] float32 drawn like input.npy (standard
  normal) from two other seeds, unless they exist, so Octet calibrates and
  evaluates on the very same samples;
- pytorch_ptq.json: SQNR (dB) = 10 log10(sum fp32^2 / sum (fp32 - int8)^2)
  over all eval outputs and the top-1 agreement of the INT8 model with FP32,
  for FX graph mode PTQ with the onednn engine and its default qconfig
  (eager mode with fused modules if FX fails, or with --eager; "mode" says
  which ran).
--compare-minmax adds the SQNR with a plain MinMax activation observer (the
onednn default is a HistogramObserver), the observer Octet defaults to."""
import argparse
import copy
import json
import os
import sys
import time
import traceback

import numpy as np
import torch
from torch.ao.quantization import QConfig, QConfigMapping, MinMaxObserver
from torch.ao.quantization import get_default_qconfig, get_default_qconfig_mapping
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_models  # noqa: E402  (the script directory is not a package)

ENGINE = "onednn"
CALIB_SEED = make_models.SEED + 100
EVAL_SEED = make_models.SEED + 200


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def samples(path, count, seed):
    """The samples in `path`, made first if missing. input.npy is one
    torch.randn draw, so these are standard normal too."""
    if not os.path.exists(path):
        gen = torch.Generator().manual_seed(seed)
        make_models.write_npy(path, torch.randn((count, 3, 224, 224), generator=gen).numpy())
    x = np.load(path)
    if x.dtype != np.float32 or x.ndim != 4 or x.shape[0] < count:
        raise SystemExit(f"{path}: want float32 [>={count},3,224,224], have {x.dtype} {list(x.shape)}")
    return torch.from_numpy(x[:count].copy())


def check_same_model(model, case_dir):
    """The rebuilt model must be the one make_models.py exported: same
    outputs, bit for bit, on the case's input."""
    x = torch.from_numpy(np.load(os.path.join(case_dir, "input.npy")))
    expected = np.load(os.path.join(case_dir, "expected.npy"))
    with torch.no_grad():
        y = model(x).numpy()
    if not np.array_equal(y, expected):
        raise SystemExit(f"{case_dir}: rebuilt model differs from expected.npy "
                         f"(max |diff| {np.abs(y - expected).max():.3g}); re-run make_models.py")


def run(model, xs):
    # One sample at a time, as Octet runs them (batch 1).
    with torch.no_grad():
        return torch.cat([model(x[None]) for x in xs])


def quantized_module_counts(model):
    """Modules of the converted model by kind: quantized ones live in
    torch.ao.nn.quantized / torch.nn.quantized (and .intrinsic.quantized)."""
    quantized, float_compute = {}, {}
    for m in model.modules():
        kind = type(m).__module__ + "." + type(m).__name__
        if type(m).__name__ == "LinearPackedParams":
            continue  # the weight holder inside a quantized Linear
        if ".quantized" in type(m).__module__:
            quantized[type(m).__name__] = quantized.get(type(m).__name__, 0) + 1
        elif isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            float_compute[kind] = float_compute.get(kind, 0) + 1
    return quantized, float_compute


def observer_settings(observer):
    """What fixes the qparams: kind, dtype, range, scheme, reduce_range."""
    return {"kind": type(observer).__name__, "dtype": str(observer.dtype),
            "qscheme": str(observer.qscheme), "quant_min": observer.quant_min,
            "quant_max": observer.quant_max, "reduce_range": observer.reduce_range}


def ptq_fx(model, calib, qconfig_mapping):
    prepared = prepare_fx(copy.deepcopy(model).eval(), qconfig_mapping, example_inputs=(calib[:1],))
    run(prepared, calib)
    return convert_fx(prepared)


def eager_twin(name, model):
    """torchvision's quantizable twin of the model (same parameter names, plus
    QuantStub/DeQuantStub and FloatFunctional adds) with the model's weights,
    Conv+BN(+ReLU) fused. Not tvq.mobilenet_v2(): it swaps ReLU6 for ReLU,
    which is another model; here ReLU6 stays, unfused (eager mode cannot fuse
    it), and only Conv+BN are fused."""
    import torchvision.models.quantization as tvq
    from torchvision.models.quantization.mobilenetv2 import QuantizableInvertedResidual
    from torchvision.ops.misc import Conv2dNormActivation
    if name == "mobilenet_v2":
        twin = tvq.QuantizableMobileNetV2(block=QuantizableInvertedResidual)
    else:
        twin = getattr(tvq, name)(weights=None, quantize=False)
    twin.load_state_dict(model.state_dict())
    twin.eval()
    x = torch.randn((1, 3, 224, 224), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        if not torch.equal(twin(x), model(x)):
            raise SystemExit(f"{name}: the eager-mode twin computes another function")
    if name == "mobilenet_v2":
        for m in twin.modules():
            if type(m) is Conv2dNormActivation:
                torch.ao.quantization.fuse_modules(m, ["0", "1"], inplace=True)
            elif type(m) is QuantizableInvertedResidual:
                m.fuse_model()  # its own Conv+BN pairs
    else:
        twin.fuse_model()
    return twin


def ptq_eager(name, model, calib):
    twin = eager_twin(name, model)
    twin.qconfig = get_default_qconfig(ENGINE)
    prepared = torch.ao.quantization.prepare(twin)
    run(prepared, calib)
    return torch.ao.quantization.convert(prepared)


def sqnr_db(ref, test):
    noise = float(((ref - test) ** 2).sum())
    signal = float((ref ** 2).sum())
    return float("inf") if noise == 0 else 10.0 * np.log10(signal / noise)


def top1_agreement(ref, test):
    return float((ref.argmax(1) == test.argmax(1)).float().mean())


def measure(name, case_dir, n_calib, n_eval, compare_minmax, eager):
    start = time.time()
    model, _ = make_models.build_vision(make_models.VISION_MODELS[name])
    check_same_model(model, case_dir)
    calib = samples(os.path.join(case_dir, "calib.npy"), n_calib, CALIB_SEED)
    evals = samples(os.path.join(case_dir, "eval.npy"), n_eval, EVAL_SEED)
    fp32 = run(model, evals)

    qconfig_mapping = get_default_qconfig_mapping(ENGINE)
    qconfig = qconfig_mapping.global_qconfig
    mode = "eager" if eager else "fx"
    try:
        quantized = ptq_eager(name, model, calib) if eager else ptq_fx(model, calib, qconfig_mapping)
    except Exception:  # any FX tracing or conversion failure: say so, use eager
        if eager:
            raise
        traceback.print_exc()
        mode = "eager (fx failed)"
        quantized = ptq_eager(name, model, calib)
    modules, float_left = quantized_module_counts(quantized)
    if not modules:
        raise SystemExit(f"{name}: the converted model has no quantized module")
    int8 = run(quantized, evals)

    result = {
        "sqnr_db": round(sqnr_db(fp32, int8), 3),
        "top1_agreement": top1_agreement(fp32, int8),
        "engine": ENGINE,
        "mode": mode,
        "calib": n_calib,
        "eval": n_eval,
        "activation_observer": observer_settings(qconfig.activation()),
        "weight_observer": observer_settings(qconfig.weight()),
        "quantized_modules": modules,
        "float_conv_linear_left": float_left,
        "fp32_output": {"mean": float(fp32.mean()), "std": float(fp32.std()),
                        "abs_max": float(fp32.abs().max())},
        "torch": torch.__version__,
    }
    if compare_minmax:
        minmax = QConfig(activation=MinMaxObserver.with_args(reduce_range=False),
                         weight=qconfig.weight)
        result["sqnr_db_minmax_observer"] = round(
            sqnr_db(fp32, run(ptq_fx(model, calib, QConfigMapping().set_global(minmax)), evals)), 3)
    result["seconds"] = round(time.time() - start, 1)
    write_json(os.path.join(case_dir, "pytorch_ptq.json"), result)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models_dir")
    parser.add_argument("--only", choices=sorted(make_models.VISION_MODELS), action="append",
                        help="measure only this model (may be repeated)")
    parser.add_argument("--calib", type=int, default=16, help="calibration samples")
    parser.add_argument("--eval", type=int, default=16, help="evaluation samples")
    parser.add_argument("--compare-minmax", action="store_true",
                        help="also measure with a MinMax activation observer")
    parser.add_argument("--eager", action="store_true",
                        help="eager mode with fused modules (the fallback) instead of FX")
    args = parser.parse_args()
    if ENGINE not in torch.backends.quantized.supported_engines:
        raise SystemExit(f"this PyTorch has no {ENGINE} engine "
                         f"({torch.backends.quantized.supported_engines})")
    torch.backends.quantized.engine = ENGINE
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    for name in args.only or make_models.VISION_MODELS:
        case_dir = os.path.join(args.models_dir, name)
        if not os.path.exists(os.path.join(case_dir, "expected.npy")):
            raise SystemExit(f"{case_dir}: no expected.npy; run make_models.py {args.models_dir} first")
        result = measure(name, case_dir, args.calib, args.eval, args.compare_minmax, args.eager)
        print(f"pytorch_ptq_sqnr: {name}: {json.dumps(result)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
