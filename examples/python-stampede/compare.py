#!/usr/bin/python3
"""Runs app.py against `cachelab serve` and `cachelab sim` on the same workload (stampede.yaml),
once per protection, and prints database reads, duplicate fills and the busiest second of
database reads side by side.

Usage: compare.py [--cachelab build/release/cachelab] [--duration 12] [--json] [--plot]
"""
import argparse
import json
import os
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SCENARIO = os.path.join(HERE, "stampede.yaml")
MODES = ("none", "lease", "serve-stale", "early-refresh")
METRICS = (("db_reads", "origin_reads"), ("duplicate_fills", "duplicate_fills"),
           ("peak_db_per_s", "peak_origin_reads_per_s"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(cachelab):
    port = free_port()
    proc = subprocess.Popen([cachelab, "serve", "-l", "127.0.0.1", "-p", str(port), "-m", "64", "-t", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.startswith("cachelab listening on"):
        proc.kill()
        raise RuntimeError("cachelab serve did not start: " + line + proc.stderr.read())
    return proc, port


def run_live(cachelab, mode, duration, seed=1):
    server, port = start_server(cachelab)
    try:
        out = subprocess.run([sys.executable, os.path.join(HERE, "app.py"), "--port", str(port), "--mode", mode,
                              "--duration", str(duration), "--seed", str(seed)],
                             capture_output=True, text=True, timeout=duration + 60, check=True)
        return json.loads(out.stdout)
    finally:
        server.terminate()
        server.communicate(timeout=30)  # waits, and closes the pipes


def run_sim(cachelab, mode, duration, out_dir, seed=1):
    subprocess.run([cachelab, "sim", SCENARIO, "--set", f"classes.hot.protection={mode}",
                    "--set", f"duration={duration}s", "--set", f"seed={seed}", "--timeline", "1s", "-o", out_dir],
                   capture_output=True, text=True, check=True)
    with open(os.path.join(out_dir, "results.json")) as f:
        data = json.load(f)
    run = data[0] if isinstance(data, list) else data["runs"][0]
    with open(os.path.join(out_dir, "timeline.csv")) as f:
        rows = f.read().splitlines()[1:]
    run["db_per_s"] = [int(r.split(",")[-1]) for r in rows]
    return {live: run[sim] for live, sim in METRICS} | {"db_per_s": run["db_per_s"]}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cachelab", default=os.path.join(ROOT, "build", "release", "cachelab"))
    p.add_argument("--duration", type=int, default=12, help="seconds per mode (4 modes)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default=os.path.join(ROOT, "out", "python-stampede"))
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--plot", action="store_true", help="write OUT/timeline.png (gnuplot) of db reads per second")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)

    report = {}
    for mode in MODES:
        report[mode] = {"live": run_live(args.cachelab, mode, args.duration, args.seed),
                        "sim": run_sim(args.cachelab, mode, args.duration, os.path.join(args.out, mode), args.seed)}
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{'mode':<14} {'':>5} {'db reads':>9} {'dup fills':>10} {'peak db/s':>10}")
        for mode in MODES:
            for side in ("live", "sim"):
                r = report[mode][side]
                print(f"{mode if side == 'live' else '':<14} {side:>5} {r['db_reads']:>9} "
                      f"{r['duplicate_fills']:>10} {r['peak_db_per_s']:>10}")
        print("db reads per second (live | sim):")
        for mode in MODES:
            print(f"  {mode:<14} {' '.join(map(str, report[mode]['live']['db_per_s']))} | "
                  f"{' '.join(map(str, report[mode]['sim']['db_per_s']))}")
    if args.plot:
        plot(report, args.out)


def plot(report, out):
    data = os.path.join(out, "timeline.dat")
    with open(data, "w") as f:
        f.write("second " + " ".join(f"{m}-live {m}-sim" for m in MODES) + "\n")
        n = min(len(report[m][s]["db_per_s"]) for m in MODES for s in ("live", "sim"))
        for i in range(n):
            f.write(f"{i} " + " ".join(f"{report[m]['live']['db_per_s'][i]} {report[m]['sim']['db_per_s'][i]}"
                                       for m in MODES) + "\n")
    cols = ", ".join(f"'{data}' using 1:{2 + 2 * k} with steps lw 2 title '{m} live', "
                     f"'' using 1:{3 + 2 * k} with steps dt 2 title '{m} sim'" for k, m in enumerate(MODES))
    script = (f"set terminal pngcairo size 900,450; set output '{os.path.join(out, 'timeline.png')}';"
              "set xlabel 'second'; set ylabel 'database reads per second'; set key top right;"
              f"plot {cols}")
    subprocess.run(["gnuplot", "-e", script], check=True)


if __name__ == "__main__":
    main()
