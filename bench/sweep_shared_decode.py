#!/usr/bin/python3
"""Issue 18 part 5: a sweep decodes its trace once. A 10-cell sweep (5 policies x 2 capacities)
over the 10M-request zipf(1.0) trace as csv (and as .zst csv), timed three ways in the same run,
alternating, --rounds times:
  separate  10 `cachelab sim` runs one after the other (10 decodes),
  sweep -j2 one `cachelab sim` of the sweep with --jobs 2 (cells share a decode two by two),
  sweep -j10 the same with --jobs 10 (all ten cells on one decode).
and, with --cachesim, libCacheSim's `cachesim` running the same ten cells in one process (its
multi-cache run: the policies and sizes as comma lists, --num-thread 2, its csv reader with
time-col=1, obj-id-col=2, obj-size-col=3, has-header), on the csv trace (it does not read a
zstd-compressed csv). Wall time from /usr/bin/time.

Usage: sweep_shared_decode.py BUILD_DIR [--cachesim PATH] [--rounds 3] [--workdir /tmp/cachelab-sweep]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

POLICIES = ["lru", "fifo", "s3fifo", "sieve", "clock"]


def timed(cmd, cwd=None):
    out = subprocess.run(["/usr/bin/time", "-f", "WALL %e RSS %M"] + cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, check=True, cwd=cwd).stderr
    m = re.search(r"WALL ([\d.]+) RSS (\d+)", out)
    return float(m.group(1)), int(m.group(2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--cachesim")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workdir", default="/tmp/cachelab-sweep")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    cachelab = os.path.join(args.build, "cachelab")
    binary = os.path.join(args.workdir, "zipf.oracleGeneral.bin")
    gen = subprocess.run([os.path.join(args.build, "bench", "gen_zipf_trace"), binary, "--requests", "10000000",
                          "--objects", "1000000", "--alpha", "1.0"], capture_output=True, text=True, check=True).stdout
    objects = int(re.search(r"(\d+) distinct objects", gen).group(1))
    caps = [objects // 100, objects // 10]
    traces = {}
    for name, out in [("csv", "zipf.csv"), ("csv.zst", "zipf.csv.zst")]:
        path = os.path.join(args.workdir, out)
        if not os.path.exists(path):
            subprocess.run([cachelab, "trace", "convert", binary, path, "--from", "oracleGeneral", "--to", "csv"],
                           check=True, capture_output=True)
        traces[name] = path
    print(f"10M requests, {objects} objects; cells: {', '.join(POLICIES)} x {caps} objects", flush=True)
    rows = []
    for name, trace in traces.items():
        def scenario(policy=None, cap=None):
            path = os.path.join(args.workdir, f"{name}-{policy or 'sweep'}-{cap or ''}.yaml")
            with open(path, "w") as f:
                f.write(f"name: sweep\ncache: {{capacity: {cap or caps[0]} objects, policy: {policy or 'lru'}}}\n"
                        f"trace: {{path: {trace}, format: csv, header: true, columns: {{time: 1, key: 2, size: 3}}}}\n")
                if policy is None:
                    f.write("sweep: {policy: [" + ", ".join(POLICIES) + "], capacity: [" +
                            ", ".join(f"{c} objects" for c in caps) + "]}\n")
            return path
        cells = [scenario(p, c) for p in POLICIES for c in caps]
        sweep = scenario()
        times = {"separate": [], "sweep -j2": [], "sweep -j10": []}
        peer = args.cachesim and name == "csv"
        if peer:
            times["cachesim, one process"] = []
        for r in range(args.rounds):
            times["separate"].append(sum(timed([cachelab, "sim", c, "--jobs", "1"])[0] for c in cells))
            times["sweep -j2"].append(timed([cachelab, "sim", sweep, "--jobs", "2"])[0])
            times["sweep -j10"].append(timed([cachelab, "sim", sweep, "--jobs", "10"])[0])
            if peer:  # it writes result/ in its working directory
                times["cachesim, one process"].append(timed(
                    [args.cachesim, trace, "csv", ",".join(POLICIES), ",".join(str(c) for c in caps),
                     "--ignore-obj-size", "1", "--num-thread", "2",
                     "-t", "time-col=1,obj-id-col=2,obj-size-col=3,delimiter=,,has-header=true"], cwd=args.workdir)[0])
            print(f"  {name} round {r + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()), flush=True)
        rows.append((name, times))
    print()
    print("| trace | way | wall s (runs) | median | vs separate |")
    print("| --- | --- | --- | --- | --- |")
    for name, times in rows:
        base = statistics.median(times["separate"])
        for way, v in times.items():
            med = statistics.median(v)
            print(f"| {name} | {way} | " + " · ".join(f"{x:.1f}" for x in v) + f" | **{med:.1f}** | {base / med:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
