#!/usr/bin/python3
"""Issue 18 part 1: a 10M-request oracleGeneral trace one second apart (115.7 days, past the 49.7
days of 32-bit ms) replayed by `cachelab sim` and by libCacheSim itself, LRU and FIFO at 1% of the
working set (objects): the miss counts must be equal. cachesim prints 4 decimals of the ratio, so
bench/libcachesim_misses.c, built here against a libCacheSim build, gives libCacheSim's exact count.

Usage: long_span_vs_libcachesim.py BUILD_DIR --libcachesim LIBCACHESIM_DIR [--workdir /tmp/cachelab-long]
(LIBCACHESIM_DIR: the source checkout, built in LIBCACHESIM_DIR/_build.) Exit 1 on a mismatch.
"""
import argparse
import json
import os
import re
import subprocess
import sys

LIBS = ["cache/libcachelib.a", "cache/eviction/libevictionC.a", "cache/eviction/libevictionCPP.a",
        "traceReader/libtraceReader.a", "profiler/libprofiler.a", "dataStructure/libdataStructure.a",
        "dataStructure/hash/libds_hash.a", "utils/libutils.a", "cache/admission/libadmissionC.a",
        "cache/admission/libadmissionCpp.a", "cache/prefetch/libprefetchC.a"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--libcachesim", required=True)
    ap.add_argument("--workdir", default="/tmp/cachelab-long")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    here = os.path.dirname(os.path.abspath(__file__))
    driver = os.path.join(args.workdir, "libcachesim_misses")
    lib = os.path.join(args.libcachesim, "_build", "libCacheSim")
    glib = subprocess.run(["pkg-config", "--cflags", "glib-2.0"], capture_output=True, text=True, check=True).stdout.split()
    subprocess.run(["cc", "-O2", "-o", driver, os.path.join(here, "libcachesim_misses.c"),
                    "-I", os.path.join(args.libcachesim, "libCacheSim", "include"), *glib, "-Wl,--start-group",
                    *[os.path.join(lib, l) for l in LIBS], "-Wl,--end-group", "-lglib-2.0", "-lzstd", "-lstdc++",
                    "-lm", "-lpthread"], check=True)
    trace = os.path.join(args.workdir, "zipf1.0_1M_10M_1s.oracleGeneral.bin")
    gen = subprocess.run([os.path.join(args.build, "bench", "gen_zipf_trace"), trace, "--requests", "10000000",
                          "--objects", "1000000", "--alpha", "1.0", "--rate", "1"],
                         capture_output=True, text=True, check=True).stdout
    objects = int(re.search(r"(\d+) distinct objects", gen).group(1))
    capacity = objects // 100
    print(f"trace: 10000000 requests 1 s apart (115.7 days), {objects} objects; capacity {capacity} objects")
    print("| policy | cachelab misses | libCacheSim misses | equal | simulated days |")
    print("| --- | --- | --- | --- | --- |")
    ok = True
    for policy in ["lru", "fifo"]:
        yaml = os.path.join(args.workdir, f"{policy}.yaml")
        with open(yaml, "w") as f:
            f.write(f"name: long-{policy}\ncache: {{capacity: {capacity} objects, policy: {policy}}}\n"
                    f"trace: {{path: {trace}, format: oracleGeneral}}\n")
        out = os.path.join(args.workdir, f"out-{policy}")
        subprocess.run([os.path.join(args.build, "cachelab"), "sim", yaml, "-o", out], capture_output=True, check=True)
        run = json.load(open(os.path.join(out, "results.json")))["runs"][0]
        peer = subprocess.run([driver, trace, policy, str(capacity)], capture_output=True, text=True,
                              check=True).stdout.split()
        same = run["requests"] == int(peer[0]) and run["misses"] == int(peer[1])
        ok &= same
        print(f"| {policy} | {run['misses']} | {peer[1]} | {'yes' if same else 'NO'} | {run['simulated_s'] / 86400:.1f} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
