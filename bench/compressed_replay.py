#!/usr/bin/python3
"""Replay speed of a zstd-compressed trace against the same trace uncompressed (`cachelab sim`).

Generates (once, into --workdir) the 10M-request zipf(1.0) oracleGeneral trace of
sim_vs_libcachesim.py (bench/gen_zipf_trace), compresses a copy with `zstd -3`, and replays both
through lru at 1% of the working set, alternating, --rounds times. Requests/s = 10M / wall time of
the whole process (from /usr/bin/time). The decoder runs on its own thread, so the compressed
replay needs a second core to keep up: on a busy machine compare the CPU times too. With
--cachesim, libCacheSim's cachesim replays the same .zst (it reads zstd itself) for comparison.

Usage: compressed_replay.py BUILD_DIR [--rounds 5] [--workdir /tmp/cachelab-bench] [--cachesim PATH]
"""
import argparse
import os
import re
import statistics
import subprocess

REQUESTS = 10_000_000


def timed(cmd, cwd=None):
    """(wall s, user+sys s, peak RSS MiB) of one run."""
    out = subprocess.run(["/usr/bin/time", "-f", "TIME %e %U %S %M"] + cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, check=True, cwd=cwd).stdout
    wall, user, sys_, rss = re.search(r"TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)", out).groups()
    return float(wall), float(user) + float(sys_), int(rss) / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workdir", default="/tmp/cachelab-bench")
    ap.add_argument("--cachesim")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    trace = os.path.join(args.workdir, "zipf1.0_1M_10M.oracleGeneral.bin")
    gen = subprocess.run([os.path.join(args.build, "bench", "gen_zipf_trace"), trace, "--requests", str(REQUESTS),
                          "--objects", "1000000", "--alpha", "1.0"], stdout=subprocess.PIPE, text=True, check=True)
    working_set = int(re.search(r"(\d+) distinct objects", gen.stdout).group(1))
    cap = working_set // 100
    subprocess.run(["zstd", "-q", "-f", "-3", trace, "-o", trace + ".zst"], check=True)
    print(f"trace: {REQUESTS} requests, {os.path.getsize(trace)} B, zstd -3 {os.path.getsize(trace + '.zst')} B; "
          f"lru at {cap} objects (1%)", flush=True)
    runs = {"plain": [], "zstd": [], "cachesim zstd": []}
    for name, path in (("plain", trace), ("zstd", trace + ".zst")):
        with open(os.path.join(args.workdir, f"zst-{name}.yaml"), "w") as f:
            f.write(f"name: zipf-lru\ncache: {{capacity: {cap} objects, policy: lru}}\n"
                    f"trace: {{path: {path}, format: oracleGeneral}}\n")
    for r in range(args.rounds):
        for name in ("plain", "zstd"):
            yaml = os.path.join(args.workdir, f"zst-{name}.yaml")
            runs[name].append(timed([os.path.join(args.build, "cachelab"), "sim", yaml, "-o",
                                     os.path.join(args.workdir, "out-zst")]))
        if args.cachesim:
            runs["cachesim zstd"].append(timed([args.cachesim, trace + ".zst", "oracleGeneral", "lru", str(cap),
                                                "--ignore-obj-size", "1"], cwd=args.workdir))
        print(f"  round {r + 1}: " + "  ".join(f"{k} {REQUESTS / v[-1][0] / 1e6:.2f} M req/s ({v[-1][1]:.2f} s CPU)"
                                              for k, v in runs.items() if v), flush=True)
    print("\n| input | M requests/s (runs) | median | CPU s (median) | peak RSS MiB |\n| --- | --- | --- | --- | --- |")
    med = {}
    for name, v in runs.items():
        if not v:
            continue
        speeds = [REQUESTS / w / 1e6 for w, _, _ in v]
        med[name] = statistics.median(speeds)
        print(f"| {name} | {' · '.join(f'{s:.2f}' for s in speeds)} | **{med[name]:.2f}** | "
              f"{statistics.median(c for _, c, _ in v):.2f} | {statistics.median(m for _, _, m in v):.1f} |")
    print(f"\nzstd / plain: **{med['zstd'] / med['plain']:.2f}**")
    if "cachesim zstd" in med:
        print(f"cachelab zstd / cachesim zstd: **{med['zstd'] / med['cachesim zstd']:.2f}x**")


if __name__ == "__main__":
    main()
