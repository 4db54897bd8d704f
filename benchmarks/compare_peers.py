#!/usr/bin/python3
"""Octet against ONNX Runtime and PyTorch on the benchmark zoo (issue 6), in one run:

    compare_peers.py --octet BUILD/octet [--zoo DIR] [--threads 1 2] [--runs 20]
                     [--rounds 5] [--only NAME] [--no-install] [--json OUT.json]

Installs what it is missing (Debian's python3-torch, python3-torchvision,
nodejs, npm, libopenblas0; onnxruntime-node into benchmarks/.node with
--ignore-scripts: the CPU binding is in the npm package), makes the zoo with
make_zoo.py if DIR (default BUILD/zoo) lacks it, then for every model, batch 1:
- Octet FP32 (`octet bench` on model.onnx) and INT8 (`octet quantize`:
  static with --calib calib.npy; dynamic for lstm and mlp);
- ONNX Runtime FP32 (ort_bench.js) and INT8 on the QDQ model of `octet
  export-qdq`, with ORT's profile checked for integer kernels;
- PyTorch FP32 with the reference BLAS Debian's torch links (libblas.so.3)
  and again with Debian's OpenBLAS put first on LD_LIBRARY_PATH; PyTorch INT8:
  FX post-training quantization with the onednn and qnnpack engines (CNNs),
  quantize_dynamic (lstm, mlp);
- file sizes, and top-1 accuracy on the digits test split for every runtime.
Every runtime is timed once per round, rounds in turn (the machine's speed
drifts), a cell is the median of its round medians and a ratio the median
of its per-round ratios. Within a round Octet is timed before and after the
peers: its cell takes the mean of the two, and a ratio against a peer
takes Octet's time interpolated to when that peer ran, so a drift during
the round moves both sides of the ratio alike.
Prints one markdown table of median latencies per thread count (Octet runs on
one thread: its 1-thread numbers stand in every table), then sizes and
accuracy. Each PyTorch measurement runs in its own process (the BLAS is
chosen when torch loads)."""
import argparse
import glob
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
NODE_DIR = os.path.join(HERE, ".node")
APT_PACKAGES = ["python3-torch", "python3-torchvision", "python3-onnx", "libopenblas0"]
# Checked by executable, not by package: a NodeSource nodejs bundles npm and
# conflicts with Debian's npm package.
APT_COMMANDS = {"node": "nodejs", "npm": "npm"}
MODELS = ["resnet18", "mobilenet_v2", "lstm", "mlp", "digits_cnn"]
DYNAMIC_KINDS = ("lstm", "mlp")
TORCH_ENGINES = ("onednn", "qnnpack")
# After QDQ fusion these run on integer data; a float Conv/Gemm/MatMul/LSTM left in
# the executed graph means ORT dequantized around it instead.
ORT_INT_OPS = {"QLinearConv", "QLinearMatMul", "QGemm", "ConvInteger", "MatMulInteger", "MatMulIntegerToFloat",
               "DynamicQuantizeMatMul", "DynamicQuantizeLSTM", "QLinearAdd", "QAttention"}
ORT_FLOAT_OPS = {"Conv", "FusedConv", "Gemm", "FusedGemm", "MatMul", "FusedMatMul", "LSTM"}


# ---------------------------------------------------------------- setup

def ensure_installed(no_install):
    missing = [p for p in APT_PACKAGES
               if subprocess.run(["dpkg", "-s", p], capture_output=True).returncode != 0]
    missing += [p for c, p in APT_COMMANDS.items() if shutil.which(c) is None]
    if missing:
        if no_install:
            sys.exit(f"compare_peers: missing Debian packages {missing} (--no-install)")
        print(f"compare_peers: apt-get install {' '.join(missing)}", flush=True)
        subprocess.run(["apt-get", "install", "-y"] + missing, check=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    if not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "onnxruntime-node")):
        if no_install:
            sys.exit(f"compare_peers: no onnxruntime-node in {NODE_DIR} (--no-install)")
        os.makedirs(NODE_DIR, exist_ok=True)
        print(f"compare_peers: npm install onnxruntime-node into {NODE_DIR}", flush=True)
        subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "onnxruntime-node"],
                       cwd=NODE_DIR, check=True)


def blas_dirs():
    """LD_LIBRARY_PATH values that make torch load the reference BLAS or
    OpenBLAS, whatever update-alternatives currently points libblas.so.3 at."""
    def find(pattern):
        hits = sorted(glob.glob(pattern))
        return os.path.dirname(hits[0]) if hits else None
    return {"ref": find("/usr/lib/*/blas/libblas.so.3"), "openblas": find("/usr/lib/*/openblas-pthread/libblas.so.3")}


def run(cmd, env=None, check=True):
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return proc


def last_json(text):
    return json.loads(text.strip().splitlines()[-1])


# ---------------------------------------------------------------- Octet

def octet_prepare(octet, case, kind, result):
    """Quantizes the model; returns the INT8 .octet file the issue names
    (static, or dynamic for lstm/mlp), recording each mode's outcome."""
    model = os.path.join(case, "model.onnx")
    modes = {"static": ["--calib", os.path.join(case, "calib.npy")]}
    if kind in DYNAMIC_KINDS:
        modes["dynamic"] = ["--mode", "dynamic"]
    for mode, args in modes.items():
        out = os.path.join(case, f"int8_{mode}.octet")
        proc = run([octet, "quantize", model, "-o", out] + args, check=False)
        result[f"octet_quantize_{mode}"] = "ok" if proc.returncode == 0 else proc.stderr.strip()[-300:]
    chosen = "dynamic" if kind in DYNAMIC_KINDS else "static"
    path = os.path.join(case, f"int8_{chosen}.octet")
    ok = result[f"octet_quantize_{chosen}"] == "ok"
    return (path, chosen) if ok else (None, chosen)


def stamped(measure):
    """measure()'s result with t_mid, the wall-clock midpoint of the
    measurement (for interpolating Octet's bracket; see ratio())."""
    start = time.time()
    r = measure()
    if isinstance(r, dict):
        r.setdefault("t_mid", (start + time.time()) / 2)
    return r


def octet_bench(octet, model, runs):
    return stamped(lambda: json.loads(run([octet, "bench", model, "--runs", str(runs), "--warmup", "3",
                                           "--json"]).stdout))


def octet_accuracy(octet, model, case):
    out = run([octet, "eval", model, "--data", os.path.join(case, "test_x.npy"),
               "--labels", os.path.join(case, "test_y.npy"), "--json"]).stdout
    return json.loads(out)["accuracy"]


def export_qdq(octet, int8_model, out):
    """The INT8 model as QDQ ONNX (`octet export-qdq`), or None when this
    octet has no export-qdq (an older build)."""
    if run([octet, "export-qdq", "--help"], check=False).returncode != 0:
        return None
    run([octet, "export-qdq", int8_model, "-o", out])
    return out


# ---------------------------------------------------------------- ONNX Runtime

def ort_bench(model, case, threads, runs, profile=False, accuracy=False):
    cmd = ["node", os.path.join(HERE, "ort_bench.js"), model, os.path.join(case, "input.npy"),
           "--threads", str(threads), "--runs", str(runs), "--warmup", "3"]
    if profile:
        cmd.append("--profile")
    if accuracy:
        cmd += ["--eval", os.path.join(case, "test_x.npy"), "--labels", os.path.join(case, "test_y.npy")]
    return stamped(lambda: last_json(run(cmd).stdout))


def ort_integer_check(kernels):
    ints = sorted(k for k in kernels if k in ORT_INT_OPS)
    floats = sorted(k for k in kernels if k in ORT_FLOAT_OPS)
    return {"integer_kernels": ints, "float_kernels_left": floats, "fused": bool(ints) and not floats}


# ---------------------------------------------------------------- PyTorch (worker process)

def torch_worker(args):
    """Runs inside a fresh process whose LD_LIBRARY_PATH picked the BLAS:
    prints one JSON object {variant: {median_ms, p10_ms, p90_ms, bytes, accuracy?}}."""
    os.environ.setdefault("TORCH_CPP_LOG_LEVEL", "ERROR")
    import copy
    import numpy as np
    import torch
    sys.path.insert(0, HERE)
    sys.path.insert(0, os.path.join(REPO, "scripts"))
    import make_zoo
    import pytorch_ptq_sqnr
    from torch.ao.quantization import get_default_qconfig_mapping

    torch.set_num_threads(args.threads)
    case = os.path.join(args.zoo, args.torch_worker)
    kind = make_zoo.KINDS[args.torch_worker]
    model = make_zoo.torch_model(args.torch_worker).eval()
    x = torch.from_numpy(np.load(os.path.join(case, "input.npy")))
    calib = torch.from_numpy(np.load(os.path.join(case, "calib.npy")))

    def timed(m):
        with torch.no_grad():
            for _ in range(3):
                m(x)
            times = []
            wall = time.time()
            for _ in range(args.runs):
                start = time.perf_counter()
                m(x)
                times.append((time.perf_counter() - start) * 1e3)
        p10, median, p90 = np.percentile(times, [10, 50, 90])
        r = {"median_ms": float(median), "p10_ms": float(p10), "p90_ms": float(p90),
             "t_mid": (wall + time.time()) / 2}
        buf = io.BytesIO()
        torch.save(m.state_dict(), buf)
        r["bytes"] = buf.tell()
        if args.accuracy and os.path.exists(os.path.join(case, "test_x.npy")):
            tx = torch.from_numpy(np.load(os.path.join(case, "test_x.npy")))
            ty = np.load(os.path.join(case, "test_y.npy"))
            pred = pytorch_ptq_sqnr.run(m, tx).argmax(1).numpy()  # batch 1, as the others
            r["accuracy"] = float((pred == ty).mean())
        return r

    out = {}
    for variant in args.variants.split(","):
        try:
            if variant == "fp32":
                out[variant] = timed(model)
                continue
            engine = variant
            if engine not in torch.backends.quantized.supported_engines:
                out[variant] = {"error": f"no {engine} engine in this torch"}
                continue
            torch.backends.quantized.engine = engine
            if kind in DYNAMIC_KINDS:
                q = torch.ao.quantization.quantize_dynamic(copy.deepcopy(model), {torch.nn.LSTM, torch.nn.Linear},
                                                           dtype=torch.qint8)
                mode = "dynamic"
            else:
                q = pytorch_ptq_sqnr.ptq_fx(model, calib, get_default_qconfig_mapping(engine))
                mode = "fx static"
            out[variant] = dict(timed(q), mode=mode)
        except Exception as e:  # one failing variant must not hide the others
            out[variant] = {"error": f"{type(e).__name__}: {str(e)[:300]}"}
    print(json.dumps(out), flush=True)


def torch_bench(zoo, name, threads, runs, blas_dir, variants, accuracy):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               TORCH_CPP_LOG_LEVEL="ERROR", GLOG_minloglevel="2")
    if blas_dir:
        env["LD_LIBRARY_PATH"] = blas_dir + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    cmd = [sys.executable, os.path.abspath(__file__), "--torch-worker", name, "--zoo", zoo,
           "--threads", str(threads), "--runs", str(runs), "--variants", ",".join(variants)]
    if accuracy:
        cmd.append("--accuracy")
    return last_json(run(cmd, env=env).stdout)


def torch_blas_check(blas_dir):
    """Which libblas.so.3 torch really maps with this LD_LIBRARY_PATH."""
    env = dict(os.environ, LD_LIBRARY_PATH=blas_dir or "")
    code = ("import torch, re; print(sorted({l.split()[-1] for l in open('/proc/self/maps') "
            "if re.search(r'lib(open)?blas', l)}))")
    return run([sys.executable, "-c", code], env=env).stdout.strip()


# ---------------------------------------------------------------- measuring

def measure(a, name, blas):
    case = os.path.join(a.zoo, name)
    with open(os.path.join(case, "meta.json")) as f:
        kind = json.load(f)["kind"]
    digits = os.path.exists(os.path.join(case, "test_x.npy"))
    r = {"kind": kind, "by_threads": {}, "sizes": {}, "accuracy": {}}
    fp32 = os.path.join(case, "model.onnx")
    int8, mode = octet_prepare(a.octet, case, kind, r)
    r["octet_int8_mode"] = mode
    qdq = export_qdq(a.octet, int8, os.path.join(case, "model_qdq.onnx")) if int8 else None
    r["sizes"].update({"onnx_fp32": os.path.getsize(fp32), "octet_int8": os.path.getsize(int8) if int8 else None,
                       "onnx_qdq": os.path.getsize(qdq) if qdq else None})
    if digits:
        r["accuracy"]["octet_fp32"] = octet_accuracy(a.octet, fp32, case)
        if int8:
            r["accuracy"]["octet_int8"] = octet_accuracy(a.octet, int8, case)
    # The machine is shared: its speed drifts by up to 2x over tens of
    # seconds. Every runtime is timed once per round, the rounds one after
    # another, and each cell is the median of its round medians, so a slow
    # spell falls on all columns alike instead of on whichever ran in it.
    rounds = {t: [] for t in a.threads}

    def octet_round():
        o = {"octet_fp32": octet_bench(a.octet, fp32, a.runs)}
        if int8:
            o["octet_int8"] = octet_bench(a.octet, int8, a.runs)
        return o

    for k in range(a.rounds):
        # Octet is single-threaded: its 1-thread timings stand in every table,
        # taken before and after each table's peers (bracket()).
        for t in a.threads:
            before = octet_round()
            peers = peer_round(a, name, case, t, fp32, qdq, blas, k == 0, digits and k == 0)
            after = octet_round()
            octet = {key: bracket(before[key], after[key]) for key in before}
            rounds[t].append(dict(octet, **peers))
    for t in a.threads:
        row = {key: merge_rounds([rd.get(key) for rd in rounds[t]]) for key in rounds[t][0]}
        if t == a.threads[0]:
            first = rounds[t][0]
            for key in ("ort_fp32", "ort_int8", "torch_fp32_refblas", "torch_int8_onednn", "torch_int8_qnnpack"):
                acc = (first.get(key) or {}).get("eval", {}).get("accuracy") if key.startswith("ort") \
                    else (first.get(key) or {}).get("accuracy")
                if acc is not None:
                    r["accuracy"][key] = acc
            for e in TORCH_ENGINES:
                r["sizes"][f"torch_int8_{e}"] = (first.get(f"torch_int8_{e}") or {}).get("bytes")
            r["sizes"]["torch_fp32"] = (first.get("torch_fp32_refblas") or {}).get("bytes")
        r["by_threads"][str(t)] = row
    return r


def peer_round(a, name, case, t, fp32, qdq, blas, profile, accuracy):
    """One timing of every peer at t threads (ORT's kernel profile and the
    accuracy runs only when asked: the first round)."""
    row = {"ort_fp32": ort_bench(fp32, case, t, a.runs, accuracy=accuracy)}
    if qdq:
        q = ort_bench(qdq, case, t, a.runs, profile=profile, accuracy=accuracy)
        if profile:
            q.update(ort_integer_check(q.get("kernels") or {}))
        row["ort_int8"] = q
    pt = torch_bench(a.zoo, name, t, a.runs, blas["ref"], ["fp32"] + list(TORCH_ENGINES), accuracy)
    row["torch_fp32_refblas"] = pt["fp32"]
    for e in TORCH_ENGINES:
        row[f"torch_int8_{e}"] = pt[e]
    row["torch_fp32_openblas"] = (torch_bench(a.zoo, name, t, a.runs, blas["openblas"], ["fp32"], False)["fp32"]
                                  if blas["openblas"] else {"error": "no OpenBLAS"})
    return row


def bracket(before, after):
    """Octet's round value: the mean of its timings before and after the
    peers (the machine's speed drifts by up to 2x within a minute; the
    peers run between the two)."""
    merged = dict(before)
    merged["bracket"] = [[before["t_mid"], before["median_ms"]], [after["t_mid"], after["median_ms"]]]
    merged["median_ms"] = (before["median_ms"] + after["median_ms"]) / 2
    return merged


def merge_rounds(entries):
    """The first round's entry (accuracy, profile, sizes) with median_ms the
    median of every round's median; round_medians keeps them in round order
    (None for a round that failed), for per-round ratios."""
    timed = [e for e in entries if isinstance(e, dict) and "median_ms" in e]
    if not timed:
        return entries[0]
    merged = dict(entries[0]) if isinstance(entries[0], dict) and "median_ms" in entries[0] else dict(timed[0])
    merged["round_medians"] = [e["median_ms"] if isinstance(e, dict) and "median_ms" in e else None for e in entries]
    merged["round_times"] = [e.get("t_mid") if isinstance(e, dict) else None for e in entries]
    merged["round_brackets"] = [e.get("bracket") if isinstance(e, dict) else None for e in entries]
    merged["median_ms"] = median([e["median_ms"] for e in timed])
    return merged


def median(values):
    v = sorted(values)
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


# ---------------------------------------------------------------- tables

COLUMNS = [("octet_fp32", "Octet FP32"), ("octet_int8", "Octet INT8"), ("ort_fp32", "ORT FP32"),
           ("ort_int8", "ORT INT8 (QDQ)"), ("torch_fp32_refblas", "PyTorch FP32 (ref BLAS)"),
           ("torch_fp32_openblas", "PyTorch FP32 (OpenBLAS)"), ("torch_int8_onednn", "PyTorch INT8 onednn"),
           ("torch_int8_qnnpack", "PyTorch INT8 qnnpack")]
INT8_PEERS = ("ort_int8", "torch_int8_onednn", "torch_int8_qnnpack")


def ms(entry):
    return entry.get("median_ms") if isinstance(entry, dict) else None


def cell(entry):
    if not isinstance(entry, dict):
        return "n/a"
    if "error" in entry:
        return "error"
    return f"{entry['median_ms']:.3g}" if entry["median_ms"] < 10 else f"{entry['median_ms']:.1f}"


def at_time(entry, i, t):
    """entry's round-i time, Octet's bracket interpolated to wall time t."""
    brackets = entry.get("round_brackets") or []
    b = brackets[i] if i < len(brackets) else None
    if not b or t is None:
        return (entry.get("round_medians") or [None] * (i + 1))[i]
    (t0, v0), (t1, v1) = b
    w = 0.0 if t1 <= t0 else min(max((t - t0) / (t1 - t0), 0.0), 1.0)
    return v0 + w * (v1 - v0)


def ratio(num, den):
    """num / den as a cell: the median of the per-round ratios when both were
    timed in the same rounds (a slow spell then hits both sides of each
    ratio; Octet's side interpolated to when the peer ran), else the ratio
    of the medians."""
    if not (ms(num) and ms(den)):
        return "n/a"
    per_round = []
    for i in range(min(len(num.get("round_medians") or []), len(den.get("round_medians") or []))):
        tn = (num.get("round_times") or [None] * (i + 1))[i]
        td = (den.get("round_times") or [None] * (i + 1))[i]
        x, y = at_time(num, i, td), at_time(den, i, tn)
        if x and y:
            per_round.append(x / y)
    return f"{median(per_round) if per_round else ms(num) / ms(den):.2f}"


def latency_table(results, threads):
    octet_note = " (1 thread)" if threads != 1 else ""
    head = [h + (octet_note if k.startswith("octet") else "") for k, h in COLUMNS]
    head += ["Octet INT8 / best INT8 peer", "ORT FP32 / Octet INT8", "Octet FP32 / ORT FP32"]
    lines = [f"### {threads} thread{'s' if threads != 1 else ''}, batch 1: median ms",
             "", "| model | " + " | ".join(head) + " |", "|---" * (len(head) + 1) + "|"]
    for name, r in results.items():
        row = r["by_threads"][str(threads)]
        cells = [cell(row.get(k)) for k, _ in COLUMNS]
        if r["octet_int8_mode"] == "dynamic" and cells[1] not in ("n/a", "error"):
            cells[1] += " (dyn)"
        if isinstance(row.get("ort_int8"), dict) and not row["ort_int8"].get("fused", True):
            cells[3] += " (not fused!)"
        # An ORT "INT8" run that ORT did not fuse into integer kernels is FP32 work: no INT8 peer.
        peers = [(ms(row.get(k)), k) for k in INT8_PEERS if ms(row.get(k)) and row[k].get("fused", True)]
        best = min(peers) if peers else (None, None)
        o8, o32, r32 = row.get("octet_int8"), row.get("octet_fp32"), row.get("ort_fp32")
        best_cell = f"{ratio(o8, row[best[1]])} ({dict(COLUMNS)[best[1]]})" if best[0] else "n/a"
        cells += [best_cell, ratio(r32, o8), ratio(o32, r32)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def size_table(results):
    cols = [("onnx_fp32", "ONNX FP32"), ("octet_int8", "Octet INT8"), ("onnx_qdq", "QDQ ONNX"),
            ("torch_fp32", "PyTorch FP32"), ("torch_int8_onednn", "PyTorch INT8 onednn"),
            ("torch_int8_qnnpack", "PyTorch INT8 qnnpack")]
    lines = ["### model size (MB; PyTorch: saved state_dict)", "",
             "| model | " + " | ".join(h for _, h in cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name, r in results.items():
        s = r["sizes"]
        lines.append(f"| {name} | " + " | ".join(f"{s[k] / 1e6:.2f}" if s.get(k) else "n/a" for k, _ in cols) + " |")
    acc_cols = [("octet_fp32", "Octet FP32"), ("octet_int8", "Octet INT8"), ("ort_fp32", "ORT FP32"),
                ("ort_int8", "ORT INT8"), ("torch_fp32_refblas", "PyTorch FP32"),
                ("torch_int8_onednn", "PyTorch INT8 onednn"), ("torch_int8_qnnpack", "PyTorch INT8 qnnpack")]
    for name, r in results.items():
        if r["accuracy"]:
            lines += ["", f"### top-1 accuracy, {name} test split", "",
                      "| " + " | ".join(h for _, h in acc_cols) + " |", "|---" * len(acc_cols) + "|",
                      "| " + " | ".join(f"{r['accuracy'][k]:.4f}" if k in r["accuracy"] else "n/a"
                                        for k, _ in acc_cols) + " |"]
    return "\n".join(lines)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            return next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "unknown CPU")
    except OSError:
        return "unknown CPU"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--octet", help="the octet binary (BUILD/octet)")
    p.add_argument("--zoo", help="model zoo directory (default: BUILD/zoo, made if missing)")
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--runs", type=int, default=20, help="timed runs per round (default 20)")
    p.add_argument("--rounds", type=int, default=5,
                   help="rounds of timing every runtime in turn; cells are the median of round medians (default 5)")
    p.add_argument("--only", choices=MODELS, action="append")
    p.add_argument("--no-install", action="store_true", help="fail instead of installing what is missing")
    p.add_argument("--json", help="also write all measurements here")
    # Internal: one PyTorch measurement in a process of its own.
    p.add_argument("--torch-worker", help=argparse.SUPPRESS)
    p.add_argument("--variants", default="fp32", help=argparse.SUPPRESS)
    p.add_argument("--accuracy", action="store_true", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.torch_worker:
        a.threads = a.threads[0]
        return torch_worker(a)
    if not a.octet:
        p.error("--octet is required")
    a.octet = os.path.abspath(a.octet)
    a.zoo = os.path.abspath(a.zoo or os.path.join(os.path.dirname(a.octet), "zoo"))
    start = time.time()
    ensure_installed(a.no_install)
    names = a.only or MODELS
    missing = [n for n in names if not os.path.exists(os.path.join(a.zoo, n, "meta.json"))]
    if missing:
        cmd = [sys.executable, os.path.join(HERE, "make_zoo.py"), a.zoo]
        for n in missing:
            cmd += ["--only", n]
        subprocess.run(cmd, check=True)
    blas = blas_dirs()
    blas_seen = {k: torch_blas_check(v) for k, v in blas.items() if v}
    results = {}
    for name in names:
        t0 = time.time()
        results[name] = measure(a, name, blas)
        print(f"compare_peers: {name} measured ({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)
    isa = next((r["by_threads"][str(a.threads[0])]["octet_int8"].get("isa") for r in results.values()
                if "octet_int8" in r["by_threads"][str(a.threads[0])]), "?")
    ort_version = next(iter(results.values()))["by_threads"][str(a.threads[0])]["ort_fp32"].get("ort")
    import torch
    print(f"Octet ISA {isa}; ONNX Runtime {ort_version} (onnxruntime-node); PyTorch {torch.__version__} (Debian); "
          f"median of {a.rounds} rounds x {a.runs} runs; {time.strftime('%Y-%m-%d')} on {os.uname().nodename}, "
          f"{os.cpu_count()} CPUs ({cpu_model()})\nPyTorch BLAS per run: {blas_seen}\n")
    for t in a.threads:
        print(latency_table(results, t) + "\n")
    print(size_table(results))
    notes = {n: {k: v for k, v in r.items() if k.startswith("octet_quantize") and v != "ok"} for n, r in results.items()}
    notes = {n: v for n, v in notes.items() if v}
    if notes:
        print(f"\nOctet quantization failures: {json.dumps(notes, indent=1)}")
    print(f"\ncompare_peers: {time.time() - start:.0f} s in all", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"results": results, "blas": blas_seen}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
