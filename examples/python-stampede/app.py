#!/usr/bin/python3
"""One hot page behind cachelab serve, rebuilt from a slow SQLite query: what the database sees.

Reads arrive as a Poisson process (--reads-per-s) at one key; each read runs on a thread of its
own (a pool of --threads), so reads that arrive while the page is being rebuilt run concurrently,
as in a web server. A rebuild ("fill") reads the row from SQLite and then sleeps so that the
database part takes --fill-ms in all (the stated delay standing for a slow query), then stores
the page with a --ttl. What a reader does on a miss is the protection (--mode):

  none           mg k v; on EN: db read, ms k T<ttl>        (every concurrent miss reads the db)
  lease          mg k v N30 c; W: db read, ms k T<ttl> C<cas>; Z (empty value): sleep, retry
  serve-stale    as lease, the copy stored for ttl+grace; mg ... R<grace+1>: past the ttl the one
                 reader given W refreshes, every other reader (Z) gets the old page meanwhile
  early-refresh  XFetch (Vattani et al., VLDB 2015): the page carries delta (its fill time) and
                 its expiry; a hit refreshes when now - delta*beta*ln(rand()) >= expiry

The meta protocol is spoken by a small client over a raw socket (MetaClient below).

Whole seconds: cachelab serve (like memcached) expires on the unix clock's whole seconds, an item
stored at t living until floor(t)+ttl. The app starts its schedule on a whole unix second, so its
second windows and expiries line up with `cachelab sim` under `clock: seconds`. In serve-stale the
server answers R<n> with W when the remaining TTL (whole seconds) is below n; the copy lives
ttl+grace, so R<grace+1> hands out the refresh from floor(t)+ttl on, as the simulator refreshes.

Prints one JSON line: reads, db_reads, duplicate_fills (fills started while another fill of the
key was under way), peak_db_per_s (most db reads in one whole second of the schedule),
db_per_s (every second's), stale_reads (serve-stale reads past the ttl), max_lag_s.
"""
import argparse
import json
import math
import os
import queue
import random
import socket
import sqlite3
import sys
import tempfile
import threading
import time

KEY = "page:hot"
LEASE_TTL = 30      # the placeholder's life if the winner never fills
BACKOFF_S = 0.005   # a Z reader's wait before it asks again


class MetaClient:
    """Enough of memcached's meta protocol (mg, ms) for the example, over one socket."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode()

    def _bytes(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def mg(self, key, *flags):
        """Returns (value or None, {flag letter: token}) ; None value for EN (a miss)."""
        self.sock.sendall(("mg %s v %s\r\n" % (key, " ".join(flags))).encode())
        words = self._line().split()
        if words[0] == "EN":
            return None, {}
        if words[0] != "VA":
            raise RuntimeError("mg: " + " ".join(words))
        value = self._bytes(int(words[1]))
        return value, {w[0]: w[1:] for w in words[2:]}

    def ms(self, key, value, *flags):
        """Returns the reply code: HD stored, EX the cas (recache token) no longer matches, NS."""
        self.sock.sendall(("ms %s %d %s\r\n" % (key, len(value), " ".join(flags))).encode() + value + b"\r\n")
        return self._line().split()[0]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=11211)
    p.add_argument("--mode", choices=["none", "lease", "serve-stale", "early-refresh"], default="none")
    p.add_argument("--duration", type=float, default=30.0, help="seconds of traffic")
    p.add_argument("--reads-per-s", type=float, default=100.0)
    p.add_argument("--ttl", type=int, default=3, help="page TTL in whole seconds")
    p.add_argument("--fill-ms", type=float, default=200.0, help="the database part of a rebuild")
    p.add_argument("--grace", type=int, default=10, help="serve-stale: seconds the old page is kept")
    p.add_argument("--beta", type=float, default=1.0, help="early-refresh: XFetch's beta")
    p.add_argument("--size", type=int, default=1000, help="bytes of the page")
    p.add_argument("--threads", type=int, default=64)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    fill_s = args.fill_ms / 1000.0

    db_path = os.path.join(tempfile.mkdtemp(prefix="cachelab-stampede-"), "shop.db")
    with sqlite3.connect(db_path) as db:
        db.execute("CREATE TABLE pages (id TEXT PRIMARY KEY, body TEXT NOT NULL)")
        db.execute("INSERT INTO pages VALUES (?, ?)", (KEY, "x" * args.size))

    lock = threading.Lock()
    counts = dict(reads=0, db_reads=0, duplicate_fills=0, stale_reads=0, errors=0)
    in_flight = [0]
    db_times = []          # schedule time of every db read
    local = threading.local()
    rng_lock = threading.Lock()
    xfetch_rng = random.Random(args.seed * 7919 + 1)
    start = [0.0]

    def conn():
        if not hasattr(local, "mc"):
            local.mc = MetaClient(args.port)
            local.db = sqlite3.connect(db_path)
        return local.mc, local.db

    def fill(mc, db, store_flags):
        """The rebuild: a db read that takes fill_s in all, then ms. Returns the ms reply."""
        t0 = time.monotonic()
        with lock:
            counts["db_reads"] += 1
            if in_flight[0] > 0:
                counts["duplicate_fills"] += 1
            in_flight[0] += 1
            db_times.append(t0 - start[0])
        try:
            body = db.execute("SELECT body FROM pages WHERE id = ?", (KEY,)).fetchone()[0]
            left = fill_s - (time.monotonic() - t0)
            if left > 0:
                time.sleep(left)
            delta = time.monotonic() - t0
            now = time.time()
            if args.mode == "early-refresh":  # the page carries delta and its expiry (whole seconds)
                value = b"%.6f %d " % (delta, math.floor(now) + args.ttl) + body.encode()
            else:
                value = body.encode()
            return mc.ms(KEY, value, *store_flags)
        finally:
            with lock:
                in_flight[0] -= 1

    def read():
        mc, db = conn()
        mode = args.mode
        if mode == "none":
            value, _ = mc.mg(KEY)
            if value is None:
                fill(mc, db, ["T%d" % args.ttl])
        elif mode == "early-refresh":
            value, _ = mc.mg(KEY)
            if value is None:
                fill(mc, db, ["T%d" % args.ttl])
            else:
                delta, expiry = value.split(b" ", 2)[:2]
                with rng_lock:
                    u = 1.0 - xfetch_rng.random()  # in (0, 1]
                if time.time() - float(delta) * args.beta * math.log(u) >= int(expiry):
                    fill(mc, db, ["T%d" % args.ttl])
        else:
            if mode == "lease":
                flags, store_ttl = ["N%d" % LEASE_TTL, "c"], args.ttl
            else:
                flags, store_ttl = ["N%d" % LEASE_TTL, "c", "t", "R%d" % (args.grace + 1)], args.ttl + args.grace
            while True:
                value, f = mc.mg(KEY, *flags)
                if "W" in f:  # this reader fills (a miss it created, or the refresh past the ttl)
                    if value and mode == "serve-stale":
                        with lock:
                            counts["stale_reads"] += 1  # it is served the old page meanwhile
                    fill(mc, db, ["T%d" % store_ttl, "C" + f["c"]])
                    return
                if "Z" in f and not value:  # the page is being built and there is no old copy
                    time.sleep(BACKOFF_S)
                    continue
                if "Z" in f and mode == "serve-stale":
                    with lock:
                        counts["stale_reads"] += 1
                return

    jobs = queue.Queue()

    def worker():
        while True:
            job = jobs.get()
            if job is None:
                return
            try:
                read()
            except Exception as e:  # counted, the run goes on
                with lock:
                    counts["errors"] += 1
                print("read failed: %r" % e, file=sys.stderr)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.threads)]
    for t in threads:
        t.start()

    rng = random.Random(args.seed)
    # start on a whole unix second: the server's expiry clock and the simulator's windows align
    # (start is that second itself, whatever the sleep overshoots: schedule time = unix time - S)
    wall = time.time()
    time.sleep(math.ceil(wall) + 0.002 - wall)
    wall, mono = time.time(), time.monotonic()
    start[0] = mono - (wall - math.floor(wall))
    at, lag = rng.expovariate(args.reads_per_s), 0.0
    while at < args.duration:
        wait = start[0] + at - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        else:
            lag = max(lag, -wait)
        counts["reads"] += 1
        jobs.put(at)
        at += rng.expovariate(args.reads_per_s)
    for _ in threads:
        jobs.put(None)
    for t in threads:
        t.join(timeout=30)

    seconds = [0] * (int(args.duration) + 1)
    for t in db_times:
        if 0 <= t < len(seconds):
            seconds[int(t)] += 1
    counts["db_per_s"] = seconds[:int(math.ceil(args.duration))]
    counts["peak_db_per_s"] = max(seconds) if seconds else 0
    counts["max_lag_s"] = round(lag, 3)
    print(json.dumps(counts))
    if lag > 0.5:
        print("warning: the app fell %.1f s behind its schedule" % lag, file=sys.stderr)


if __name__ == "__main__":
    main()
