#!/usr/bin/python3
"""Octet's throughput at 1 and 2 threads on the same models, measured in
one run: rounds alternate the thread counts (this machine is shared and
noisy), each round an `octet bench --json` of R runs.

    bench_threads.py --octet build/octet MODEL [MODEL ...] [--rounds 7] [--runs 30] [--threads 1 2]

Prints per model the median latency of each round per thread count, the
median over rounds, and the speedup: per-round t1 / tN latency ratios'
median (throughput of one run at a time, the session's own threads)."""
import argparse
import json
import statistics
import subprocess
import sys


def bench(octet, model, threads, runs):
    out = subprocess.run([octet, "bench", model, "--runs", str(runs), "--warmup", "3", "--threads", str(threads),
                          "--json"], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("bench_threads: %s failed: %s" % (model, out.stderr.strip()))
    return json.loads(out.stdout.strip().splitlines()[-1])["median_ms"]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--octet", required=True)
    p.add_argument("models", nargs="+")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = p.parse_args()
    for model in args.models:
        ms = {t: [] for t in args.threads}
        for _ in range(args.rounds):
            for t in args.threads:
                ms[t].append(bench(args.octet, model, t, args.runs))
        base = args.threads[0]
        result = {"model": model, "rounds": args.rounds, "runs": args.runs}
        for t in args.threads:
            result["median_ms_t%d" % t] = round(statistics.median(ms[t]), 4)
            if t != base:
                ratios = [a / b for a, b in zip(ms[base], ms[t])]
                result["speedup_t%d" % t] = round(statistics.median(ratios), 3)
                result["speedup_t%d_rounds" % t] = [round(r, 2) for r in ratios]
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
