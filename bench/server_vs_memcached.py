#!/usr/bin/python3
"""Server throughput and p99 latency, `cachelab serve -t 2` against `memcached -t 2`, same run.

For each round, each server in turn (alternating, the first one changing every round, a fresh process each time, `-m 1024 -t 2` on a
free loopback port) takes these loads, 100-byte values, 32 connections:
  memaslap  90% get / 10% set, 16-byte keys, 100k keys (32 x 3k window), 2 client threads
  bench     `cachelab bench`: 90/10 over 100k keys; 16-key multi-gets; 16 requests pipelined
memaslap reports a latency histogram in powers of two: its p99 is the upper edge of the bucket
holding the 99th percentile (coarse). `cachelab bench` reports p99 from a log-linear histogram.
The load generators run on the same cores as the server: figures include their cost.

`cachelab serve` uses io_uring where the kernel allows it; --epoll adds its epoll engine as a third server.

--tls: both servers run with -Z and the same certificates (a CA and a server certificate made with
the `openssl` command for this run), `cachelab bench --tls-ca` drives them; the loads are then
get90, multiget and handshakes (new TLS connections per second: connect, handshake, `version`,
close, on 32 threads). memaslap speaks no TLS.

The binary-protocol loads (`--loads bin-get90,bin-multiget`) start both servers with `-B binary`
and drive them with `cachelab bench --binary`.

Usage: server_vs_memcached.py PATH_TO_cachelab [--rounds 3] [--seconds 5] [--loads memaslap,get90,multiget,pipeline] [--epoll] [--tls]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

from benchlib import start_server

MEMASLAP_CFG = "key\n16 16 1\nvalue\n100 100 1\ncmd\n0 0.1\n1 0.9\n"


def memaslap(port, seconds, cfg):
    out = subprocess.run(["memcaslap", "-s", f"127.0.0.1:{port}", "-F", cfg, "-T", "2", "-c", "32", "-w", "3k",
                          "-X", "100", "-t", f"{seconds}s", "-S", f"{seconds}s"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=True).stdout
    tps = int(re.search(r"TPS: (\d+)", out).group(1))
    if int(re.search(r"cmd_get: (\d+)", out).group(1)) == 0:
        raise RuntimeError("memaslap sent no gets (its sets were refused?)")
    # "Total Statistics (N events)" ... "Log2 Dist:" rows "  B:  c0 c1 c2 c3" (bucket B+i holds [2^(B+i-1), 2^(B+i)) us)
    total = out[out.rindex("Total Statistics ("):]
    counts = {}
    for m in re.finditer(r"^\s+(\d+):((?:\s+\d+)+)\s*$", total, re.M):
        base = int(m.group(1))
        for i, c in enumerate(m.group(2).split()):
            counts[base + i] = int(c)
    n = sum(counts.values())
    seen = 0
    p99 = 0
    for b in sorted(counts):
        seen += counts[b]
        if seen >= 0.99 * n:
            p99 = 2 ** b
            break
    return tps, p99


def bench(cachelab, port, seconds, extra):
    out = subprocess.run([cachelab, "bench", "--server", f"127.0.0.1:{port}", "--duration", str(seconds),
                          "--connections", "32"] + extra, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, check=True).stdout
    p99 = float(re.search(r"p99 ([\d.]+)", out).group(1))
    if "--handshakes" in extra:
        return int(re.search(r"handshakes/s (\d+)", out).group(1)), p99
    ops = int(re.search(r"ops/s (\d+)", out).group(1))
    if int(re.search(r"errors (\d+)", out).group(1)):
        raise RuntimeError("cachelab bench saw errors:\n" + out)
    return ops, p99


LOADS = {
    "memaslap": ("memaslap 90/10 get/set", None),
    "get90": ("bench 90/10 get/set", []),
    "multiget": ("bench 16-key multi-gets (requests/s)", ["--multiget", "16", "--get-ratio", "1"]),
    "pipeline": ("bench 16 pipelined, 90/10", ["--pipeline", "16"]),
    "handshakes": ("TLS handshakes/s (connect, handshake, version, close)", ["--handshakes"]),
    # memcached's binary protocol: both servers started with -B binary
    "bin-get90": ("bench --binary 90/10 get/set", ["--binary"]),
    "bin-multiget": ("bench --binary 16-key multi-gets (getkq... getk; requests/s)",
                     ["--binary", "--multiget", "16", "--get-ratio", "1"]),
}
TLS_LOADS = "get90,multiget,handshakes"
DEFAULT_LOADS = "memaslap,get90,multiget,pipeline"


def make_certs():
    """A CA and a server certificate for 127.0.0.1, made with the openssl command (the TLS tests'
    helper); returns (helper to close, -Z and -o flags, the CA file)."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
    from tls_pki import Pki
    pki = Pki()
    flags = ["-Z", "-o", f"ssl_chain_cert={pki.server[0]},ssl_key={pki.server[1]}"]
    return pki, flags, pki.ca[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cachelab")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--loads", default=None, help="of: " + ",".join(LOADS) + "; default " + DEFAULT_LOADS + ", with --tls " + TLS_LOADS)
    ap.add_argument("--memcached", default="memcached")
    ap.add_argument("--epoll", action="store_true",
                    help="also run cachelab serve --io-engine epoll (the fallback engine) in each round")
    ap.add_argument("--tls", action="store_true", help="both servers with -Z, the load over TLS")
    args = ap.parse_args()
    if args.loads is None:
        args.loads = TLS_LOADS if args.tls else DEFAULT_LOADS
    pki, tls_flags, tls_extra = None, [], []
    if args.tls:
        pki, tls_flags, ca = make_certs()
        tls_extra = ["--tls-ca", ca]
        if "memaslap" in args.loads:
            sys.exit("memaslap speaks no TLS: leave it out of --loads with --tls")
    servers = {"cachelab": [args.cachelab, "serve"], "memcached": [args.memcached, "-u", "nobody", "-U", "0"]}
    if args.epoll:
        servers["cl-epoll"] = [args.cachelab, "serve", "--io-engine", "epoll"]
    loads = args.loads.split(",")
    results = {(load, name): [] for load in loads for name in servers}
    with tempfile.TemporaryDirectory() as tmp:
        cfg = os.path.join(tmp, "memaslap.cfg")
        with open(cfg, "w") as f:
            f.write(MEMASLAP_CFG)
        for r in range(args.rounds):
            for load in loads:
                # ABBA: the server that goes first changes every round, so that a drift in the
                # machine's load (other jobs) does not favour one of them.
                order = list(servers.items())
                if r % 2:
                    order.reverse()
                for name, cmd in order:
                    flags = ["-m", "1024", "-t", "2"] + tls_flags + (["-B", "binary"] if load.startswith("bin-") else [])
                    proc, port = start_server(cmd, flags)
                    try:
                        if load == "memaslap":
                            res = memaslap(port, args.seconds, cfg)
                        else:
                            res = bench(args.cachelab, port, args.seconds, LOADS[load][1] + tls_extra)
                    finally:
                        proc.terminate()
                        proc.wait()
                    results[(load, name)].append(res)
                    print(f"round {r + 1} {load:9} {name:9} {res[0]:>9,} ops/s  p99 {res[1]:,.0f} us", flush=True)

    if pki:
        pki.close()
    print()
    if args.tls:
        print("over TLS (-Z, TLS 1.3, same certificates for both servers; a fresh server per run)")
    epoll_head = " | cachelab epoll ops/s (runs → median) | ratio | p99 µs" if args.epoll else ""
    print("| load (100-byte values, 32 connections) | cachelab ops/s (runs → median) | memcached ops/s (runs → median) "
          "| ratio | p99 µs cachelab / memcached (median of runs)" + epoll_head + " |")
    print("| --- | --- | --- | --- | ---" + (" | --- | --- | ---" if args.epoll else "") + " |")
    for load in loads:
        cells = []
        med = {}
        for name in servers:
            runs = results[(load, name)]
            med[name] = (statistics.median(x[0] for x in runs), statistics.median(x[1] for x in runs))
            cells.append(" · ".join(f"{x[0]:,}" for x in runs) + f" → **{med[name][0]:,.0f}**")
        ratio = med["cachelab"][0] / med["memcached"][0]
        epoll_cells = ""
        if args.epoll:
            epoll_cells = (f" | {cells[2]} | {med['cl-epoll'][0] / med['memcached'][0]:.2f} | "
                           f"{med['cl-epoll'][1]:,.0f}")
        print(f"| {LOADS[load][0]} | {cells[0]} | {cells[1]} | {ratio:.2f} | "
              f"{med['cachelab'][1]:,.0f} / {med['memcached'][1]:,.0f}{epoll_cells} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
