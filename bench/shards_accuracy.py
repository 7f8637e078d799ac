#!/usr/bin/python3
"""Issue 18 part 7: SHARDS at scale. The one-pass LRU miss-ratio curve of the 10M-request zipf(1.0)
trace (763k objects) over 20 capacities from 0.1% to 100% of the working set, exact and with
`sample: 0.01` and `sample: 0.001`: the mean absolute error of the miss ratio against the exact
curve, with wall time and peak RSS (/usr/bin/time), --rounds runs each (median).

Usage: shards_accuracy.py BUILD_DIR [--rounds 3] [--workdir /tmp/cachelab-shards]
"""
import argparse
import csv
import os
import re
import statistics
import subprocess
import sys

FRACTIONS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5,
             0.6, 0.7, 0.8, 0.9, 1.0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workdir", default="/tmp/cachelab-shards")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    trace = os.path.join(args.workdir, "zipf1.0_1M_10M.oracleGeneral.bin")
    gen = subprocess.run([os.path.join(args.build, "bench", "gen_zipf_trace"), trace, "--requests", "10000000",
                          "--objects", "1000000", "--alpha", "1.0"], capture_output=True, text=True, check=True).stdout
    objects = int(re.search(r"(\d+) distinct objects", gen).group(1))
    caps = [max(1, int(objects * f)) for f in FRACTIONS]
    curves, costs = {}, {}
    for rate in [1.0, 0.01, 0.001]:
        yaml = os.path.join(args.workdir, f"mrc-{rate}.yaml")
        with open(yaml, "w") as f:
            f.write(f"name: shards\nsample: {rate}\ncache: {{capacity: {caps[0]} objects, policy: lru}}\n"
                    f"trace: {{path: {trace}, format: oracleGeneral}}\n"
                    "sweep: {capacity: [" + ", ".join(f"{c} objects" for c in caps) + "]}\n")
        out = os.path.join(args.workdir, f"out-{rate}")
        runs = []
        for _ in range(args.rounds):
            err = subprocess.run(["/usr/bin/time", "-f", "WALL %e RSS %M", os.path.join(args.build, "cachelab"), "sim",
                                  yaml, "-o", out], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                 check=True).stderr
            m = re.search(r"WALL ([\d.]+) RSS (\d+)", err)
            runs.append((float(m.group(1)), int(m.group(2)) / 1024))
        with open(os.path.join(out, "results.csv")) as f:
            curves[rate] = [1 - float(row["hit_ratio"]) for row in csv.DictReader(f)]
        costs[rate] = runs
        print(f"rate {rate}: " + " · ".join(f"{w:.2f} s" for w, _ in runs), flush=True)
    print(f"\n10M requests, {objects} objects; 20 capacities {caps[0]} .. {caps[-1]} objects\n")
    print("| sample rate | MAE of miss ratio | max abs error | wall s (runs) | median | peak RSS MiB |")
    print("| --- | --- | --- | --- | --- | --- |")
    exact = curves[1.0]
    for rate, curve in curves.items():
        errors = [abs(a - b) for a, b in zip(curve, exact)]
        runs = costs[rate]
        print(f"| {rate} | {100 * statistics.mean(errors):.3f}% | {100 * max(errors):.3f}% | " +
              " · ".join(f"{w:.2f}" for w, _ in runs) + f" | **{statistics.median(w for w, _ in runs):.2f}** | "
              f"{statistics.median(r for _, r in runs):.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
