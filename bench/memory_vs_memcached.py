#!/usr/bin/python3
"""RSS per item over the wire, cachelab serve against memcached, in the same run.

Loads N items (keys key:0000000..., 100-byte values, no expiry) into each server started with
`-m 1024 -t 2` on a free loopback port, through pymemcache's set_many (noreply, pipelined), and
reads VmRSS from /proc before and after. Runs the two servers alternately, `--rounds` times.
Usage: memory_vs_memcached.py PATH_TO_cachelab [--items 1000000] [--rounds 3]
"""
import argparse
import statistics
import time

from pymemcache.client.base import Client

from benchlib import rss_kib, start_server


def measure(cmd, items):
    proc, port = start_server(cmd, ["-m", "1024", "-t", "2"])
    try:
        before = rss_kib(proc.pid)
        c = Client(("127.0.0.1", port), timeout=30)
        value = b"v" * 100
        batch = {}
        for i in range(items):
            batch[f"key:{i:07d}"] = value
            if len(batch) == 1000:
                c.set_many(batch, noreply=True)
                batch = {}
        if batch:
            c.set_many(batch, noreply=True)
        stored = int(c.stats()[b"curr_items"])
        time.sleep(0.5)
        after = rss_kib(proc.pid)
        c.close()
        return stored, (after - before) * 1024 / max(stored, 1)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("cachelab")
    p.add_argument("--items", type=int, default=1_000_000)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    results = {"cachelab": [], "memcached": []}
    for _ in range(args.rounds):
        for name, cmd in (("cachelab", [args.cachelab, "serve"]), ("memcached", ["memcached", "-u", "root"])):
            stored, per_item = measure(cmd, args.items)
            results[name].append(per_item)
            print(f"{name:9s} items={stored} rss_bytes_per_item={per_item:.1f}", flush=True)
    ours, theirs = statistics.median(results["cachelab"]), statistics.median(results["memcached"])
    print(f"median bytes/item: cachelab {ours:.1f}, memcached {theirs:.1f}, ratio {ours / theirs:.3f}")


if __name__ == "__main__":
    main()
