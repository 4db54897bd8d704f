#!/usr/bin/python3
"""PyTorch's own dynamic INT8 quantization of the LSTM models: the SQNR that
Octet's `quantize --mode dynamic` is held to (issue 5: at least this minus 1 dB).

    pytorch_dynamic_sqnr.py MODELS_DIR [--only CASE] [--forecaster-dir DIR]

Cases:
- lstm_<cfg>: the grid of make_lstm_models.py, whose OUT_DIR is MODELS_DIR;
  each entry whose folder exists is rebuilt (make_lstm_models.build_case) and
  checked bit for bit against the folder's input.npy and expected*.npy.
- sunspots_lstm: the forecaster of make_forecaster.py, rebuilt as a torch
  module from the weights of DIR's sunspots_lstm.onnx (DIR defaults to
  models/bundled) and checked against DIR's sunspots_expected.npy; its
  results go to MODELS_DIR/sunspots_lstm/. No retraining, so no statsmodels
  and no training bits that could move between machines.
Each model is converted with torch.ao.quantization.quantize_dynamic over
{nn.LSTM, nn.Linear} with dtype torch.qint8 (the default dynamic qconfig:
per-tensor symmetric int8 weights, uint8 activations quantized per call), on
the first quantized engine of ENGINES that converts and runs it. The SQNR is
10 log10(sum fp32^2 / sum (fp32 - int8)^2) output by output, as
`octet compare` counts it; "sqnr_db" is the first output's (the sequence
output y of the grid models, the forecast of sunspots_lstm).
Writes MODELS_DIR/<case>/pytorch_dynamic.json and prints one line per case."""
import argparse
import copy
import json
import os
import sys
import time

import numpy as np
import onnx
import onnx.helper
import onnx.numpy_helper

# qnnpack logs a reduce_range warning on every dynamic Linear call; keep
# errors only. torch's C++ logging reads both variables when it loads.
os.environ.setdefault("TORCH_CPP_LOG_LEVEL", "ERROR")
os.environ.setdefault("GLOG_minloglevel", "2")
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_forecaster  # noqa: E402  (the script directory is not a package)
import make_lstm_models  # noqa: E402

ENGINES = ("qnnpack", "onednn")
# The dynamic LSTM asks for reduce_range (7-bit activations); engines differ.
REDUCE_RANGE_NOTE = {"qnnpack": "ignored: activations use all 8 bits",
                     "onednn": "honoured: activations use 7 bits (about 6 dB less SQNR)"}
FORECASTER = "sunspots_lstm"
# The rebuilt module runs the exported weights, so only float summation order
# (torch's LSTM vs the traced one, thread count) may differ from the file.
FORECASTER_TOL = 1e-5
# ONNX stacks the LSTM gates as i, o, f, c; torch as i, f, g(=c), o: the ONNX
# block feeding each torch block, in torch's order.
ONNX_GATE_FOR_TORCH = (0, 2, 3, 1)


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def sqnr_db(ref, x):
    ref, x = ref.astype(np.float64), x.astype(np.float64)
    noise = float(np.sum((ref - x) ** 2))
    signal = float(np.sum(ref ** 2))
    return float("inf") if noise == 0 else 10 * np.log10(signal / noise)


def as_tuple(outputs):
    return outputs if isinstance(outputs, tuple) else (outputs,)


def quantize(model, engine):
    """The dynamic INT8 twin of `model` on `engine`."""
    torch.backends.quantized.engine = engine
    return torch.ao.quantization.quantize_dynamic(
        copy.deepcopy(model).eval(), {torch.nn.LSTM, torch.nn.Linear}, dtype=torch.qint8)


def first_working_engine(model, run, engines):
    """(engine, quantized model, its outputs, engines skipped) for the first of
    `engines` that this torch build has and that converts and runs the model."""
    errors = []
    for engine in engines:
        if engine not in torch.backends.quantized.supported_engines:
            errors.append(f"{engine}: not in this torch build")
            continue
        try:
            qmodel = quantize(model, engine)
            return engine, qmodel, run(qmodel), errors
        except (RuntimeError, NotImplementedError) as e:
            errors.append(f"{engine}: {str(e).splitlines()[0]}")
    raise SystemExit("no quantized engine runs the model: " + "; ".join(errors))


def quantized_kinds(qmodel):
    return sorted({type(m).__module__ + "." + type(m).__name__ for m in qmodel.modules()
                   if ".quantized" in type(m).__module__})


def measure(model, run, names, engines):
    """PyTorch FP32 vs dynamic INT8 of `model`, output by output."""
    with torch.no_grad():
        ref = [y.numpy() for y in as_tuple(run(model))]
        engine, qmodel, q, skipped = first_working_engine(model, lambda m: as_tuple(run(m)), engines)
    q = [y.numpy() for y in q]
    outputs = [{"index": i, "name": n, "sqnr_db": sqnr_db(r, y),
                "max_abs_error": float(np.max(np.abs(r - y)))}
               for i, (n, r, y) in enumerate(zip(names, ref, q))]
    result = {"sqnr_db": outputs[0]["sqnr_db"], "engine": engine, "outputs": outputs,
              "quantized_modules": quantized_kinds(qmodel), "torch": torch.__version__,
              "qconfig": "quantize_dynamic default: weights qint8 per-tensor symmetric, "
                         "activations quint8 per call",
              "reduce_range": REDUCE_RANGE_NOTE[engine]}
    if skipped:
        result["engines_skipped"] = skipped
    return result, ref, q


def grid_case(models_dir, cfg, engines):
    case_dir = os.path.join(models_dir, f"lstm_{cfg}")
    model, x, names = make_lstm_models.build_case(cfg)
    if not np.array_equal(x.numpy(), np.load(os.path.join(case_dir, "input.npy"))):
        raise SystemExit(f"{case_dir}: rebuilt input differs from input.npy; re-run make_lstm_models.py")
    result, ref, _ = measure(model, lambda m: m(x), names, engines)
    for name, r in zip(names, ref):
        file = "expected.npy" if name == names[0] else f"expected_{name}.npy"
        if not np.array_equal(r, np.load(os.path.join(case_dir, file))):
            raise SystemExit(f"{case_dir}: rebuilt model differs from {file}; re-run make_lstm_models.py")
    result["batch"] = int(x.shape[0 if model.batch_first else 1])
    return case_dir, result


def onnx_gates_to_torch(w, hidden):
    """An ONNX LSTM W, R or half of B ([4H, ...], gates i o f c) in torch's
    gate order (i f g o)."""
    return np.concatenate([w[g * hidden:(g + 1) * hidden] for g in ONNX_GATE_FOR_TORCH])


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def forecaster_from_onnx(path):
    """make_forecaster.Forecaster with the weights of its exported ONNX file:
    the LSTM nodes in graph order are the layers, the Gemm is the head."""
    graph = onnx.load(path).graph
    init = {t.name: onnx.numpy_helper.to_array(t) for t in graph.initializer}
    lstms = [n for n in graph.node if n.op_type == "LSTM"]
    gemms = [n for n in graph.node if n.op_type == "Gemm"]
    model = make_forecaster.Forecaster().eval()
    hidden = model.lstm.hidden_size
    if len(lstms) != model.lstm.num_layers or len(gemms) != 1:
        raise SystemExit(f"{path}: expected {model.lstm.num_layers} LSTM nodes and one Gemm, "
                         f"found {len(lstms)} and {len(gemms)}")
    state = {}
    for layer, node in enumerate(lstms):
        a = attrs(node)
        if a.get("direction", b"forward") != b"forward" or a.get("hidden_size") != hidden or \
                len(node.input) != 4 or set(a) - {"hidden_size", "direction"}:
            raise SystemExit(f"{path}: LSTM node {node.name or layer} is not a plain forward layer "
                             f"of hidden {hidden} with W, R, B (attributes {sorted(a)}, {len(node.input)} inputs)")
        w, r, b = (init[name][0] for name in node.input[1:4])  # drop num_directions
        state[f"lstm.weight_ih_l{layer}"] = onnx_gates_to_torch(w, hidden)
        state[f"lstm.weight_hh_l{layer}"] = onnx_gates_to_torch(r, hidden)
        state[f"lstm.bias_ih_l{layer}"] = onnx_gates_to_torch(b[:4 * hidden], hidden)
        state[f"lstm.bias_hh_l{layer}"] = onnx_gates_to_torch(b[4 * hidden:], hidden)
    gemm = gemms[0]
    a = attrs(gemm)
    if a.get("transB") != 1 or a.get("transA", 0) != 0 or a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0:
        raise SystemExit(f"{path}: the head Gemm is not x W^T + b (attributes {a})")
    state["head.weight"] = init[gemm.input[1]]
    state["head.bias"] = init[gemm.input[2]]
    model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in state.items()})
    return model


def forecaster_case(models_dir, forecaster_dir, engines):
    def bundled(name):
        return os.path.abspath(os.path.join(forecaster_dir, name))

    model = forecaster_from_onnx(bundled("sunspots_lstm.onnx"))
    test_x, test_y = np.load(bundled("sunspots_test_x.npy")), np.load(bundled("sunspots_test_y.npy"))
    expected = np.load(bundled("sunspots_expected.npy"))
    with open(bundled("sunspots.json")) as f:
        info = json.load(f)
    fp32 = make_forecaster.predict(model, test_x)
    rel = float(np.max(np.abs(fp32 - expected)) / np.max(np.abs(expected)))
    if rel > FORECASTER_TOL:
        raise SystemExit(f"{forecaster_dir}: the forecaster rebuilt from sunspots_lstm.onnx differs from "
                         f"sunspots_expected.npy (max|diff|/max|ref| {rel:.3g} > {FORECASTER_TOL})")
    xs = torch.from_numpy(test_x)
    # One window at a time, as a forecaster is served (batch 1): the
    # activation ranges are then those of one window.
    result, ref, q = measure(model, lambda m: torch.cat([m(w[None]) for w in xs]), ["y"], engines)
    result.update(batch=1, rebuilt_max_rel_diff=rel,
                  fp32_test_rmse=make_forecaster.rmse(ref[0], test_y),
                  int8_test_rmse=make_forecaster.rmse(q[0], test_y),
                  model=bundled("sunspots_lstm.onnx"), input=bundled("sunspots_test_x.npy"),
                  labels=bundled("sunspots_test_y.npy"))
    result["int8_test_rmse_sunspots"] = result["int8_test_rmse"] * info["std"]
    case_dir = os.path.join(models_dir, FORECASTER)
    os.makedirs(case_dir, exist_ok=True)
    return case_dir, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("models_dir")
    parser.add_argument("--only", action="append",
                        help=f"only this case (lstm_<cfg> or {FORECASTER}; may be repeated)")
    parser.add_argument("--engine", choices=ENGINES,
                        help="use only this quantized engine (default: the first of %(choices)s that works)")
    parser.add_argument("--forecaster-dir", default=os.path.join(here, "..", "models", "bundled"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    engines = (args.engine,) if args.engine else ENGINES

    cases = [f"lstm_{cfg}" for cfg in make_lstm_models.GRID
             if os.path.isdir(os.path.join(args.models_dir, f"lstm_{cfg}"))] + [FORECASTER]
    if args.only:
        unknown = sorted(set(args.only) - set(cases))
        if unknown:
            raise SystemExit(f"unknown or missing cases {unknown}; have {cases}")
        cases = [c for c in cases if c in args.only]
    for case in cases:
        start = time.time()
        if case == FORECASTER:
            case_dir, result = forecaster_case(args.models_dir, args.forecaster_dir, engines)
        else:
            case_dir, result = grid_case(args.models_dir, case[len("lstm_"):], engines)
        write_json(os.path.join(case_dir, "pytorch_dynamic.json"), result)
        per_output = ", ".join(f"{o['name']} {o['sqnr_db']:.2f}" for o in result["outputs"])
        extra = (f"; test RMSE FP32 {result['fp32_test_rmse']:.4f} INT8 {result['int8_test_rmse']:.4f}"
                 if case == FORECASTER else "")
        print(f"pytorch_dynamic_sqnr: {case}: engine {result['engine']}, SQNR {result['sqnr_db']:.2f} dB "
              f"(per output: {per_output}){extra} ({time.time() - start:.1f} s)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
