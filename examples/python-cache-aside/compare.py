#!/usr/bin/python3
"""Runs the live application (app.py) against `cachelab serve` and `cachelab sim` on the same
workload (scenarios/python_cache_aside.yaml), in both invalidation modes, and prints them side by
side, with the TTL `cachelab ttl` recommends for a 1% staleness budget.

Usage: compare.py [--cachelab build/release/cachelab] [--duration 120] [--json]
"""
import argparse
import json
import os
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SCENARIO = os.path.join(ROOT, "scenarios", "python_cache_aside.yaml")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(cachelab):
    port = free_port()
    proc = subprocess.Popen([cachelab, "serve", "-p", str(port), "-m", "64", "-t", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.startswith("cachelab listening on"):
        proc.kill()
        raise RuntimeError("cachelab serve did not start: " + line + proc.stderr.read())
    return proc, port


def run_live(cachelab, mode, duration):
    server, port = start_server(cachelab)
    try:
        out = subprocess.run([sys.executable, os.path.join(HERE, "app.py"), "--port", str(port), "--mode", mode,
                              "--duration", str(duration)], capture_output=True, text=True, timeout=duration + 120,
                             check=True)
        return json.loads(out.stdout)
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_sim(cachelab, mode, duration, out_dir, seed=1):
    subprocess.run([cachelab, "sim", SCENARIO, "--set", f"invalidation={mode}", "--set", f"duration={duration}s",
                    "--set", f"seed={seed}", "-o", out_dir], capture_output=True, text=True, check=True)
    with open(os.path.join(out_dir, "results.json")) as f:
        data = json.load(f)
    run = data[0] if isinstance(data, list) else data["runs"][0]
    return run


def field(run, name):
    # results.json rows carry the results.csv columns
    if name in run:
        return run[name]
    for v in run.values():
        if isinstance(v, dict) and name in v:
            return v[name]
    raise KeyError(name)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cachelab", default=os.path.join(ROOT, "build", "release", "cachelab"))
    p.add_argument("--duration", type=float, default=120.0)
    p.add_argument("--out", default=os.path.join(ROOT, "out", "python-cache-aside"))
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)

    report = {}
    for mode in ("ttl-only", "delete-on-write"):
        live = run_live(args.cachelab, mode, args.duration)
        sim = run_sim(args.cachelab, mode, int(args.duration), os.path.join(args.out, mode))
        report[mode] = {
            "live": live,
            "sim": {"hit_ratio": field(sim, "hit_ratio"), "stale_ratio": field(sim, "stale_ratio"),
                    "reads": field(sim, "reads")},
        }
    ttl = subprocess.run([args.cachelab, "ttl", SCENARIO, "--max-stale-ratio", "0.01",
                          "--candidates", "2s,5s,10s,20s,30s,1m", "-o", os.path.join(args.out, "ttl")],
                         capture_output=True, text=True, check=True).stdout
    chosen = [l for l in ttl.splitlines() if l.strip().startswith("choose ttl") or "no TTL" in l]
    report["ttl_recommendation"] = chosen[0].strip() if chosen else ttl

    if args.json:
        print(json.dumps(report))
        return
    print(f"{'mode':<16} {'':>6} {'reads':>8} {'hit ratio':>10} {'stale ratio':>12}")
    for mode in ("ttl-only", "delete-on-write"):
        live, sim = report[mode]["live"], report[mode]["sim"]
        print(f"{mode:<16} {'live':>6} {live['reads']:>8} {live['hit_ratio']:>10.4f} {live['stale_ratio']:>12.4f}")
        print(f"{'':<16} {'sim':>6} {sim['reads']:>8} {sim['hit_ratio']:>10.4f} {sim['stale_ratio']:>12.4f}")
    print(f"cachelab ttl, 1% staleness budget: {report['ttl_recommendation']}")


if __name__ == "__main__":
    main()
