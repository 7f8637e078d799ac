#!/usr/bin/python3
"""A product catalog behind cachelab (or memcached), with a real database (SQLite).

Readers use cache-aside: get the product from the cache; on a miss, read the row from the
database and set it in the cache with a TTL. Writers update rows at a steady rate and, depending
on --mode, leave the cache alone (ttl-only) or delete the key (delete-on-write). Every value read
from the cache is checked against the row's current version: an older one is a stale read, as the
simulator defines it.

Reads and writes are two Poisson processes (rates --reads-per-s and --writes-per-s); reads pick a
product by zipf(--zipf) popularity, writes pick one uniformly: the workload that
scenarios/python_cache_aside.yaml describes. One thread runs the events in time order, so a
miss's database read and cache fill are not interleaved with a write.

Prints one JSON line: reads, hits, stale_hits, hit_ratio, stale_ratio, writes, origin_reads.
"""
import argparse
import bisect
import json
import os
import random
import sqlite3
import sys
import tempfile
import time

from pymemcache.client.base import Client


def zipf_cdf(keys, a):
    weights = [1.0 / (rank ** a) for rank in range(1, keys + 1)]
    total = sum(weights)
    cdf, acc = [], 0.0
    for w in weights:
        acc += w / total
        cdf.append(acc)
    return cdf


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=11211)
    p.add_argument("--mode", choices=["ttl-only", "delete-on-write"], default="ttl-only")
    p.add_argument("--duration", type=float, default=120.0, help="seconds of traffic")
    p.add_argument("--keys", type=int, default=2000)
    p.add_argument("--zipf", type=float, default=0.9)
    p.add_argument("--reads-per-s", type=float, default=300.0)
    p.add_argument("--writes-per-s", type=float, default=20.0)
    p.add_argument("--ttl", type=int, default=20, help="cache TTL in seconds")
    p.add_argument("--size", type=int, default=200, help="bytes of payload per product")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()

    rng = random.Random(args.seed)
    cdf = zipf_cdf(args.keys, args.zipf)
    db_dir = tempfile.mkdtemp(prefix="cachelab-catalog-")
    db = sqlite3.connect(os.path.join(db_dir, "catalog.db"), isolation_level=None)
    db.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, version INTEGER NOT NULL, payload TEXT NOT NULL)")
    db.executemany("INSERT INTO products VALUES (?, 1, ?)",
                   ((k, "x" * args.size) for k in range(args.keys)))
    cache = Client(("127.0.0.1", args.port), connect_timeout=5, timeout=5)

    def read_row(key):
        return db.execute("SELECT version, payload FROM products WHERE id = ?", (key,)).fetchone()

    counts = dict(reads=0, hits=0, stale_hits=0, writes=0, origin_reads=0)
    start = time.monotonic()
    next_read = rng.expovariate(args.reads_per_s)
    next_write = rng.expovariate(args.writes_per_s) if args.writes_per_s > 0 else float("inf")
    lag = 0.0
    while True:
        at = min(next_read, next_write)
        if at >= args.duration:
            break
        wait = start + at - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        else:
            lag = max(lag, -wait)
        if next_read <= next_write:
            next_read += rng.expovariate(args.reads_per_s)
            key = bisect.bisect_left(cdf, rng.random())
            counts["reads"] += 1
            cached = cache.get(f"product:{key}")
            if cached is None:
                counts["origin_reads"] += 1
                version, payload = read_row(key)
                cache.set(f"product:{key}", f"{version}:{payload}".encode(), expire=args.ttl, noreply=False)
            else:
                counts["hits"] += 1
                copy_version = int(cached.split(b":", 1)[0])
                current = db.execute("SELECT version FROM products WHERE id = ?", (key,)).fetchone()[0]
                if copy_version < current:
                    counts["stale_hits"] += 1
        else:
            next_write += rng.expovariate(args.writes_per_s)
            key = rng.randrange(args.keys)
            counts["writes"] += 1
            db.execute("UPDATE products SET version = version + 1 WHERE id = ?", (key,))
            if args.mode == "delete-on-write":
                cache.delete(f"product:{key}", noreply=False)
    reads = max(counts["reads"], 1)
    counts["hit_ratio"] = counts["hits"] / reads
    counts["stale_ratio"] = counts["stale_hits"] / reads
    counts["max_lag_s"] = round(lag, 3)
    print(json.dumps(counts))
    if lag > 1.0:
        print(f"warning: the app fell {lag:.1f} s behind its schedule", file=sys.stderr)


if __name__ == "__main__":
    main()
