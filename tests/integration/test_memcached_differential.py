"""Differential test: `cachelab serve` against Debian's memcached 1.6.18, the same requests to both,
the replies compared byte for byte (issue 16 item 6).

    python3 test_memcached_differential.py PATH_TO_cachelab            # the CI run (seed 1, 100,000 requests)
    python3 test_memcached_differential.py PATH --seed 7 --count 20000  # another stream
    python3 test_memcached_differential.py PATH --report /work/diff-report.txt
                                     # every distinct kind of mismatch, each with a minimal reproducer
    python3 test_memcached_differential.py --self                       # memcached against memcached
    python3 test_memcached_differential.py PATH --evict                 # -m 2 on both (evictions)

Both servers run side by side on free loopback ports with the same `-m`, `-I 1m` and `-t 2` (and
cachelab with --io-engine $CACHELAB_IO_ENGINE when set). Four clients (connections) send a seeded
random stream of classic and meta requests; the harness waits for every reply of a turn before the
next turn, so both servers see the requests in the same order. Covered: set add replace append
prepend cas get gets gat gats touch delete incr decr (2^64-1 wrap, decr below 0, non-numeric and
long numbers), noreply, flush_all (immediate and delayed), version, verbosity, mg ms md ma mn me
with their flags (v k c f s t h l q u O b T N R I C E M x D J), stale/recache flows (W X Z) by
several clients, quiet mode closed by mn, base64 (binary) keys, 250-byte keys, binary-safe values,
values up to ~1 MB, bad input (unknown commands, 251-byte keys, bad and negative lengths, values
over -I, bad flags and tokens), and requests that close the connection (HTTP request lines, quit).
Three TTL phases set 1-3 s TTLs on keys of their own, sleep past every expiry at once (5 s), and
check; outside them no TTL or recache threshold can be crossed while the test runs.

What is normalized (see differential.py): CAS values (a bijection, by order of appearance),
`VERSION` lines, `t`/`exp=` within +-2 s (`l`/`la=` present only), `me`'s `cls=` and `size=`, `stats` (not
compared). Everything else must be the same bytes. Exit status 1 when anything differs: the
first 20 mismatches are printed with seed, request index, request bytes and both replies.

`--evict`: see test_memcached_differential_evict.py.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import differential as D  # noqa: E402


def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cachelab", nargs="?", help="path to the cachelab binary (not needed with --self)")
    ap.add_argument("--seed", type=int, action="append", help="seed (repeatable; default 1)")
    ap.add_argument("--count", type=int, help="requests per seed (default 100000; 40000 with --evict)")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--self", dest="self_check", action="store_true",
                    help="memcached against a second memcached (checks the harness: must be 0)")
    ap.add_argument("--evict", action="store_true", help="-m 2 on both; compare what eviction cannot change")
    ap.add_argument("--report", metavar="FILE", help="write every distinct mismatch kind, with reproducers")
    ap.add_argument("--repro-budget", type=float, default=240.0,
                    help="seconds spent shrinking reproducers for --report (default 240)")
    ap.add_argument("--trace", action="append", default=[], metavar="KEY",
                    help="print every request on KEY with both replies (repeatable)")
    ap.add_argument("--context", action="store_true",
                    help="with each printed mismatch, the earlier requests on its key and their replies")
    ap.add_argument("--time-tolerance", type=int, default=2,
                    help="seconds by which t, l, exp=, la= may differ (default 2)")
    ap.add_argument("--max-print", type=int, default=20)
    ap.add_argument("--time-budget", type=float, default=0,
                    help="stop sending after this many seconds (0: no limit)")
    return ap.parse_args(argv)


def server_stats(server):
    import socket
    with socket.create_connection(server.address, timeout=10) as s:
        s.sendall(b"stats\r\n")
        data = b""
        while not data.endswith(b"END\r\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return dict(l.split(" ", 2)[1:] for l in data.decode().split("\r\n") if l.startswith("STAT "))


def main(argv=None, evict=False):
    args = parse(sys.argv[1:] if argv is None else argv)
    evict = evict or args.evict
    if not os.access(D.MEMCACHED, os.X_OK):
        print("SKIP: %s is not installed (./scripts/install-deps installs it)" % D.MEMCACHED)
        return 0
    if not args.self_check:
        if not args.cachelab:
            sys.exit("usage: %s PATH_TO_cachelab [options] (or --self)" % sys.argv[0])
        # cachelab_server.binary() reads argv[1]
        sys.argv = [sys.argv[0], args.cachelab]
    D.TIME_TOLERANCE = args.time_tolerance
    seeds = args.seed or [1]
    # CACHELAB_DIFF_COUNT: a shorter stream where the server runs many times slower (TSan in CI)
    count = args.count or int(os.environ.get("CACHELAB_DIFF_COUNT", 0)) or (40000 if evict else 100000)
    mem = 2 if evict else 1024
    t0 = time.monotonic()
    a, b = D.start_pair(args.self_check, mem, "1m")
    names = (a.name, b.name)
    runs = []
    total = 0
    try:
        print("%s (port %d) vs %s (port %d), -m %d -I 1m -t 2, %d clients, seeds %s, %d requests each%s"
              % (a.name, a.port, b.name, b.port, mem, args.clients, seeds, count,
                 ", eviction mode" if evict else ""))
        sys.stdout.flush()
        for seed in seeds:
            gen = D.Generator(seed, count, clients=args.clients, evict=evict)
            runner = D.Runner(a, b, args.clients, seed, evict=evict,
                              max_print=max(0, args.max_print - sum(len(r.mismatches) for r, _ in runs)))
            runner.trace = {k.encode() for k in args.trace}
            runner.show_context = args.context
            ts = time.monotonic()
            try:
                D.run(gen, runner, deadline=(ts + args.time_budget) if args.time_budget else None)
            finally:
                runner.close()
            total += runner.index
            print("seed %d: %d requests in %.1f s, %d mismatches%s%s" % (
                seed, runner.index, time.monotonic() - ts, len(runner.mismatches),
                " (keys deleted on both after %d turns with mismatches)" % runner.repairs if runner.repairs else "",
                " (%d turns resynchronized)" % runner.desyncs if runner.desyncs else ""))
            sys.stdout.flush()
            runs.append((runner, {}))
        if evict:
            sa, sb = server_stats(a), server_stats(b)
            print("evictions: %s %s, %s %s" % (a.name, sa.get("evictions"), b.name, sb.get("evictions")))
            for name, st in ((a.name, sa), (b.name, sb)):
                if int(st.get("evictions", 0)) == 0:
                    print("FAIL: %s evicted nothing: the eviction mode tested nothing" % name)
                    runs[0][0].mismatches.append(None)
        if args.report:
            write(args, runs, a, b, names, evict, seeds, count)
    finally:
        a.stop()
        b.stop()
    n = sum(len([m for m in r.mismatches if m is not None]) for r, _ in runs)
    kinds = len({m.kind() for r, _ in runs for m in r.mismatches if m is not None})
    counts = {}
    for r, _ in runs:
        for m in r.mismatches:
            if m is not None:
                counts.setdefault(m.kind(), [0, m.index])[0] += 1
    if counts:
        print("mismatch kinds (first index, count, kind):")
        for k, (c, i) in sorted(counts.items(), key=lambda kv: kv[1][1])[:60]:
            print("  %6d %5d  %s" % (i, c, k))
    print("summary: %d requests, %d mismatches in %d kinds, %.1f s" % (total, n, kinds, time.monotonic() - t0))
    failed = any(m is None for r, _ in runs for m in r.mismatches)
    return 1 if n or failed else 0


def write(args, runs, a, b, names, evict, seeds, count):
    budget_end = time.monotonic() + args.repro_budget
    for runner, repro in runs:
        seen = set()
        for m in runner.mismatches:
            if m is None:
                continue
            k = m.kind()
            if k in seen or time.monotonic() > budget_end:
                continue
            seen.add(k)
            if any(k in r for _, r in runs):
                continue
            try:
                res = D.reproduce(a, b, runner.history, m, evict,
                                  budget_s=min(15.0, max(0.0, budget_end - time.monotonic())))
            except Exception as e:  # a reproducer is a convenience; the report is still written
                print("reproducer for %r failed: %r" % (k, e))
                res = None
            if res:
                repro[k] = res
    header = ("Differential test report: %s vs %s, %s, seeds %s, %d requests each.\n"
              "Written by tests/integration/test_memcached_differential.py at %s UTC.\n"
              "Kinds are grouped by command and the shape of the difference; each has a minimal\n"
              "reproducer (found by replaying the requests on the same keys after a flush_all and\n"
              "dropping those not needed) when one exists, then examples from the run.\n\n"
              % (names[0], names[1], "-m 2 (eviction mode)" if evict else "-m 1024", seeds, count,
                 time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())))
    D.write_report(args.report, [(r, rp) for r, rp in runs], names, header=header)
    print("report written to %s" % args.report)


if __name__ == "__main__":
    sys.exit(main())
