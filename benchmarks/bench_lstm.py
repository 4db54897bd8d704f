#!/usr/bin/python3
"""Octet's dynamic INT8 LSTM against Octet FP32 and PyTorch FP32 / quantize_dynamic,
in one run (issue 5: single thread, batch 1, hidden 256, sequence 64).

    bench_lstm.py --octet BUILD/octet --models BUILD/tests/e2e/lstm_models
                  [--config bf_h256_s64_b1] [--runs 50]

Quantizes MODELS/lstm_<config>/model.onnx with `octet quantize --mode dynamic`,
then times, back to back: `octet bench` on the FP32 ONNX and on the INT8
.octet, and benchmarks/bench_lstm_pytorch.py on the same model rebuilt in
PyTorch. Prints one table; read the ratios, the machine is shared."""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def octet_bench(octet, model, runs):
    return json.loads(run([octet, "bench", model, "--runs", str(runs), "--warmup", "5", "--json"]))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--octet", required=True)
    p.add_argument("--models", required=True)
    p.add_argument("--config", default="bf_h256_s64_b1")
    p.add_argument("--runs", type=int, default=50)
    a = p.parse_args()
    case = os.path.join(a.models, f"lstm_{a.config}")
    fp32_model, int8_model = os.path.join(case, "model.onnx"), os.path.join(case, "dynamic_int8.octet")
    run([a.octet, "quantize", fp32_model, "--mode", "dynamic", "-o", int8_model])
    fp32, int8 = octet_bench(a.octet, fp32_model, a.runs), octet_bench(a.octet, int8_model, a.runs)
    torch = json.loads(run([sys.executable, os.path.join(HERE, "bench_lstm_pytorch.py"), "--config", a.config,
                            "--runs", str(a.runs)]))
    rows = [("Octet FP32", fp32["median_ms"], fp32["model_bytes"]),
            (f"Octet dynamic INT8 ({int8['isa']})", int8["median_ms"], int8["model_bytes"]),
            ("PyTorch FP32", torch["fp32"]["median_ms"], None)]
    for key, value in torch.items():
        if key.startswith("dynamic_int8_") and key != "dynamic_int8_best":
            rows.append((f"PyTorch quantize_dynamic ({key[len('dynamic_int8_'):]})", value["median_ms"], None))
    print(f"lstm_{a.config}: single thread, batch 1, median of {a.runs} runs\n")
    print(f"{'':38}{'median ms':>10}{'vs Octet INT8':>15}{'file bytes':>12}")
    for name, ms, size in rows:
        print(f"{name:38}{ms:10.3f}{ms / int8['median_ms']:14.2f}x{size if size else '':>12}")


if __name__ == "__main__":
    main()
