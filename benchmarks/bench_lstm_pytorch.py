#!/usr/bin/python3
"""PyTorch's latency on an LSTM grid model, FP32 and dynamic INT8
(quantize_dynamic), single thread: the numbers Octet's `octet bench` on the
same model's model.onnx is set beside (issue 5: batch 1, hidden 256,
sequence 64).

    bench_lstm_pytorch.py [--config bf_h256_s64_b1] [--runs 50] [--warmup 5]
                          [--engine qnnpack|onednn ...]

The model is rebuilt with scripts/make_lstm_models.build_case, so it is the
one make_lstm_models.py exports as lstm_<config>/model.onnx, on the same input.
Each engine of --engine (default: every one this torch build has of qnnpack,
onednn) gets its own quantize_dynamic({nn.LSTM, nn.Linear}, qint8) model.
Prints one JSON object: the config, threads, runs, and for "fp32" and each
"dynamic_int8_<engine>" the median, p10 and p90 latency in ms, plus
"dynamic_int8_best" (the engine with the lowest median). Run it in the same
session as `octet bench`: the machine is shared, so compare ratios, not the
absolute ms of different runs."""
import argparse
import copy
import json
import os
import sys
import time

import numpy as np

# qnnpack logs a reduce_range warning on every dynamic Linear call; keep
# errors only. torch's C++ logging reads both variables when it loads.
os.environ.setdefault("TORCH_CPP_LOG_LEVEL", "ERROR")
os.environ.setdefault("GLOG_minloglevel", "2")
import torch  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
import make_lstm_models  # noqa: E402  (the scripts directory is not a package)

ENGINES = ("qnnpack", "onednn")


def latencies_ms(model, x, runs, warmup):
    with torch.no_grad():
        for _ in range(warmup):
            model(x)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - start) * 1e3)
    p10, median, p90 = np.percentile(times, [10, 50, 90])
    return {"median_ms": float(median), "p10_ms": float(p10), "p90_ms": float(p90)}


def dynamic_int8(model, engine):
    torch.backends.quantized.engine = engine
    return torch.ao.quantization.quantize_dynamic(
        copy.deepcopy(model), {torch.nn.LSTM, torch.nn.Linear}, dtype=torch.qint8)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="bf_h256_s64_b1", choices=sorted(make_lstm_models.GRID))
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--engine", action="append", choices=ENGINES)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)

    model, x, _ = make_lstm_models.build_case(args.config)
    num_layers, hidden, seq, batch, bidirectional, batch_first, _ = make_lstm_models.GRID[args.config]
    result = {"model": f"lstm_{args.config}", "torch": torch.__version__,
              "threads": torch.get_num_threads(), "runs": args.runs, "warmup": args.warmup,
              "layers": num_layers, "hidden": hidden, "seq": seq, "batch": batch,
              "bidirectional": bidirectional, "input_size": make_lstm_models.INPUT_SIZE,
              "fp32": latencies_ms(model, x, args.runs, args.warmup)}
    engines = [e for e in (args.engine or ENGINES) if e in torch.backends.quantized.supported_engines]
    best = None
    for engine in engines:
        key = f"dynamic_int8_{engine}"
        try:
            qmodel = dynamic_int8(model, engine)
            result[key] = latencies_ms(qmodel, x, args.runs, args.warmup)
        except (RuntimeError, NotImplementedError) as e:
            result[key] = {"error": str(e).splitlines()[0]}
            continue
        if best is None or result[key]["median_ms"] < result[best]["median_ms"]:
            best = key
    if best is not None:
        result["dynamic_int8_best"] = dict(result[best], engine=best[len("dynamic_int8_"):])
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    sys.exit(main())
