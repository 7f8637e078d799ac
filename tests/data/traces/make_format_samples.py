#!/usr/bin/env python3
"""Writes the small generated traces of tests/data/traces (one request stream, several formats).

    python3 make_format_samples.py OUTDIR [--twin]

The same 10,000 requests over 2,000 objects (zipf-like popularity, per-object sizes 64..8191 B,
85% reads / 10% writes / 5% deletes, per-object TTL and tenant, one request every 10 ms):
  sample_v3.lcs.zst         libCacheSim lcs v3 (ops, tenants, TTLs, header statistics), zstd
  sample_v2.vscsi.gz        vSCSI version 2 records (READ(10)/WRITE(10); deletes are writes), gzip
  sample.cachelib.csv.gz    CacheLib kvcache replay csv (op_time ms, key_size 16), gzip
With --twin also the uncompressed files and sample.oracleGeneral.bin (the same key stream), which
libCacheSim's cachesim reads to produce the figures in README.md (it has no reader for lcs v3 in
the version used; it reads vscsi and csv itself). Deterministic: the same bytes on every run.
"""
import os
import random
import struct
import subprocess
import sys

N_REQ, N_OBJ = 10_000, 2_000
OPS = {"read": 1, "write": 3, "delete": 9}  # libCacheSim's op codes: get, set, delete


def requests():
    rng = random.Random(18)
    weights = [1.0 / (rank + 1) ** 0.9 for rank in range(N_OBJ)]
    ids = list(range(1, N_OBJ + 1))
    rng.shuffle(ids)
    keys = rng.choices(ids, weights=weights, k=N_REQ)
    out = []
    for i, key in enumerate(keys):
        h = (key * 2654435761) & 0xFFFFFFFF
        size = 64 + h % 8128
        ttl = [0, 60, 300, 3600][h % 4]
        tenant = 1 + (h >> 8) % 5
        u = rng.random()
        op = "read" if u < 0.85 else "write" if u < 0.95 else "delete"
        out.append((i * 10, key * 8, size, op, ttl, tenant))  # time ms; ids are 4 KiB-block numbers
    return out


def next_access(reqs):
    nxt, seen = [-1] * len(reqs), {}
    for i in range(len(reqs) - 1, -1, -1):
        nxt[i] = seen.get(reqs[i][1], -1)
        seen[reqs[i][1]] = i + 1
    return nxt


def lcs_v3(reqs):
    nxt = next_access(reqs)
    objs, obj_bytes = set(), 0
    for r in reqs:
        if r[1] not in objs:
            objs.add(r[1])
            obj_bytes += r[2]
    stat = bytearray(8000)
    struct.pack_into("<10q", stat, 0, 1, len(reqs), len(objs), sum(r[2] for r in reqs), obj_bytes,
                     reqs[0][0] // 1000, reqs[-1][0] // 1000, *(sum(r[3] == o for r in reqs) for o in OPS))
    struct.pack_into("<2q", stat, 80, min(r[2] for r in reqs), max(r[2] for r in reqs))
    struct.pack_into("<i", stat, 552, len({r[5] for r in reqs}))
    ttls = {r[4] for r in reqs if r[4] > 0}
    struct.pack_into("<3i", stat, 684, len(ttls), min(ttls), max(ttls))
    header = struct.pack("<QQ", 0x123456789ABCDEF0, 3) + bytes(stat) + bytes(8 * 21) + struct.pack("<Q", 0x123456789ABCDEF0)
    assert len(header) == 8192
    body = b"".join(struct.pack("<IQqIIq", t // 1000, k, s, OPS[op] | tenant << 8, ttl, n)
                    for (t, k, s, op, ttl, tenant), n in zip(reqs, nxt))
    return header + body


def vscsi_v2(reqs):
    return b"".join(struct.pack("<HHIIIQQQ", 0x28 if op == "read" else 0x2A, 2 << 8, i, s, 1, k, t * 1000, 250)
                    for i, (t, k, s, op, ttl, tenant) in enumerate(reqs))


def cachelib_csv(reqs):
    lines = ["op_time,key,key_size,op,op_count,size,cache_hits,ttl"]
    for t, k, s, op, ttl, tenant in reqs:
        lines.append(f"{t},{k},16,{ {'read': 'GET', 'write': 'SET', 'delete': 'DELETE'}[op] },1,{s},0,{ttl}")
    return ("\n".join(lines) + "\n").encode()


def oracle_general(reqs):
    return b"".join(struct.pack("<IQIq", t // 1000, k, s, n) for (t, k, s, *_), n in zip(reqs, next_access(reqs)))


def main():
    out, twin = sys.argv[1], "--twin" in sys.argv
    reqs = requests()
    files = {"sample_v3.lcs": lcs_v3(reqs), "sample_v2.vscsi": vscsi_v2(reqs), "sample.cachelib.csv": cachelib_csv(reqs)}
    if twin:
        files["sample.oracleGeneral.bin"] = oracle_general(reqs)
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    # -n: no name or time in the gzip header, so the bytes do not depend on the day.
    subprocess.run(["zstd", "-q", "-f", "-19", "--rm" if not twin else "-k", os.path.join(out, "sample_v3.lcs")], check=True)
    for name in ("sample_v2.vscsi", "sample.cachelib.csv"):
        subprocess.run(["gzip", "-n", "-9", "-f"] + (["-k"] if twin else []) + [os.path.join(out, name)], check=True)


if __name__ == "__main__":
    main()
