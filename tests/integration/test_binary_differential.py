"""Differential test of memcached's BINARY protocol: `cachelab serve` against Debian's memcached
1.6.18, the same randomized packets to both, the replies compared packet by packet (issue 20).

    python3 test_binary_differential.py PATH_TO_cachelab                 # the CI run (seed 1)
    python3 test_binary_differential.py PATH --seed 7 --count 50000       # another stream
    python3 test_binary_differential.py --self                            # memcached against memcached

Both servers run on free loopback ports with `-m 1024 -I 1m -t 2` (no evictions) (and cachelab with --io-engine
$CACHELAB_IO_ENGINE when set). Three clients send turns: a batch of 1-8 requests in one write,
ended by a NOOP (memcached's way to close a quiet batch), and the harness waits for every reply of
a turn from both servers before the next. Covered: get getq getk getkq, set add replace and their
quiet forms, with a matching, a wrong and a missing CAS, append prepend (quiet, with CAS), delete
(quiet, with CAS), incr decr (quiet; initial value, "do not create" 0xffffffff, decr below 0, non-numeric values, with CAS), touch gat gatq gatk gatkq, flush flushq, noop, version,
stat (all, settings, items, unknown), the SASL opcodes without -S, unknown opcodes with a body,
values up to 1,000,000 bytes and over -I (refused and dropped), 250-byte keys and keys of any
bytes, and, each on a connection that then reconnects: 251-byte keys, lengths wrong for the
opcode, key+extras longer than the body, a bad magic byte, quit and quitq.

Counters stay below 2^63: memcached 1.6.18 reads a number of 2^63 or more as non-numeric if a
'-' byte lies anywhere between it and the next zero byte of the memory after the item (its
safe_strtoull runs strchr over the item's data), so its answer depends on its memory, not on the
requests. For the same reason no value is made of blanks only: strtoull skips them, and the
"\r\n" memcached keeps after the value, and reads a number from whatever memory follows. The wrap at 2^64 and decr below 0 are checked in tests/protocol/test_binary.cpp and
decr below 0 here. Counters: memcached writes a decremented number that got shorter in place, padded with spaces
("99 "), unless another connection still holds the item, when it writes "99" to a new one: which
of the two happens depends on its timing, so that memcached differs from itself. Digits followed
by spaces are compared without the spaces, and the counter keys are never appended to.

Normalized: CAS values (a bijection by order of appearance, per server), the contents of stat
packets (names and values differ by design; the statuses are compared). Everything else (opcode,
status, extras, key, value, opaque) must be equal. Exit status 1 on any difference; the first 20
are printed with the seed, the turn and both replies.
"""
import argparse
import os
import random
import re
import select
import socket
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cachelab_server  # noqa: E402

MEMCACHED = cachelab_server.MEMCACHED
TURN_TIMEOUT_S = 20.0
HEADER = struct.Struct(">BBHBBHIIQ")
DIGITS_PADDED = re.compile(rb"[0-9]+ +")

GET, SET, ADD, REPLACE, DELETE, INCR, DECR, QUIT, FLUSH, GETQ, NOOP, VERSION, GETK, GETKQ = range(14)
APPEND, PREPEND, STAT, SETQ, ADDQ, REPLACEQ, DELETEQ, INCRQ, DECRQ, QUITQ, FLUSHQ, APPENDQ, PREPENDQ = range(14, 27)
TOUCH, GAT, GATQ, SASL_LIST, SASL_AUTH, SASL_STEP, GATK, GATKQ = 0x1C, 0x1D, 0x1E, 0x20, 0x21, 0x22, 0x23, 0x24


class Req:
    """One packet; `cas` is a number, or ('good'|'bad', key) resolved per server from its book."""

    def __init__(self, op, key=b"", extras=b"", value=b"", cas=0, bodylen=None, magic=0x80):
        self.op, self.key, self.extras, self.value = op, key, extras, value
        self.cas, self.bodylen, self.magic = cas, bodylen, magic
        self.opaque = 0

    def render(self, book):
        cas = self.cas
        if isinstance(cas, tuple):
            kind, key = cas
            known = book.get(key, 0)
            cas = known if kind == "good" else (known + 1000 if known else 987654321)
        body = len(self.extras) + len(self.key) + len(self.value) if self.bodylen is None else self.bodylen
        return HEADER.pack(self.magic, self.op, len(self.key), len(self.extras), 0, 0, body, self.opaque,
                           cas) + self.extras + self.key + self.value

    def describe(self):
        return "op=0x%02x key=%r ext=%s vlen=%d cas=%r opaque=%d" % (
            self.op, self.key[:40], self.extras.hex(), len(self.value), self.cas, self.opaque)


def set_ext(flags=0, exp=0):
    return struct.pack(">II", flags, exp)


def arith_ext(delta, initial, exp):
    return struct.pack(">QQI", delta, initial, exp)


class Generator:
    def __init__(self, seed):
        self.r = random.Random(seed)
        r = self.r
        self.keys = [b"k%d" % i for i in range(40)]
        self.counters = [b"n%d" % i for i in range(8)]  # mostly numbers
        self.keys += self.counters
        self.keys += [b"x" * 250, b"y" * 249 + b"z", bytes(range(1, 30)), b"sp ace\r\n\x00end", "ключ".encode()]
        self.r = r

    def key(self):
        return self.r.choice(self.keys)

    def value(self):
        r = self.r
        x = r.random()
        if x < 0.6:
            v = bytes(r.getrandbits(8) for _ in range(r.randint(0, 40)))
            # (a value of blanks only: see the module's note on counters)
            return b"x" + v if v and not v.strip(b" \t\n\v\f\r") else v
        if x < 0.8:
            return str(r.choice([0, 1, 9, 10, 99, 2**32, 2**62, r.getrandbits(62)])).encode()
        if x < 0.97:
            return r.randbytes(r.randint(100, 20000))
        if x < 0.99:
            return b"v" * r.randint(200_000, 1_000_000)
        return b"o" * r.randint(1_100_000, 1_300_000)  # over -I

    def cas(self, key):
        x = self.r.random()
        if x < 0.8:
            return 0
        return ("good", key) if x < 0.93 else ("bad", key)

    def exptime(self):
        return self.r.choice([0, 0, 0, 3600, 86400 * 31 + int(time.time()) + 3600])

    def request(self):
        r = self.r
        x = r.random()
        k = self.key()
        if x < 0.25:
            return Req(r.choice([GET, GETQ, GETK, GETKQ]), k)
        if x < 0.45:
            op = r.choice([SET, SET, SETQ, ADD, ADDQ, REPLACE, REPLACEQ])
            return Req(op, k, set_ext(r.getrandbits(32), self.exptime()), self.value(), self.cas(k))
        if x < 0.52:
            v = self.value() if r.random() < 0.9 else b"a" * r.randint(1, 4000)
            while k in self.counters:  # see the module's note on counters
                k = self.key()
            return Req(r.choice([APPEND, PREPEND, APPENDQ, PREPENDQ]), k, b"", v[:5000], self.cas(k))
        if x < 0.58:
            return Req(r.choice([DELETE, DELETEQ]), k, cas=self.cas(k))
        if x < 0.72:
            if r.random() < 0.6:
                k = r.choice(self.keys[40:48])
            delta = r.choice([0, 1, 5, 1000, 2**40, r.getrandbits(32)])
            initial = r.choice([0, 7, 2**62, r.getrandbits(62)])
            exp = r.choice([0, 0, 0xFFFFFFFF, 3600])
            return Req(r.choice([INCR, DECR, INCRQ, DECRQ]), k, arith_ext(delta, initial, exp), cas=self.cas(k))
        if x < 0.80:
            return Req(r.choice([TOUCH, GAT, GATQ, GATK, GATKQ]), k, struct.pack(">I", self.exptime()))
        if x < 0.83:
            return Req(NOOP)
        if x < 0.85:
            return Req(VERSION)
        if x < 0.87:
            return Req(STAT, r.choice([b"", b"settings", b"items", b"bogus", b"detail"]))
        if x < 0.875:
            return Req(r.choice([FLUSH, FLUSHQ]))
        if x < 0.89:
            if r.random() < 0.5:
                return Req(SASL_LIST)
            return Req(r.choice([SASL_AUTH, SASL_STEP]), b"PLAIN", b"", b"\0user\0pass" if r.random() < 0.5 else b"")
        if x < 0.92:
            # unknown opcodes, with a body memcached drops (no key or extras: see PROTOCOL.md)
            return Req(r.choice([0x1B, 0x1F, 0x25, 0x30, 0x3C, 0x40, 0x7F, 0x99, 0xFF]), b"", b"",
                       r.randbytes(r.randint(0, 64)))
        # valid lengths with odd extras that memcached still takes
        return Req(r.choice([GET, GETK]), k)

    def closing(self):
        """A request after which the connection is closed (by the server or by quit)."""
        r = self.r
        x = r.random()
        k = self.key()
        if x < 0.15:
            return Req(r.choice([GET, SET, DELETE, INCR]), b"q" * 251, b"", b"")
        if x < 0.45:
            choices = [Req(GET, k, b"ex"), Req(SET, k, b"1234", b"v"), Req(INCR, k, b"short"),
                       Req(DELETE, b""), Req(VERSION, k), Req(NOOP, b"", b"", b"body"), Req(FLUSH, b"", b"12"),
                       Req(TOUCH, k, b""), Req(STAT, b"", b"e"), Req(APPEND, k, b"ext", b"v"),
                       Req(GETK, b""), Req(QUIT, k), Req(SASL_LIST, b"PLAIN"), Req(SASL_AUTH, b"", b"", b"x")]
            return r.choice(choices)
        if x < 0.65:
            return Req(r.choice([GET, SET, 0x55]), k, b"", b"", bodylen=r.randint(0, len(k) - 1) if len(k) > 1 else 0)
        if x < 0.8:
            return Req(GET, k, magic=r.choice([0x00, 0x81, 0x7F, ord("g")]))
        return Req(r.choice([QUIT, QUITQ]))


def read_packets(sock_data):
    """Whole response packets at the front of `sock_data`: (packets, bytes used)."""
    out, at = [], 0
    while len(sock_data) - at >= 24:
        magic, op, keylen, extlen, _dt, status, body, opaque, cas = HEADER.unpack_from(sock_data, at)
        if len(sock_data) - at < 24 + body:
            break
        b = sock_data[at + 24: at + 24 + body]
        out.append((magic, op, status, b[:extlen], b[extlen:extlen + keylen], b[extlen + keylen:], opaque, cas))
        at += 24 + body
    return out, at


class Side:
    def __init__(self, server, clients):
        self.server = server
        self.socks = [None] * clients
        self.book = {}  # key -> the last CAS this server reported for it
        self.cas_ids = {}  # CAS value -> order of first appearance

    def sock(self, i):
        if self.socks[i] is None:
            s = socket.create_connection(self.server.address, timeout=10)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.socks[i] = s
        return self.socks[i]

    def drop(self, i):
        if self.socks[i] is not None:
            self.socks[i].close()
            self.socks[i] = None


def exchange(sides, client, reqs, closing, marker):
    """Sends the turn to both servers; returns each side's packets (and whether it closed)."""
    bufs = []
    for side in sides:
        data = b"".join(q.render(side.book) for q in reqs)
        try:
            side.sock(client).sendall(data)
        except OSError as e:  # the server closed the connection before all of it was sent
            pass  # (the reply and the close are what is compared)
        bufs.append(b"")
    results = [None, None]
    deadline = time.monotonic() + TURN_TIMEOUT_S
    pending = {0, 1}
    while pending and time.monotonic() < deadline:
        socks = {sides[i].sock(client): i for i in pending}
        ready, _, _ = select.select(list(socks), [], [], 0.5)
        for s in ready:
            i = socks[s]
            try:
                chunk = s.recv(1 << 20)
            except OSError:
                chunk = b""
            if chunk:
                bufs[i] += chunk
                if not closing:
                    packets, used = read_packets(bufs[i])
                    if packets and used == len(bufs[i]) and packets[-1][1] == NOOP and packets[-1][6] == marker:
                        results[i] = (packets, False)
                        pending.discard(i)
                continue
            packets, used = read_packets(bufs[i])
            results[i] = (packets + ([("partial", bufs[i][used:])] if used < len(bufs[i]) else []), True)
            pending.discard(i)
    for i in pending:
        packets, used = read_packets(bufs[i])
        results[i] = (packets + [("timeout", len(bufs[i]) - used)], "timeout")
    return results


def normalize(side, packets):
    out = []
    in_stats = False
    for p in packets:
        if isinstance(p[0], str):
            out.append(p)
            continue
        magic, op, status, ext, key, value, opaque, cas = p
        if op == STAT and status == 0:
            if not in_stats:
                out.append(("stats", opaque))
            in_stats = bool(key)
            continue
        in_stats = False
        if DIGITS_PADDED.fullmatch(value):
            value = value.rstrip(b" ")
        if cas:
            cas = side.cas_ids.setdefault(cas, len(side.cas_ids) + 1)
        out.append((magic, op, status, ext, key, value, opaque, cas))
    return out


def learn(side, reqs, packets):
    """Records the CAS each reply reports for its key (replies and requests match by opaque)."""
    by_opaque = {q.opaque: q for q in reqs}
    for p in packets:
        if isinstance(p[0], str):
            continue
        _magic, op, status, _ext, _key, _value, opaque, cas = p
        q = by_opaque.get(opaque)
        if q is None or not q.key:
            continue
        if status == 0 and cas:
            side.book[q.key] = cas
        elif status == 1 and op in (GET, GETK, GAT, GATK, TOUCH, DELETE, DELETEQ):
            side.book.pop(q.key, None)


def short(x, limit=300):
    s = repr(x)
    return s if len(s) <= limit else s[:limit] + "...(%d chars)" % len(s)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cachelab", nargs="?")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=int(os.environ.get("CACHELAB_BINARY_DIFF_COUNT", 20000)))
    ap.add_argument("--clients", type=int, default=3)
    ap.add_argument("--self", dest="self_check", action="store_true")
    ap.add_argument("--max-print", type=int, default=20)
    ap.add_argument("--trace", action="append", default=[], help="print every turn that touches KEY")
    args = ap.parse_args(argv)
    if not os.access(MEMCACHED, os.X_OK):
        print("SKIP: no memcached at %s" % MEMCACHED)
        return 0
    if not args.self_check:
        if not args.cachelab:
            sys.exit("usage: test_binary_differential.py PATH_TO_cachelab")
        sys.argv[1:] = [args.cachelab]
    # Memory enough that nothing is evicted: memcached's evictions depend on its background LRU
    # maintainer's timing, so they differ between two runs of memcached itself.
    common = ["-m", "1024", "-I", "1m", "-t", "2"]
    a = cachelab_server.Memcached(*common).start()
    try:
        if args.self_check:
            b = cachelab_server.Memcached(*common).start()
        else:
            b = cachelab_server.Server(*common).start()
    except Exception:
        a.stop()
        raise
    sides = [Side(a, args.clients), Side(b, args.clients)]
    gen = Generator(args.seed)
    r = gen.r
    sent = turns = mismatches = 0
    opaque = 0
    started = time.monotonic()
    try:
        while sent < args.count:
            client = r.randrange(args.clients)
            closing = r.random() < 0.01
            reqs = [gen.request() for _ in range(r.randint(1, 8))]
            if closing:
                # Before the request that closes, only requests with short replies: a server that
                # closes with request bytes unread resets the connection, and the reset may drop
                # reply bytes still in flight (a big value), on either server.
                small = [Req(NOOP), Req(VERSION), Req(DELETE, gen.key()), Req(SET, gen.key(), set_ext(), b"v")]
                reqs = [r.choice(small) for _ in range(r.randint(0, 2))] + [gen.closing()]
                if reqs[-1].magic != 0x80:
                    reqs = reqs[-1:]  # memcached drops replies still queued when it meets a bad magic
            else:
                reqs.append(Req(NOOP))
            for q in reqs:
                opaque += 1
                q.opaque = opaque
            marker = reqs[-1].opaque
            results = exchange(sides, client, reqs, closing, marker)
            norm = []
            for side, (packets, closed) in zip(sides, results):
                learn(side, reqs, packets)
                norm.append((normalize(side, packets), closed))
            traced = [k.encode() for k in args.trace]
            if any(q.key in traced for q in reqs):
                print("TRACE turn %d client %d" % (turns, client))
                for q in reqs:
                    print("   sent:", q.describe())
                print("   memcached:", short(norm[0], 2000))
                print("   other:    ", short(norm[1], 2000))
            if norm[0] != norm[1]:
                mismatches += 1
                if mismatches <= args.max_print:
                    print("MISMATCH seed %d turn %d client %d" % (args.seed, turns, client))
                    for q in reqs:
                        print("   sent:", q.describe())
                    other = "memcached#2" if args.self_check else "cachelab"
                    (pa, ca), (pb, cb) = norm
                    print("   closed: memcached %r, %s %r" % (ca, other, cb))
                    for i in range(max(len(pa), len(pb))):
                        x = pa[i] if i < len(pa) else None
                        y = pb[i] if i < len(pb) else None
                        if x != y:
                            print("   reply %d memcached: %s" % (i, short(x)))
                            print("   reply %d %s: %s" % (i, other, short(y)))
                # resynchronise: both connections start again, CAS numbering too
                for side in sides:
                    side.drop(client)
                    side.cas_ids.clear()
            if closing or results[0][1] or results[1][1]:
                for side in sides:
                    side.drop(client)
            sent += len(reqs)
            turns += 1
    finally:
        for side in sides:
            for i in range(args.clients):
                side.drop(i)
        a.stop()
        rc = b.stop()
    elapsed = time.monotonic() - started
    print("binary differential: seed %d, %d requests in %d turns, %.1f s, %d mismatching turns" % (
        args.seed, sent, turns, elapsed, mismatches))
    if not args.self_check and rc not in (0, None):
        print("cachelab exited with %r: %s" % (rc, b.stderr[-2000:]))
        return 1
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
