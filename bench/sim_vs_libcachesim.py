#!/usr/bin/python3
"""Trace replay speed and peak memory, `cachelab sim` against libCacheSim's `cachesim`, same run.

Generates (once, into --workdir) a 10M-request oracleGeneral trace, zipf(1.0) over 1M objects
(bench/gen_zipf_trace), then replays it per policy at 1% of the working set (in objects; both
tools count objects: cachelab with `N objects`, cachesim with --ignore-obj-size 1), the two tools
alternating, --rounds times. Wall time and peak RSS come from /usr/bin/time -v; requests/s is
requests / wall time (process start and trace reading included, for both). Also times an lru
miss-ratio curve over 20 capacities (one pass) against one lru replay.

libCacheSim is not part of cachelab: build it beside the project and pass its cachesim binary
(--cachesim); without it only cachelab's figures are printed.

--inputs oracleGeneral,csv also replays the same trace as csv (`cachelab trace convert`, with a
header: time,key,size,op,ttl), which both tools parse as text (cachesim: its csv reader with
time-col=1, obj-id-col=2, obj-size-col=3, has-header).

Usage: sim_vs_libcachesim.py BUILD_DIR [--cachesim PATH] [--rounds 3] [--workdir /tmp/cachelab-bench]
       [--policies lru,s3fifo] [--inputs oracleGeneral,csv] [--no-mrc]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

REQUESTS = 10_000_000
OBJECTS = 1_000_000
# libCacheSim's names for cachelab's policies.
PEER_NAME = {"lru": "lru", "s3fifo": "s3fifo", "fifo": "fifo", "sieve": "sieve", "clock": "clock",
             "arc": "arc", "lfu": "lfu", "2q": "twoq", "lirs": "lirs", "tinylfu": "wtinylfu"}


def timed(cmd, cwd=None):
    """Runs cmd under /usr/bin/time -v; returns (wall seconds, peak RSS KiB, stdout+stderr)."""
    out = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, check=True, cwd=cwd).stdout
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", out)
    seconds = int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out).group(1))
    return seconds, rss, out


# How each tool is told the input's format.
CACHELAB_FORMAT = {"oracleGeneral": "format: oracleGeneral",
                   "csv": "format: csv, header: true, columns: {time: 1, key: 2, size: 3}"}
CACHESIM_FORMAT = {"oracleGeneral": ["oracleGeneral"],
                   "csv": ["csv", "-t", "time-col=1,obj-id-col=2,obj-size-col=3,delimiter=,,has-header=true"]}


def scenario(workdir, trace, policy, capacities, fmt="oracleGeneral"):
    path = os.path.join(workdir, f"{policy}-{len(capacities)}-{fmt}.yaml")
    with open(path, "w") as f:
        f.write(f"name: zipf-{policy}\n")
        f.write(f"cache: {{capacity: {capacities[0]} objects, policy: {policy}}}\n")
        f.write(f"trace: {{path: {trace}, {CACHELAB_FORMAT[fmt]}}}\n")
        if len(capacities) > 1:
            f.write("sweep: {capacity: [" + ", ".join(f"{c} objects" for c in capacities) + "]}\n")
    return path


def miss_ratio_cachelab(out):
    row = next(line for line in out.splitlines() if line.startswith("zipf-"))
    return 1 - float(row.split()[7])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--cachesim")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workdir", default="/tmp/cachelab-bench")
    ap.add_argument("--policies", default="lru,s3fifo")
    ap.add_argument("--inputs", default="oracleGeneral")
    ap.add_argument("--no-mrc", action="store_true")
    args = ap.parse_args()
    cachelab = os.path.join(args.build, "cachelab")
    os.makedirs(args.workdir, exist_ok=True)
    trace = os.path.join(args.workdir, "zipf1.0_1M_10M.oracleGeneral.bin")
    gen = subprocess.run([os.path.join(args.build, "bench", "gen_zipf_trace"), trace, "--requests", str(REQUESTS),
                          "--objects", str(OBJECTS), "--alpha", "1.0"], stdout=subprocess.PIPE, text=True, check=True)
    working_set = int(re.search(r"(\d+) distinct objects", gen.stdout).group(1))
    cap = working_set // 100
    print(f"trace: {REQUESTS} requests, {working_set} distinct objects; capacity {cap} objects (1%)", flush=True)

    traces = {"oracleGeneral": trace}
    if "csv" in args.inputs.split(","):
        traces["csv"] = os.path.join(args.workdir, "zipf1.0_1M_10M.csv")
        if not os.path.exists(traces["csv"]):
            subprocess.run([cachelab, "trace", "convert", trace, traces["csv"], "--from", "oracleGeneral", "--to", "csv"],
                           check=True, stdout=subprocess.DEVNULL)

    rows = []
    for fmt in args.inputs.split(","):
        for policy in args.policies.split(","):
            yaml = scenario(args.workdir, traces[fmt], policy, [cap], fmt)
            runs = {"cachelab": [], "cachesim": []}
            misses = {}
            label = policy if fmt == "oracleGeneral" else f"{policy} ({fmt})"
            for r in range(args.rounds):
                wall, rss, out = timed([cachelab, "sim", yaml, "-o", os.path.join(args.workdir, "out")])
                runs["cachelab"].append((REQUESTS / wall / 1e6, rss / 1024))
                misses["cachelab"] = miss_ratio_cachelab(out)
                if args.cachesim:
                    wall, rss, out = timed([args.cachesim, traces[fmt]] + CACHESIM_FORMAT[fmt][:1] +
                                           [PEER_NAME.get(policy, policy), str(cap), "--ignore-obj-size", "1"] +
                                           CACHESIM_FORMAT[fmt][1:], cwd=args.workdir)  # it writes a file here
                    runs["cachesim"].append((REQUESTS / wall / 1e6, rss / 1024))
                    misses["cachesim"] = float(re.search(r"miss ratio ([\d.]+)", out).group(1))
                print(f"  {label} round {r + 1}: " + "  ".join(f"{k} {v[-1][0]:.2f} M req/s {v[-1][1]:.0f} MiB"
                                                             for k, v in runs.items() if v), flush=True)
            rows.append((label, runs, misses))

    # The one-pass curve: 20 capacities from 0.1% to 100% of the working set, against one replay.
    fractions = [0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5,
                 0.6, 0.7, 0.8, 0.9, 1.0]
    mrc_yaml = scenario(args.workdir, trace, "lru", [max(1, int(working_set * f)) for f in fractions])
    one_yaml = scenario(args.workdir, trace, "lru", [cap])
    mrc = {"curve": [], "one": []}
    for r in range(0 if args.no_mrc else args.rounds):
        mrc["curve"].append(timed([cachelab, "sim", mrc_yaml, "-o", os.path.join(args.workdir, "out-mrc")])[:2])
        mrc["one"].append(timed([cachelab, "sim", one_yaml, "-o", os.path.join(args.workdir, "out")])[:2])
        print(f"  mrc round {r + 1}: curve {mrc['curve'][-1][0]:.2f} s, one replay {mrc['one'][-1][0]:.2f} s", flush=True)

    med = lambda xs: statistics.median(xs)
    print()
    print("| policy | tool | M requests/s (runs) | median | peak RSS MiB (median) | miss ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    for policy, runs, misses in rows:
        for tool, v in runs.items():
            if not v:
                continue
            print(f"| {policy} | {tool} | " + " · ".join(f"{x[0]:.2f}" for x in v) +
                  f" | **{med([x[0] for x in v]):.2f}** | {med([x[1] for x in v]):.1f} | {misses[tool]:.4f} |")
        if runs["cachesim"]:
            speed = med([x[0] for x in runs["cachelab"]]) / med([x[0] for x in runs["cachesim"]])
            mem = med([x[1] for x in runs["cachelab"]]) / med([x[1] for x in runs["cachesim"]])
            print(f"| {policy} | ratio cachelab / cachesim | | **{speed:.2f}x** | {mem:.3f}x | |")
    if args.no_mrc:
        return 0
    curve = med([x[0] for x in mrc["curve"]])
    one = med([x[0] for x in mrc["one"]])
    print()
    print(f"lru curve over 20 capacities: " + " · ".join(f"{x[0]:.2f}" for x in mrc["curve"]) +
          f" s, median {curve:.2f} s, peak RSS {med([x[1] for x in mrc['curve']]) / 1024:.1f} MiB; one replay " +
          " · ".join(f"{x[0]:.2f}" for x in mrc["one"]) + f" s, median {one:.2f} s; ratio **{curve / one:.2f}x**")
    return 0


if __name__ == "__main__":
    sys.exit(main())
