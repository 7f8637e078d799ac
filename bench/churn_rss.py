#!/usr/bin/python3
"""Resident memory under churn: does RSS stay within 1.15 x -m plus the start-up size?

Starts `cachelab serve -m 256 -t 2` (or any memcached-compatible server given with --server-cmd)
on a free loopback port and churns it for --minutes: --clients connections, each sending batches
of 80% sets (noreply), 10% gets and 10% deletes (noreply) over --keys keys, with value sizes
log-uniform between 64 B and 64 KiB (so every size class is hit and the store evicts all the
time: the key space holds ~15x the budget). VmRSS is sampled every second. Prints the start-up
RSS, the peak, the final value and the limit 1.15 x 256 MiB + start-up, and exits 1 when the
peak goes over it.

Usage: churn_rss.py PATH_TO_cachelab [--minutes 10] [--memory-mib 256] [--clients 4] [--keys 400000]
       [--env NAME=VALUE ...] [--server-cmd 'memcached -u nobody -U 0']
(--env, e.g. LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2, sets the server's environment:
 the way to compare allocators without rebuilding.)
"""
import argparse
import math
import os
import random
import shlex
import socket
import sys
import threading
import time

from benchlib import rss_kib, start_server


def recv_until(sock, buf, marker):
    while marker not in buf:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise RuntimeError("server closed the connection")
        buf += chunk
    return buf[buf.index(marker) + len(marker):]


def churn(port, keys, deadline, seed, counts, errors):
    rng = random.Random(seed)
    payload = os.urandom(65536)
    lo, hi = math.log(64), math.log(65536)
    try:
        sock = socket.create_connection(("127.0.0.1", port))
        buf = b""
        while time.time() < deadline:
            parts = []
            for _ in range(50):
                key = f"churn:{rng.randrange(keys)}".encode()
                r = rng.random()
                if r < 0.8:
                    size = int(math.exp(rng.uniform(lo, hi)))
                    start = rng.randrange(65536 - size + 1)
                    parts.append(b"set %s 0 0 %d noreply\r\n%s\r\n" % (key, size, payload[start:start + size]))
                elif r < 0.9:
                    parts.append(b"get %s\r\n" % key)
                else:
                    parts.append(b"delete %s noreply\r\n" % key)
            parts.append(b"version\r\n")
            sock.sendall(b"".join(parts))
            buf = recv_until(sock, buf, b"VERSION ")
            buf = recv_until(sock, buf, b"\r\n")
            counts[seed] += 50
        sock.close()
    except Exception as e:  # reported by the main thread
        errors.append(repr(e))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cachelab")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--memory-mib", type=int, default=256)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--keys", type=int, default=400_000)
    ap.add_argument("--env", action="append", default=[])
    ap.add_argument("--server-cmd")
    args = ap.parse_args()
    cmd = shlex.split(args.server_cmd) if args.server_cmd else [args.cachelab, "serve"]
    env = dict(os.environ)
    for kv in args.env:
        name, _, value = kv.partition("=")
        env[name] = value
    proc, port = start_server(cmd, ["-m", str(args.memory_mib), "-t", "2"], env)
    try:
        time.sleep(0.2)
        startup = rss_kib(proc.pid)
        end = time.time() + args.minutes * 60
        counts = [0] * args.clients
        errors = []
        threads = [threading.Thread(target=churn, args=(port, args.keys, end, i, counts, errors))
                   for i in range(args.clients)]
        for t in threads:
            t.start()
        peak = startup
        samples = []
        while any(t.is_alive() for t in threads):
            time.sleep(1)
            rss = rss_kib(proc.pid)
            peak = max(peak, rss)
            samples.append(rss)
            if len(samples) % 60 == 0:
                print(f"  {len(samples) // 60} min: RSS {rss / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB, "
                      f"{sum(counts):,} requests", flush=True)
        for t in threads:
            t.join()
        if errors:
            raise RuntimeError("client error: " + errors[0])
        final = rss_kib(proc.pid)
    finally:
        proc.terminate()
        proc.wait()
    limit = 1.15 * args.memory_mib * 1024 + startup
    print(f"server: {' '.join(cmd[:2])} -m {args.memory_mib}  env: {' '.join(args.env) or '-'}")
    print(f"requests {sum(counts):,} in {args.minutes:g} min ({sum(counts) / (args.minutes * 60):,.0f}/s)")
    print(f"start-up RSS {startup / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB, final {final / 1024:.1f} MiB, "
          f"limit {limit / 1024:.1f} MiB (1.15 x {args.memory_mib} MiB + start-up): "
          f"{'within' if peak <= limit else 'OVER'}; peak / (-m + start-up) = "
          f"{peak / (args.memory_mib * 1024 + startup):.3f}")
    return 0 if peak <= limit else 1


if __name__ == "__main__":
    sys.exit(main())
