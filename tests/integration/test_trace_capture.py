"""serve --trace-out: live pymemcache traffic is recorded, and `cachelab sim` replaying the
capture at the server's size and policy gets the server's own hit ratio (from `stats`) within 2%,
with every key recorded and with half the keys (--trace-sample 0.5). A full queue drops records
and counts them: recorded + dropped is exactly the number of keys the commands touched.

Usage: python3 test_trace_capture.py PATH_TO_cachelab"""
import csv
import os
import random
import subprocess
import tempfile

from pymemcache.client.base import Client

from cachelab_server import Server, binary

KEYS = 20000
REQUESTS = 60000


def zipf_keys(n, count, alpha, rng):
    weights = [1.0 / (i + 1) ** alpha for i in range(n)]
    return rng.choices(range(n), weights=weights, k=count)


def cache_aside(client, rng):
    """Reads through the cache; a miss reads the 'database' and stores the value with a TTL."""
    for k in zipf_keys(KEYS, REQUESTS, 0.9, rng):
        key = "item:%d" % k
        if client.get(key) is None:
            size = 100 + (k * 7919) % 1900  # each key has its own size
            client.set(key, b"v" * size, expire=3600)
        if rng.random() < 0.01:
            client.delete("item:%d" % rng.randrange(KEYS))


def server_hit_ratio(client):
    stats = client.stats()
    hits, misses = int(stats[b"get_hits"]), int(stats[b"get_misses"])
    return hits / (hits + misses), stats


def replay(scenario, out):
    done = subprocess.run([binary(), "sim", scenario, "-o", out], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with open(os.path.join(out, "results.csv"), newline="") as f:
        return next(csv.DictReader(f))


def capture_and_compare(work, sample, all_keys=None):
    trace = os.path.join(work, "capture_%s.csv" % sample)
    with Server("-m", "2", "-t", "1", "--trace-out", trace, "--trace-sample", sample) as server:
        client = Client(server.address, no_delay=True)
        cache_aside(client, random.Random(7))
        live, stats = server_hit_ratio(client)
        assert int(stats[b"evictions"]) > 1000, stats[b"evictions"]  # the cache is under pressure
        assert int(stats[b"trace_dropped"]) == 0
        recorded = int(stats[b"trace_records"])
        client.close()
    assert server.returncode == 0, server.stderr
    with open(trace, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["time_ms", "op", "size", "ttl_s", "key"], rows[0]
    assert len(rows) - 1 == recorded, (len(rows) - 1, recorded)  # every queued record reached the file
    ops = {r[1] for r in rows[1:]}
    assert ops == {"get", "set", "delete"}, ops
    if sample == "1":
        gets = sum(1 for r in rows[1:] if r[1] == "get")
        assert gets == int(stats[b"cmd_get"]), (gets, stats[b"cmd_get"])
        assert all(r[3] == "3600" for r in rows[1:] if r[1] == "set")
    keys = {r[4] for r in rows[1:]}
    if all_keys:  # the same traffic: about half of its keys are kept, each with all its requests
        assert keys < all_keys and 0.4 * len(all_keys) < len(keys) < 0.6 * len(all_keys), len(keys)
    result = replay(trace + ".yaml", os.path.join(work, "sim_%s" % sample))
    simulated = float(result["hit_ratio"])
    print("sample %s: server hit ratio %.4f, replay %.4f" % (sample, live, simulated))
    assert abs(simulated - live) <= 0.02, (sample, live, simulated)
    return keys


def dropped_records_are_counted(work):
    trace = os.path.join(work, "small_queue.csv")
    with Server("--trace-out", trace, "--trace-queue", "16") as server:
        client = Client(server.address, no_delay=True)
        keys = ["k%d" % i for i in range(200)]
        client.set_many({k: b"x" for k in keys})
        for _ in range(50):
            client.get_many(keys)  # 200 keys in one command: far more than 16 records at once
        stats = client.stats()
        client.close()
    touched = 200 + 50 * 200
    recorded, dropped = int(stats[b"trace_records"]), int(stats[b"trace_dropped"])
    assert dropped > 0 and recorded + dropped == touched, (recorded, dropped, touched)
    with open(trace) as f:
        assert sum(1 for _ in f) - 1 == recorded


def main():
    with tempfile.TemporaryDirectory() as work:
        keys = capture_and_compare(work, "1")
        capture_and_compare(work, "0.5", keys)
        dropped_records_are_counted(work)
    print("ok")


if __name__ == "__main__":
    main()
