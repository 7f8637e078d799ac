"""Differential testing of `cachelab serve` against Debian's memcached 1.6.18 (issue 16 item 6).

The machinery behind test_memcached_differential.py and test_memcached_differential_evict.py:

- `Generator` makes a deterministic (seeded) stream of *turns*: a turn is one client (connection)
  and a batch of requests sent pipelined on it. The harness waits for every reply of a turn before
  it sends the next, so the order in which requests reach the server is the same on both servers,
  although several connections interleave.
- Every request is followed by `mn\\r\\n`: the reply of request i is everything between the MN of
  request i-1 and its own MN (replies are tokenized: `VALUE`/`VA` data blocks are skipped by their
  length, so a value holding `MN\\r\\n` does no harm). Requests that close the connection (`quit`,
  HTTP request lines) are sent alone on a fresh connection and the reply is what arrives before the
  server closes (or the MN that shows it did not close).
- CAS values cannot be the same on two servers: they are compared as a bijection (the n-th distinct
  CAS one server shows at a place must correspond to the n-th distinct CAS the other shows at the
  same place). A request that sends a CAS (`cas`, `C`) names it symbolically (the last, or the
  previous, CAS that server showed for the key, or one no server has issued) and it is resolved per
  server when sent.
- Times: `t` (meta) and `exp=` (`me`) are compared within +-2 s (-1, "never", exactly). `l` and
  `la=` (last access) only for being there: memcached refreshes an item's access time when its
  segmented LRU moves it (the second read, then as its maintainer thread clears the item's
  active bit), which no client-visible rule reproduces; docs/PROTOCOL.md lists the difference.
  Outside the few TTL phases every TTL is 0, negative, >= 1000 s, 30 days, or an absolute time, and
  recache thresholds (`R`) are far from every remaining TTL, so no boundary is ever crossed while
  the test runs. Short TTLs (1-3 s) live only in TTL phases: a burst on keys of their own, a sleep
  past every expiry for all of them at once, then a check burst.
- Deliberate differences normalized: `VERSION` lines, `stats` replies (not compared), `me`'s `cls=`
  and `size=` (slab class and item header size are memcached internals). Requests in the areas
  docs/PROTOCOL.md lists as deliberate differences (CR/NUL in keys, flags above 2^32-1, `+` in
  numbers, lines over 2 KiB, values within 50 bytes of -I, a bad key inside a multi-key `get`
  batched behind other requests) are not generated.
- Not generated either, because memcached 1.6.18 itself answers them differently from run to run
  (found with --self, memcached against memcached): incr/decr/ma on a stored number >= 2^63 (its
  safe_strtoull runs strchr(data, '-') over the item's unterminated data), and on a value made
  only of whitespace (strtoull skips it and reads on past the item). So arithmetic runs on
  counter keys only, and a counter that may hold 2^62 or more is set again first; the 2^64-1 wrap
  is exercised through the delta. Binary keys hold no CR or LF (memcached prints some binary keys
  raw in `k` and `me` replies).
- After a mismatch the keys involved are deleted on both servers (`repair`), so that one
  difference is not reported again by every later request on those keys.
"""
import base64
import collections
import os
import random
import re
import select
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cachelab_server  # noqa: E402

MEMCACHED = cachelab_server.MEMCACHED
MiB = 1 << 20
DEVNULL = open(os.devnull, "w")
TURN_TIMEOUT_S = 20.0
# Time fields may differ by this much. memcached counts seconds of CLOCK_MONOTONIC, refreshed by a
# 1 s timer; a server whose seconds start at another fraction (the wall clock) can read one more or
# one less, and a late timer may add one more (seen in CI under ASan on a loaded machine: a
# 2 s step), so the default accepts 2.
TIME_TOLERANCE = 2


# ----------------------------------------------------------------------------------------------
# servers

MemcachedServer = cachelab_server.Memcached


class CachelabServer(cachelab_server.Server):
    name = "cachelab"


def start_pair(self_check, mem, item_max, threads=2):
    """(memcached, other): other is cachelab, or a second memcached with self_check."""
    common = ["-m", str(mem), "-I", item_max, "-t", str(threads)]
    a = MemcachedServer(*common).start()
    try:
        if self_check:
            b = MemcachedServer(*common).start()
            b.name = "memcached#2"
        else:
            b = CachelabServer(*common).start()
    except Exception:
        a.stop()
        raise
    return a, b


# ----------------------------------------------------------------------------------------------
# requests

class Cmd:
    """One request. `parts`: bytes and placeholders ('cas', key, mode) resolved per server.
    `mn`: MN replies the request itself gives (1 for `mn`). `alone`: sent in a turn of its own.
    `closes`: may close the connection (sent alone on a fresh connection). `keys`: the raw keys
    it touches (for reproducers). `label`: shape name for the report."""
    __slots__ = ("parts", "name", "label", "key", "keys", "mn", "alone", "closes", "meta_flags",
                 "timed", "evict_rule")

    def __init__(self, parts, name, label=None, key=None, keys=(), mn=0, alone=False, closes=False,
                 meta_flags="", timed=False, evict_rule=None):
        self.parts = parts if isinstance(parts, list) else [parts]
        self.name = name
        self.label = label
        self.key = key
        self.keys = tuple(keys) if keys else ((key,) if key is not None else ())
        self.mn = mn
        self.alone = alone
        self.closes = closes
        self.meta_flags = meta_flags
        self.timed = timed
        self.evict_rule = evict_rule

    def shape(self):
        if self.label:
            return self.label
        if self.meta_flags:
            return "%s %s" % (self.name, self.meta_flags)
        return self.name

    def text(self):
        """The request with placeholders shown symbolically."""
        out = b""
        for p in self.parts:
            out += p if isinstance(p, bytes) else (b"<%s cas of %s>" % (p[2].encode(), p[1]))
        return out


class CasBook:
    """Per server: the CAS values it showed per key (last two distinct)."""
    BAD = 987654321987

    def __init__(self):
        self.by_key = {}

    def saw(self, key, cas):
        if cas == 0:
            return
        lst = self.by_key.setdefault(key, [])
        if not lst or lst[-1] != cas:
            lst.append(cas)
            del lst[:-2]

    def resolve(self, key, mode):
        lst = self.by_key.get(key, [])
        if mode == "cur" and lst:
            return lst[-1]
        if mode == "old" and len(lst) > 1:
            return lst[-2]
        return self.BAD


def render(cmd, book):
    if len(cmd.parts) == 1 and isinstance(cmd.parts[0], bytes):
        return cmd.parts[0]
    out = []
    for p in cmd.parts:
        if isinstance(p, bytes):
            out.append(p)
        else:
            out.append(b"%d" % book.resolve(p[1], p[2]))
    return b"".join(out)


# ----------------------------------------------------------------------------------------------
# the generator

def b64(k):
    return base64.b64encode(k)


LONG_TTLS = (1000, 1200, 1800, 3600, 86400, 2592000)
FLUSH_EVERY = 20000
R_NEVER = (5, 30, 500)          # remaining TTLs are >= ~900 s (or 0 = never)
R_ALWAYS = (100000, 5000000)    # above every relative remaining TTL (30 days is 2592000: see below)


class Generator:
    """Deterministic request stream. evict=True: the workload of the eviction mode."""

    def __init__(self, seed, count, clients=4, evict=False, phases=3):
        self.rng = random.Random(seed)
        self.seed = seed
        self.count = count
        self.clients = clients
        self.evict = evict
        self.generated = 0
        self.abs_base = int(time.time())  # absolute expiry times are computed from this once
        r = self.rng
        if evict:
            self.kkeys = [b"e:%d" % i for i in range(3000)]
            self.nkeys = [b"en:%d" % i for i in range(300)]
        else:
            self.kkeys = [b"k:%d" % i for i in range(300)]
            self.nkeys = [b"n:%d" % i for i in range(40)]
        self.mkeys = [b"m:%d" % i for i in range(30)]
        self.bigkeys = [b"big:%d" % i for i in range(6)]
        self.longkeys = [(b"L%d:" % i).ljust(250, b"abcdefgh"[i:i + 1]) for i in range(4)]
        # binary keys: no CR or LF (memcached 1.6.18 prints some binary keys raw, in `k` and `me`
        # replies, and a CR LF there would end the line)
        self.binkeys = [bytes(r.choice([c for c in range(256) if c not in (10, 13)])
                              for _ in range(r.randint(1, 40))) for _ in range(12)]
        self.binkeys += [b"k:%d" % i for i in range(4)] + [b"a key with spaces", b"\x00\x01"]
        self.binkeys = [k for k in self.binkeys if len(b64(k)) <= 250]
        self.phase_at = [] if evict else [int(count * (i + 1) / (phases + 1)) for i in range(phases)]
        self.phase_no = 0
        self.pending = collections.deque()   # turns queued by flows/phases: (client, [Cmd], sleep_before)
        self.last_flush = time.monotonic()
        self.next_flush = FLUSH_EVERY
        self.bign = set()     # keys that may hold a number >= 2^62 (see set_small)

    # --- small pieces
    def key(self):
        r = self.rng
        x = r.random()
        if x < 0.5:
            return self.kkeys[int(len(self.kkeys) * r.random() ** 3)]   # skewed: hot keys
        if x < 0.97:
            return r.choice(self.kkeys)
        return r.choice(self.longkeys)

    def value(self, big=False):
        r = self.rng
        if big:
            n = r.choice([r.randint(100000, 900000), MiB - 1024 - r.randint(0, 8192)])
        else:
            x = r.random()
            if self.evict:
                n = r.randint(200, 6000)
            elif x < 0.35:
                n = r.randint(0, 10)
            elif x < 0.85:
                n = r.randint(10, 300)
            elif x < 0.98:
                n = r.randint(300, 5000)
            else:
                n = r.randint(5000, 100000)
        kind = r.random()
        if kind < 0.5:
            block = bytes(r.choice(b"abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(min(n, 64)))
            return (block * (n // 64 + 1))[:n]
        if kind < 0.8:
            return r.randbytes(n)
        # binary-hostile content: CRLFs, NULs, fake protocol lines
        unit = r.choice([b"\r\n", b"END\r\n", b"MN\r\n", b"\x00", b"VALUE x 0 1\r\n", b"VA 3 \r\n"])
        return (unit * (n // len(unit) + 1))[:n]

    def numeric_value(self):
        r = self.rng
        return r.choice([b"0", b"1", b"10", b"100", b"99", b"18446744073709551615",
                         b"18446744073709551614", b"18446744073709551616", b"9" * 25, b"007",
                         b"12abc", b"abc", b"", b" 5", b"5 ", b"-5", b"4294967296",
                         b"%d" % r.randrange(1 << 64), b"%d" % r.randrange(1000)])

    def delta(self):
        r = self.rng
        return r.choice([b"1", b"1", b"5", b"0", b"100", b"18446744073709551615",
                         b"18446744073709551614", b"%d" % r.randrange(1 << 64), b"4294967296"])

    def exptime(self):
        r = self.rng
        x = r.random()
        if x < 0.55:
            return b"0"
        if x < 0.85:
            return b"%d" % r.choice(LONG_TTLS[:4])
        return r.choice([b"-1", b"-100", b"2592000", b"2592001", b"1000000000",
                         b"%d" % (self.abs_base + 20000)])

    def flags(self):
        r = self.rng
        return r.choice([b"0", b"0", b"0", b"1", b"%d" % r.randrange(1 << 16), b"4294967295",
                         b"%d" % r.randrange(1 << 32)])

    def opaque(self):
        r = self.rng
        return b"O" + r.choice([b"1", b"%d" % r.randrange(10 ** 9), b"abc", b"x" * 32])

    # --- classic
    def c_store(self, cmd=None, key=None, value=None, exp=None):
        r = self.rng
        cmd = cmd or r.choice([b"set"] * 4 + [b"add", b"replace", b"append", b"prepend", b"cas"])
        if key is None and r.random() < 0.005 and not self.evict:
            key = r.choice(self.bigkeys)   # values of 100 KB to 1 MB - 1 KB
        key = key or self.key()
        if value is None:
            value = self.value(big=key in self.bigkeys)
        exp = exp if exp is not None else self.exptime()
        noreply = r.random() < 0.1
        parts = [b"%s %s %s %s %d" % (cmd, key, self.flags(), exp, len(value))]
        if cmd == b"cas":
            parts += [b" ", ("cas", key, r.choice(["cur", "cur", "old", "bad"]))]
        parts.append((b" noreply" if noreply else b"") + b"\r\n" + value + b"\r\n")
        return Cmd(parts, cmd.decode(), label=cmd.decode() + (" noreply" if noreply else ""),
                   key=key, evict_rule="store")

    def c_get(self):
        r = self.rng
        cmd = r.choice([b"get", b"get", b"gets", b"gat", b"gats"])
        n = r.choice([1, 1, 1, 2, 3, 5]) if r.random() < 0.97 else r.randint(30, 70)
        keys = [self.key() for _ in range(n)]
        if r.random() < 0.005:
            keys.append(r.choice(self.bigkeys))
        if cmd in (b"gat", b"gats"):
            line = b"%s %s %s\r\n" % (cmd, self.exptime(), b" ".join(keys))
        else:
            line = b"%s %s\r\n" % (cmd, b" ".join(keys))
        return Cmd(line, cmd.decode(), keys=keys, evict_rule="get")

    def c_touch(self):
        r = self.rng
        key = self.key()
        nr = r.random() < 0.1
        return Cmd(b"touch %s %s%s\r\n" % (key, self.exptime(), b" noreply" if nr else b""), "touch",
                   label="touch" + (" noreply" if nr else ""), key=key, evict_rule="status")

    def c_delete(self):
        r = self.rng
        key = self.key() if r.random() < 0.8 else r.choice(self.nkeys)
        nr = r.random() < 0.1
        extra = b" 0" if r.random() < 0.05 else b""
        return Cmd(b"delete %s%s%s\r\n" % (key, extra, b" noreply" if nr else b""), "delete",
                   label="delete" + (" 0" if extra else "") + (" noreply" if nr else ""), key=key,
                   evict_rule="status")

    # memcached 1.6.18 parses a stored number >= 2^63 with strchr(data, '-') over the item's
    # unterminated data (util.c safe_strtoull), so incr/decr/ma on such a value answers "non-numeric"
    # or not depending on the memory after the item. The generator keeps a conservative model of
    # which keys may hold a number >= 2^62 and sets a small number instead of doing arithmetic on
    # them. (The 2^64-1 wrap is exercised through the delta: small value + 2^64-1.)
    BIG_NUMBER = 1 << 62

    def is_big(self, v):
        v = v.strip()
        return v.isdigit() and int(v) >= self.BIG_NUMBER

    def set_small(self, key):
        self.bign.discard(key)
        v = b"%d" % self.rng.randrange(1000)
        return Cmd(b"set %s 0 0 %d\r\n%s\r\n" % (key, len(v), v), "set", label="set number", key=key,
                   evict_rule="store")

    def c_arith(self):
        r = self.rng
        key = r.choice(self.nkeys)   # (not on random values: see m_arith)
        if r.random() < 0.3:
            v = self.numeric_value()
            if self.is_big(v):
                self.bign.add(key)
            else:
                self.bign.discard(key)
            return Cmd(b"set %s 0 0 %d\r\n%s\r\n" % (key, len(v), v), "set", label="set number", key=key,
                       evict_rule="store")
        cmd = r.choice([b"incr", b"decr"])
        nr = r.random() < 0.1 and not self.evict   # (a silent out-of-memory would go unseen)
        d = self.delta()
        if key in self.bign:
            return self.set_small(key)
        if cmd == b"incr" and int(d) >= 1 << 40:
            self.bign.add(key)
        return Cmd(b"%s %s %s%s\r\n" % (cmd, key, d, b" noreply" if nr else b""), cmd.decode(),
                   label=cmd.decode() + (" noreply" if nr else ""), key=key, evict_rule="arith")

    def c_misc(self):
        r = self.rng
        x = r.random()
        if x < 0.3:
            return Cmd(b"version\r\n", "version")
        if x < 0.5:
            return Cmd(r.choice([b"verbosity 1\r\n", b"verbosity 0\r\n", b"verbosity 1 noreply\r\n"]),
                       "verbosity")
        if x < 0.6:
            return Cmd(b"stats\r\n", "stats")
        if x < 0.7:
            return Cmd(b"mn\r\n", "mn", mn=1)
        if x < 0.85 and not self.evict:
            self.last_flush = time.monotonic()
            self.bign.clear()
            return Cmd(r.choice([b"flush_all\r\n", b"flush_all 0\r\n", b"flush_all noreply\r\n"]), "flush_all")
        return Cmd(b"mn\r\n", "mn", mn=1)

    # --- meta
    def meta_key(self, pool=None, allow_bin=True):
        """(key token, raw key, is_base64)."""
        r = self.rng
        if r.random() < 0.08 and not self.evict and allow_bin:
            raw = r.choice(self.binkeys)
            return b64(raw), raw, True
        raw = r.choice(pool) if pool else self.key()
        if r.random() < 0.03 and not self.evict and len(b64(raw)) <= 250:
            return b64(raw), raw, True
        return raw, raw, False

    def ttl_flag(self, letter):
        r = self.rng
        return b"%s%d" % (letter, r.choice((0,) + LONG_TTLS[:4] + (-1,)))

    def allow_time_fields(self):
        # memcached refreshes an item's last-access time only when it is 60 s old: keep `l`/`la`
        # away from items that may be that old (every item is younger than the last flush_all)
        return time.monotonic() - self.last_flush < 45

    def m_get(self, pool=None):
        r = self.rng
        tok, raw, isb = self.meta_key(pool)
        cands = [b"v", b"k", b"c", b"f", b"s", b"t", b"h", b"q", b"u", b"O", b"T", b"N", b"R", b"E", b"l"]
        if self.evict:
            cands = [b"v", b"k", b"f", b"s", b"t", b"O"]
        flags = r.sample(cands, r.randint(0, min(6, len(cands))))
        if r.random() < 0.5 and b"v" not in flags:
            flags.append(b"v")
        toks = []
        for f in flags:
            if f == b"O":
                toks.append(self.opaque())
            elif f == b"T":
                toks.append(self.ttl_flag(b"T"))
            elif f == b"N":
                toks.append(self.ttl_flag(b"N"))
            elif f == b"R":
                toks.append(b"R%d" % r.choice(R_NEVER + R_ALWAYS))
            elif f == b"E":
                toks.append(b"E%d" % r.randrange(10 ** 12, 10 ** 13))
            elif f == b"l" and not self.allow_time_fields():
                continue
            else:
                toks.append(f)
        if isb:
            toks.append(b"b")
        line = b"mg " + tok + b"".join(b" " + t for t in toks) + b"\r\n"
        return Cmd(line, "mg", key=raw, meta_flags="".join(sorted(chr(t[0]) for t in toks)),
                   evict_rule="meta")

    def m_set(self, pool=None, value=None):
        r = self.rng
        tok, raw, isb = self.meta_key(pool)
        if r.random() < 0.003 and not self.evict:
            tok = raw = r.choice(self.bigkeys)
            isb = False
        if value is None:
            value = self.value(big=raw in self.bigkeys)
        cands = [b"c", b"C", b"F", b"I", b"k", b"O", b"q", b"T", b"M", b"N", b"s", b"E"]
        if self.evict:
            cands = [b"F", b"k", b"O", b"T", b"s"]
        flags = r.sample(cands, r.randint(0, min(5, len(cands))))
        parts = [b"ms " + tok + b" %d" % len(value)]
        shape = []
        for f in flags:
            if f == b"C":
                parts += [b" C", ("cas", raw, r.choice(["cur", "cur", "old", "bad"]))]
            elif f == b"F":
                parts.append(b" F" + self.flags())
            elif f == b"T":
                parts.append(b" " + self.ttl_flag(b"T"))
            elif f == b"N":
                parts.append(b" " + self.ttl_flag(b"N"))
            elif f == b"O":
                parts.append(b" " + self.opaque())
            elif f == b"M":
                parts.append(b" M" + r.choice(b"EAPRSeaprs" if r.random() < 0.95 else b"XZ").to_bytes(1, "big"))
            elif f == b"E":
                parts.append(b" E%d" % r.randrange(10 ** 12, 10 ** 13))
            else:
                parts.append(b" " + f)
            shape.append(chr(f[0]) + (chr(parts[-1][2]) if f == b"M" else ""))
        if isb:
            parts.append(b" b")
            shape.append("b")
        parts.append(b"\r\n" + value + b"\r\n")
        return Cmd(parts, "ms", key=raw, meta_flags="".join(sorted(shape)), evict_rule="meta")

    def m_delete(self, pool=None):
        r = self.rng
        tok, raw, isb = self.meta_key(pool)
        cands = [b"C", b"I", b"k", b"O", b"q", b"T", b"x"]
        if self.evict:
            cands = [b"k", b"O"]
        flags = r.sample(cands, r.randint(0, min(4, len(cands))))
        parts = [b"md " + tok]
        for f in flags:
            if f == b"C":
                parts += [b" C", ("cas", raw, r.choice(["cur", "old", "bad"]))]
            elif f == b"T":
                parts.append(b" " + self.ttl_flag(b"T"))
            elif f == b"O":
                parts.append(b" " + self.opaque())
            else:
                parts.append(b" " + f)
        if isb:
            parts.append(b" b")
            flags.append(b"b")
        parts.append(b"\r\n")
        return Cmd(parts, "md", key=raw, meta_flags="".join(sorted(chr(f[0]) for f in flags)),
                   evict_rule="meta")

    def m_arith(self, pool=None):
        r = self.rng
        # only on the n: keys: memcached's strtoull skips leading whitespace and reads past the end of
        # a value made only of whitespace (CR LF...), which random values can be
        tok, raw, isb = self.meta_key(pool or self.nkeys, allow_bin=False)
        cands = [b"c", b"C", b"D", b"J", b"k", b"M", b"N", b"O", b"q", b"t", b"T", b"v"]
        if self.evict:
            cands = [b"D", b"k", b"M", b"O", b"v"]
        flags = r.sample(cands, r.randint(0, min(5, len(cands))))
        parts = [b"ma " + tok]
        shape = []
        for f in flags:
            if f == b"C":
                parts += [b" C", ("cas", raw, r.choice(["cur", "old", "bad"]))]
            elif f == b"D":
                parts.append(b" D" + self.delta())
            elif f == b"J":
                parts.append(b" J" + r.choice([b"0", b"13", b"18446744073709551615", b"%d" % r.randrange(1 << 64)]))
            elif f == b"M":
                parts.append(b" M" + r.choice(b"I+D-id").to_bytes(1, "big"))
            elif f in (b"N", b"T"):
                parts.append(b" " + self.ttl_flag(f))
            elif f == b"O":
                parts.append(b" " + self.opaque())
            else:
                parts.append(b" " + f)
            shape.append(chr(f[0]) + (chr(parts[-1][2]) if f == b"M" else ""))
        if isb:
            parts.append(b" b")
            shape.append("b")
        parts.append(b"\r\n")
        if raw in self.bign:
            return self.set_small(raw)
        text = b"".join(p for p in parts if isinstance(p, bytes))
        m = re.search(rb" M(.)", text)
        incr = not m or m.group(1) in b"I+i"
        d = re.search(rb" D(\d+)", text)
        j = re.search(rb" J(\d+)", text)
        if (incr and d and int(d.group(1)) >= 1 << 40) or (b" N" in text and j and int(j.group(1)) >= self.BIG_NUMBER):
            self.bign.add(raw)
        return Cmd(parts, "ma", key=raw, meta_flags="".join(sorted(shape)), evict_rule="meta")

    def m_exp(self, pool=None):
        tok, raw, isb = self.meta_key(pool)
        # (substitutions after the same draws: the stream does not depend on time)
        if not self.allow_time_fields() or (isb and any(c in raw for c in b"\r\n \x00")):
            # memcached prints a binary key raw in the ME line: a CR, LF, space or NUL would break it
            return Cmd(b"mn\r\n", "mn", mn=1)
        return Cmd(b"me " + tok + (b" b" if isb else b"") + b"\r\n", "me", key=raw,
                   label="me b" if isb else "me")

    def quiet_flow(self):
        """A few quiet meta requests then mn (what a client does to pipeline them)."""
        r = self.rng
        out = []
        for _ in range(r.randint(2, 8)):
            c = r.choice([self.m_get, self.m_get, self.m_set, self.m_delete, self.m_arith])()
            # (m_arith may hand back a plain `set` of a small number instead: a q on that would
            # break its data line and leave a big number in place, see set_small)
            if c.name in ("mg", "ms", "md", "ma") and b" q" not in c.parts[-1] and not any(isinstance(p, bytes) and b" q" in p for p in c.parts):
                # add q
                last = c.parts[-1]
                if c.name == "ms":
                    hdr_end = None
                    for i, p in enumerate(c.parts):
                        if isinstance(p, bytes) and b"\r\n" in p:
                            hdr_end = i
                            break
                    p = c.parts[hdr_end]
                    c.parts[hdr_end] = p.replace(b"\r\n", b" q\r\n", 1)
                else:
                    c.parts[-1] = last[:-2] + b" q\r\n"
                c.meta_flags = "".join(sorted(c.meta_flags + "q"))
            out.append(c)
        out.append(Cmd(b"mn\r\n", "mn", mn=1))
        return out

    def stale_flow(self):
        """Invalidation and recache on the m: keys, by several clients."""
        r = self.rng
        k = r.choice(self.mkeys)
        v = self.value()
        ttl = r.choice(LONG_TTLS[:4])
        steps = [
            Cmd(b"ms %s %d T%d c\r\n%s\r\n" % (k, len(v), ttl, v), "ms", key=k, meta_flags="Tc"),
            Cmd(b"md %s I T%d\r\n" % (k, r.choice(LONG_TTLS[:3])), "md", key=k, meta_flags="IT"),
        ]
        for _ in range(r.randint(1, 4)):
            steps.append(Cmd(b"mg %s s t c v%s\r\n" % (k, r.choice([b"", b" R5000000", b" N1000", b" k O7"])),
                             "mg", key=k, meta_flags="cstv+"))
        x = r.random()
        if x < 0.4:
            steps.append(Cmd([b"ms %s 1 T%d C" % (k, ttl), ("cas", k, r.choice(["cur", "old"])),
                              b"\r\nx\r\n"], "ms", key=k, meta_flags="CT"))
            steps.append(Cmd([b"ms %s 1 I T%d C" % (k, ttl), ("cas", k, r.choice(["cur", "old"])),
                              b"\r\ny\r\n"], "ms", key=k, meta_flags="CIT"))
        elif x < 0.7:
            steps.append(Cmd(b"ms %s 2 T%d\r\nnv\r\n" % (k, ttl), "ms", key=k, meta_flags="T"))
        else:
            steps.append(Cmd(b"md %s q\r\n" % k, "md", key=k, meta_flags="q"))
        steps.append(Cmd(b"mg %s s t c v h\r\n" % k, "mg", key=k, meta_flags="chstv"))
        steps.append(Cmd(b"me %s\r\n" % k, "me", key=k) if self.allow_time_fields() else Cmd(b"mn\r\n", "mn", mn=1))
        return [(r.randrange(self.clients), [s]) for s in steps]

    def bad(self):
        """Bad input: every one gets its own turn (memcached drops the replies of earlier requests of
        a batch on some errors)."""
        r = self.rng
        K251 = b"k" * 251
        k = self.key()
        big = b"x" * r.choice([MiB + 1, MiB + 100, 1500000])
        cases = [
            ("unknown command", b"bogus foo\r\n"),
            ("empty line", b"\r\n"),
            ("upper-case command", b"GET %s\r\n" % k),
            ("get without key", b"get\r\n"),
            ("gets without key", b"gets\r\n"),
            ("gat without key", b"gat 10\r\n"),
            ("set without length", b"set %s 0 0\r\n" % k),
            ("set 251-byte key", b"set %s 0 0 1\r\nx\r\n" % K251),
            ("get 251-byte key", b"get %s\r\n" % K251),
            ("delete 251-byte key", b"delete %s\r\n" % K251),
            ("incr 251-byte key", b"incr %s 1\r\n" % K251),
            ("touch 251-byte key", b"touch %s 1\r\n" % K251),
            ("mg 251-byte key", b"mg %s v\r\n" % K251),
            ("ms 251-byte key", b"ms %s 1\r\nx\r\n" % K251),
            ("md 251-byte key", b"md %s\r\n" % K251),
            ("ma 251-byte key", b"ma %s\r\n" % K251),
            ("me 251-byte key", b"me %s\r\n" % K251),
            ("set negative length", b"set %s 0 0 -1\r\nx\r\n" % k),
            ("set non-numeric length", b"set %s 0 0 abc\r\nx\r\n" % k),
            ("set non-numeric flags", b"set %s abc 0 1\r\nx\r\n" % k),
            ("set non-numeric exptime", b"set %s 0 abc 1\r\nx\r\n" % k),
            ("set negative flags", b"set %s -1 0 1\r\nx\r\n" % k),
            ("set too many tokens", b"set %s 0 0 1 noreply extra\r\nx\r\n" % k),
            ("set data too long", b"set %s 0 0 3\r\nabcde\r\n" % k),
            ("set data too short", b"set %s 0 0 5\r\nabc\r\nxy\r\n" % k),
            ("set oversized", b"set %s 0 0 %d\r\n%s\r\n" % (k, len(big), big)),
            ("set oversized noreply", b"set %s 0 0 %d noreply\r\n%s\r\n" % (k, len(big), big)),
            ("ms oversized", b"ms %s %d\r\n%s\r\n" % (k, len(big), big)),
            ("cas without cas", b"cas %s 0 0 1\r\nx\r\n" % k),
            ("cas non-numeric cas", b"cas %s 0 0 1 abc\r\nx\r\n" % k),
            ("incr without delta", b"incr %s\r\n" % k),
            ("incr non-numeric delta", b"incr %s abc\r\n" % k),
            ("incr negative delta", b"incr %s -1\r\n" % k),
            ("decr delta 2^64", b"decr %s 18446744073709551616\r\n" % k),
            ("touch without exptime", b"touch %s\r\n" % k),
            ("touch non-numeric exptime", b"touch %s abc\r\n" % k),
            ("gat non-numeric exptime", b"gat abc %s\r\n" % k),
            ("delete with time", b"delete %s 5\r\n" % k),
            ("delete with junk", b"delete %s junk\r\n" % k),
            ("verbosity without level", b"verbosity\r\n"),
            ("flush_all non-numeric", b"flush_all abc\r\n"),
            ("flush_all negative", b"flush_all -1\r\n"),
            ("mg without key", b"mg\r\n"),
            ("mg invalid flag", b"mg %s v !\r\n" % k),
            ("mg unknown flag", b"mg %s v Y\r\n" % k),
            ("mg duplicate flag", b"mg %s v v\r\n" % k),
            ("mg opaque too long", b"mg %s v O%s\r\n" % (k, b"o" * 40)),
            ("mg non-numeric T", b"mg %s v Tabc\r\n" % k),
            ("mg non-numeric N", b"mg %s v Nabc\r\n" % k),
            ("mg bad base64", b"mg foo! v b\r\n"),
            ("mg many flags", b"mg %s %s\r\n" % (k, b" ".join([b"v"] * 30))),
            ("ms without length", b"ms %s\r\n" % k),
            ("ms non-numeric length", b"ms %s abc\r\nx\r\n" % k),
            ("ms negative length", b"ms %s -5\r\nx\r\n" % k),
            ("ms invalid mode", b"ms %s 1 MZ\r\nx\r\n" % k),
            ("ms invalid flag", b"ms %s 1 !\r\nx\r\n" % k),
            ("ms S flag", b"ms %s 1 S1\r\nx\r\n" % k),
            ("ms non-numeric C", b"ms %s 1 Cabc\r\nx\r\n" % k),
            ("ms non-numeric F", b"ms %s 1 Fabc\r\nx\r\n" % k),
            ("ms data too long", b"ms %s 2 T0\r\nabcd\r\n" % k),
            ("ms bad base64", b"ms foo! 1 b\r\nx\r\n"),
            ("md invalid flag", b"md %s !\r\n" % k),
            ("md non-numeric C", b"md %s Cabc\r\n" % k),
            ("ma invalid mode", b"ma %s MZ\r\n" % k),
            ("ma non-numeric delta", b"ma %s Dabc\r\n" % k),
            ("ma non-numeric initial", b"ma %s N0 Jabc\r\n" % k),
            ("ma non-numeric value", b"set k:nn 0 0 3\r\nabc\r\nma k:nn\r\n"),
            ("me without key", b"me\r\n"),
            ("me bad base64", b"me foo! b\r\n"),
            ("shutdown without -A", b"shutdown\r\n"),
            ("stats unknown", b"stats bogus\r\n"),
            ("stats reset", b"stats reset\r\n"),
            ("key with control byte", b"set k\x01x 0 0 1\r\nv\r\nget k\x01x\r\n"),
        ]
        name, data = r.choice(cases)
        if data.startswith(b"stats reset") and self.evict:
            data = b"version\r\n"
        return Cmd(data, name.split()[0], label="bad: " + name, key=k, alone=True, evict_rule="exact")

    def closing(self):
        r = self.rng
        name, data = r.choice([
            ("HTTP GET", b"GET / HTTP/1.0\r\n"),
            ("HTTP GET", b"GET /index.html HTTP/1.1\r\n"),
            ("HTTP PUT", b"PUT /x HTTP/1.1\r\n"),
            ("HTTP POST", b"POST /api HTTP/1.1\r\n"),
            ("HTTP DELETE", b"DELETE HTTP/1.1\r\n"),
            ("HTTP HEAD", b"HEAD / HTTP/1.0\r\n"),
            ("quit", b"quit\r\n"),
            ("get then quit", b"get k:1\r\nquit\r\n"),
        ])
        return Cmd(data, name.split()[0], label="close: " + name, alone=True, closes=True,
                   evict_rule="exact")

    # --- TTL phases
    def ttl_phase(self, phase):
        """Burst on ttl keys, a sleep past every short expiry, a check burst."""
        r = self.rng
        keys = [b"ttl:%d:%d" % (phase, i) for i in range(36)]
        scripts = []
        for k in keys:
            v = self.value()
            create = r.choice([
                Cmd(b"set %s 0 3 %d\r\n%s\r\n" % (k, len(v), v), "set", key=k),
                Cmd(b"add %s 5 3 %d\r\n%s\r\n" % (k, len(v), v), "add", key=k),
                Cmd(b"ms %s %d T3 c\r\n%s\r\n" % (k, len(v), v), "ms", key=k, meta_flags="Tc"),
                Cmd(b"mg %s N3 s t v c\r\n" % k, "mg", key=k, meta_flags="Ncstv"),
                Cmd(b"ma %s N3 J5 v t\r\n" % k, "ma", key=k, meta_flags="JNtv"),
            ])
            mids = [r.choice([
                Cmd(b"mg %s s t v c f h\r\n" % k, "mg", key=k, meta_flags="cfhstv"),
                Cmd(b"mg %s t R10 c\r\n" % k, "mg", key=k, meta_flags="Rct"),
                Cmd(b"mg %s t R1 c\r\n" % k, "mg", key=k, meta_flags="Rct"),
                Cmd(b"gets %s\r\n" % k, "gets", key=k),
                Cmd(b"gat 3 %s\r\n" % k, "gat", key=k),
                Cmd(b"touch %s 3\r\n" % k, "touch", key=k),
                Cmd(b"append %s 0 0 2\r\nzz\r\n" % k, "append", key=k),
                Cmd(b"md %s I T3\r\n" % k, "md", key=k, meta_flags="IT"),
                Cmd(b"mg %s t T3 v\r\n" % k, "mg", key=k, meta_flags="Ttv"),
            ]) for _ in range(r.randint(0, 3))]
            ttl = r.choice([1, 2, 2, 3, 1000, 0])
            final = r.choice([
                Cmd(b"touch %s %d\r\n" % (k, ttl), "touch", key=k),
                Cmd(b"gat %d %s\r\n" % (ttl, k), "gat", key=k),
                Cmd(b"mg %s T%d t s\r\n" % (k, ttl), "mg", key=k, meta_flags="Tst"),
                Cmd(b"ms %s 3 T%d\r\nabc\r\n" % (k, ttl), "ms", key=k, meta_flags="T"),
                Cmd(b"set %s 0 %d 3\r\nabc\r\n" % (k, ttl), "set", key=k),
                Cmd(b"md %s I T%d\r\n" % (k, ttl), "md", key=k, meta_flags="IT"),
                Cmd(b"mn\r\n", "mn", mn=1),
            ])
            scripts.append([create] + mids + [final])
        # interleave the scripts (each key's order kept) over the clients
        burst = []
        while scripts:
            s = r.choice(scripts)
            burst.append(s.pop(0))
            if not s:
                scripts.remove(s)
        delayed_flush = phase % 3 == 1
        if delayed_flush:
            burst.append(Cmd(b"flush_all 2\r\n", "flush_all", label="flush_all delayed"))
        turns = []
        for i in range(0, len(burst), 12):
            turns.append((r.randrange(self.clients), burst[i:i + 12], 0))
        check = []
        for k in keys:
            check.append(r.choice([
                Cmd(b"mg %s s t v c f h l\r\n" % k, "mg", key=k, meta_flags="cfhlstv"),
                Cmd(b"mg %s s t v c N30\r\n" % k, "mg", key=k, meta_flags="Ncstv"),
                Cmd(b"mg %s s t v R2000\r\n" % k, "mg", key=k, meta_flags="Rstv"),
                Cmd(b"gets %s\r\n" % k, "gets", key=k),
                Cmd(b"me %s\r\n" % k, "me", key=k),
                Cmd(b"touch %s 1000\r\n" % k, "touch", key=k),
                Cmd(b"ma %s v t\r\n" % k, "ma", key=k, meta_flags="tv"),
            ]))
        if delayed_flush:
            check += [Cmd(b"get %s\r\n" % b" ".join(self.kkeys[:40]), "get", label="get after delayed flush")]
            self.last_flush = time.monotonic() + 5
        for i in range(0, len(check), 12):
            turns.append((r.randrange(self.clients), check[i:i + 12], 5.0 if i == 0 else 0))
        return turns

    # --- the stream
    def one(self):
        r = self.rng
        x = r.random()
        if self.evict:
            if x < 0.40:
                return self.c_store(cmd=b"set")
            if x < 0.62:
                return self.c_get()
            if x < 0.68:
                return self.c_delete()
            if x < 0.72:
                return self.c_touch()
            if x < 0.80:
                return self.c_arith()
            if x < 0.86:
                return self.m_get()
            if x < 0.91:
                return self.m_set()
            if x < 0.93:
                return self.m_delete()
            if x < 0.96:
                return self.m_arith()
            if x < 0.985:
                return self.bad()
            return self.c_misc()
        if x < 0.22:
            return self.c_store()
        if x < 0.36:
            return self.c_get()
        if x < 0.39:
            return self.c_touch()
        if x < 0.42:
            return self.c_delete()
        if x < 0.50:
            return self.c_arith()
        if x < 0.64:
            return self.m_get(self.mkeys if r.random() < 0.3 else None)
        if x < 0.74:
            return self.m_set(self.mkeys if r.random() < 0.3 else None)
        if x < 0.79:
            return self.m_delete(self.mkeys if r.random() < 0.3 else None)
        if x < 0.85:
            return self.m_arith()
        if x < 0.87:
            return self.m_exp()
        if x < 0.975:
            return self.bad() if r.random() < 0.08 else self.c_misc() if r.random() < 0.05 else self.c_store()
        if x < 0.977:
            return self.closing()
        return None  # a flow

    def turns(self):
        """Yields (client, [Cmd], sleep_before_s)."""
        r = self.rng
        while self.generated < self.count or self.pending:
            if self.pending:
                t = self.pending.popleft()
                self.generated += len(t[1])
                yield t
                continue
            if self.generated >= self.next_flush:
                # every item younger than 60 s: memcached refreshes last-access times at 60 s
                self.next_flush += FLUSH_EVERY
                self.last_flush = time.monotonic()
                self.pending.append((r.randrange(self.clients), [Cmd(b"flush_all\r\n", "flush_all")], 0))
                self.bign.clear()
                continue
            if self.phase_no < len(self.phase_at) and self.generated >= self.phase_at[self.phase_no]:
                self.pending.extend(self.ttl_phase(self.phase_no))
                self.phase_no += 1
                continue
            client = r.randrange(self.clients)
            size = r.choice([1, 2, 4, 8, 16, 24, 32])
            batch = []
            while len(batch) < size:
                c = self.one()
                if c is None:
                    if r.random() < 0.5:
                        batch.extend(self.quiet_flow())
                    else:
                        for cl, cmds in self.stale_flow():
                            self.pending.append((cl, cmds, 0))
                        break
                    continue
                if c.alone:
                    self.pending.append((client, [c], 0))
                    continue
                batch.append(c)
            if batch:
                self.generated += len(batch)
                yield (client, batch, 0)


# ----------------------------------------------------------------------------------------------
# replies

def split_units(buf, start=0):
    """Reply units from buf[start:]: (units, next position, MN count). A unit is one line, or a
    VALUE/VA line with its data block."""
    units = []
    mn = 0
    p = start
    n = len(buf)
    while p < n:
        e = buf.find(b"\r\n", p)
        if e < 0:
            break
        line = buf[p:e]
        end = e + 2
        if line.startswith(b"VALUE ") or line.startswith(b"VA "):
            toks = line.split(b" ")
            try:
                size = int(toks[3] if line.startswith(b"VALUE ") else toks[1])
            except (IndexError, ValueError):
                size = -1
            if size >= 0:
                if end + size + 2 > n:
                    break
                end = end + size + 2
        units.append(bytes(buf[p:end]))
        if line == b"MN":
            mn += 1
        p = end
    return units, p, mn


META_STATUS = {b"HD", b"VA", b"EN", b"NF", b"NS", b"EX", b"MN"}


class Tol:
    __slots__ = ("v", "name")

    def __init__(self, v, name=""):
        self.v = v
        self.name = name

    def __repr__(self):
        return "~%d" % self.v


class Cas:
    __slots__ = ("v",)

    def __init__(self, v):
        self.v = v

    def __repr__(self):
        return "CAS"


def _int(b):
    try:
        return int(b)
    except ValueError:
        return None


def normalize(cmd, units):
    """A reply as a list of items: bytes (compared exactly), Tol (within the tolerance), Cas (bijection)."""
    if cmd.name == "stats" and not (cmd.label or "").startswith("bad"):
        return [b"<stats>"]
    out = []
    for u in units:
        if u.startswith(b"VALUE "):
            e = u.find(b"\r\n")
            toks = u[:e].split(b" ")
            if len(toks) == 5 and _int(toks[4]) is not None:
                out += [b" ".join(toks[:4]), Cas(int(toks[4]))]
            else:
                out.append(u[:e])
            out.append(u[e:])
            continue
        st = u[:2]
        if st in META_STATUS and (len(u) == 4 or u[2:3] == b" "):
            e = u.find(b"\r\n")
            toks = u[:e].split(b" ")
            out.append(toks[0])
            rest = toks[1:]
            if st == b"VA" and rest:
                out.append(b"size " + rest[0])
                rest = rest[1:]
            for t in rest:
                c = t[:1]
                if c == b"c" and _int(t[1:]) is not None and int(t[1:]) != 0:
                    out.append(Cas(int(t[1:])))
                elif c == b"t" and _int(t[1:]) is not None:
                    out += [c, Tol(int(t[1:]), c.decode())]
                elif c == b"l" and _int(t[1:]) is not None:
                    out.append(b"l#")  # last access: memcached's moves with its LRU segments (PROTOCOL.md)
                else:
                    out.append(t)
            out.append(u[e:])
            continue
        if u.startswith(b"ME "):
            toks = u.rstrip(b"\r\n").split(b" ")
            out += toks[:2]
            for t in toks[2:]:
                name, _, val = t.partition(b"=")
                if name == b"exp" and _int(val) is not None:
                    out += [name, Tol(int(val), "me " + name.decode())]
                elif name == b"la" and _int(val) is not None:
                    out.append(b"la#")  # as `l` above
                elif name == b"cas" and _int(val) is not None and int(val) != 0:
                    out += [name, Cas(int(val))]
                elif name in (b"cls", b"size"):
                    continue
                else:
                    out.append(t)
            continue
        if u.startswith(b"VERSION "):
            out.append(b"VERSION *")
            continue
        out.append(u)
    return out


class Pairing:
    """The CAS bijection between the two servers."""

    def __init__(self):
        self.ab = {}
        self.ba = {}

    def check(self, pairs, commit):
        new = {}
        newb = {}
        for a, b in pairs:
            pa = self.ab.get(a, new.get(a))
            pb = self.ba.get(b, newb.get(b))
            if pa is None and pb is None:
                new[a] = b
                newb[b] = a
            elif pa != b or pb != a:
                return False
        if commit:
            self.ab.update(new)
            self.ba.update(newb)
        return True


def compare(na, nb, pairing):
    """None when equal, else a short description of the first difference."""
    if len(na) != len(nb):
        return "reply length"
    pairs = []
    for x, y in zip(na, nb):
        if isinstance(x, Tol) and isinstance(y, Tol):
            if (x.v == -1 or y.v == -1) and x.v != y.v:
                return "time field %s: -1 on one side" % x.name
            if abs(x.v - y.v) > TIME_TOLERANCE:
                if max(x.v, y.v) >= 1 << 31:
                    return "time field %s: a negative time printed unsigned" % x.name
                return "time field %s: differs by more than %d s" % (x.name, TIME_TOLERANCE)
        elif isinstance(x, Cas) and isinstance(y, Cas):
            pairs.append((x.v, y.v))
        elif isinstance(x, (Tol, Cas)) or isinstance(y, (Tol, Cas)):
            return "field kind"
        elif x != y:
            return "bytes"
    if not pairing.check(pairs, commit=False):
        return "CAS correspondence"
    pairing.check(pairs, commit=True)
    return None


# ----- the eviction mode's comparison

def _values(units):
    d = {}
    for u in units:
        if u.startswith(b"VALUE "):
            e = u.find(b"\r\n")
            toks = u[:e].split(b" ")
            d.setdefault(toks[1], []).append((toks[2], u[e + 2:]))
    return d


OOM = (b"SERVER_ERROR out of memory storing object\r\n", b"SERVER_ERROR out of memory\r\n")
NON_NUMERIC = b"CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"
RESYNC = "resync"   # not a mismatch, but the servers' states differ now: delete the key on both


def compare_evict(cmd, ua, ub):
    """Eviction may remove any item at any time on either server, so: errors must be identical;
    a store may be refused for memory on one; a hit on one may be a miss on the other; but where
    both return an item, it is the same item."""
    rule = cmd.evict_rule or "exact"
    if rule == "store":
        fa = [b"STORED\r\n" if u in OOM else u for u in ua]
        fb = [b"STORED\r\n" if u in OOM else u for u in ub]
        return None if fa == fb else "store reply"
    if rule == "get":
        if (ua[-1:] != ub[-1:]) or any(not u.startswith(b"VALUE ") for u in ua[:-1] + ub[:-1]):
            return None if ua == ub else "get reply shape"
        va, vb = _values(ua), _values(ub)
        for k in set(va) & set(vb):
            if [x for x in va[k]] != [x for x in vb[k]]:
                return "value of an item both have"
        return None
    if rule == "status":
        ok = {b"DELETED\r\n", b"NOT_FOUND\r\n", b"TOUCHED\r\n"}
        if all(u in ok for u in ua + ub) and len(ua) == len(ub):
            return None
        return None if ua == ub else "status reply"
    if rule == "arith":
        if len(ua) == 1 and len(ub) == 1:
            # present on one, evicted on the other: whatever the value gives against NOT_FOUND
            valued = (lambda u: u[:1].isdigit() or u == NON_NUMERIC)
            if (ua[0] == b"NOT_FOUND\r\n" and valued(ub[0])) or (ub[0] == b"NOT_FOUND\r\n" and valued(ua[0])):
                return None
            if ua[0] in OOM or ub[0] in OOM:   # one could not make room: the values now differ
                return RESYNC
        return None if ua == ub else "arith reply"
    if rule == "meta":
        if len(ua) == 1 and len(ub) == 1:
            sa, sb = ua[0][:2], ub[0][:2]
            if {sa, sb} <= {b"EN", b"HD", b"VA", b"NF", b"NS"} and sa != sb and \
                    (b"NF" in (sa, sb) or b"EN" in (sa, sb) or b"NS" in (sa, sb)):
                return None
            if cmd.name == "ma" and (ua[0] == NON_NUMERIC and sb == b"NF" or ub[0] == NON_NUMERIC and sa == b"NF"):
                return None
            if cmd.name == "ma" and (ua[0] in OOM or ub[0] in OOM):
                return RESYNC
            if ua[0] in OOM or ub[0] in OOM:
                other = ub[0] if ua[0] in OOM else ua[0]
                if other[:2] in (b"HD", b"VA", b"NS") or other in OOM:
                    return None
        return compare(normalize(cmd, ua), normalize(cmd, ub), Pairing())
    # errors and the rest: the same bytes (VERSION and stats normalized as in the main mode)
    return compare(normalize(cmd, ua), normalize(cmd, ub), Pairing())


def reply_shape(units):
    out = []
    for u in units[:4]:
        line = u.split(b"\r\n", 1)[0]
        st = line[:2]
        if st in META_STATUS and (len(line) == 2 or line[2:3] == b" "):
            toks = line.split(b" ")
            rest = toks[2:] if st == b"VA" else toks[1:]
            out.append(toks[0].decode("latin-1") + "".join(" " + chr(t[0]) for t in rest if t))
        elif line.startswith(b"VALUE "):
            out.append("VALUE" + (" cas" if len(line.split(b" ")) == 5 else ""))
        elif line.startswith(b"ME "):
            out.append("ME " + " ".join(t.split(b"=")[0].decode("latin-1") for t in line.split(b" ")[2:]))
        elif line[:1].isdigit():
            out.append("<number>")
        else:
            out.append(re.sub(r"\d+", "N", line[:60].decode("latin-1")))
    if len(units) > 4:
        out.append("...")
    return " | ".join(out) if out else "(nothing)"


def diff_letters(ua, ub):
    """Meta flag letters whose tokens differ in the first differing pair of meta lines."""
    for a, b in zip(ua, ub):
        if a == b:
            continue
        la, lb = a.split(b"\r\n", 1)[0], b.split(b"\r\n", 1)[0]
        if la.split(b" ")[0] != lb.split(b" ")[0] or la.split(b" ")[0] not in META_STATUS:
            return None
        ta = {t[:1]: t for t in la.split(b" ")[2 if la[:2] == b"VA" else 1:]}
        tb = {t[:1]: t for t in lb.split(b" ")[2 if lb[:2] == b"VA" else 1:]}
        letters = sorted(k.decode("latin-1") for k in set(ta) | set(tb)
                         if (k in ta) != (k in tb) or (k not in b"ctl" and ta.get(k) != tb.get(k)))
        return "".join(letters) or None
    return None


# ----------------------------------------------------------------------------------------------
# the runner

class Side:
    """One server: its client connections and its CAS book."""

    def __init__(self, server, clients):
        self.server = server
        self.book = CasBook()
        self.conns = [None] * clients
        self.closed_conns = 0

    def conn(self, i):
        if self.conns[i] is None:
            s = socket.create_connection(self.server.address, timeout=10)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.setblocking(False)
            self.conns[i] = s
        return self.conns[i]

    def drop(self, i):
        if self.conns[i] is not None:
            self.conns[i].close()
            self.conns[i] = None

    def close(self):
        for i in range(len(self.conns)):
            self.drop(i)

    def learn(self, cmd, units):
        """Remember the CAS values the server showed, per key."""
        for u in units:
            if u.startswith(b"VALUE "):
                toks = u[:u.find(b"\r\n")].split(b" ")
                if len(toks) == 5 and _int(toks[4]) is not None:
                    self.book.saw(toks[1], int(toks[4]))
            elif cmd.key is not None and u[:2] in META_STATUS and cmd.name in ("mg", "ms", "ma", "md"):
                for t in u[:u.find(b"\r\n")].split(b" ")[1:]:
                    if t[:1] == b"c" and _int(t[1:]) is not None:
                        self.book.saw(cmd.key, int(t[1:]))
            elif u.startswith(b"ME ") and cmd.key is not None:
                m = re.search(rb" cas=(\d+)", u)
                if m:
                    self.book.saw(cmd.key, int(m.group(1)))


def exchange(sides, payloads, socks, want_mn, closing, timeout=TURN_TIMEOUT_S):
    """Sends payloads[i] on socks[i] and reads until want_mn MN units (or the close when
    `closing`). Returns per side (units, closed, timed_out)."""
    n = len(socks)
    sent = [0] * n
    bufs = [bytearray() for _ in range(n)]
    pos = [0] * n
    units = [[] for _ in range(n)]
    mns = [0] * n
    done = [False] * n
    closed = [False] * n
    deadline = time.monotonic() + timeout
    while not all(done):
        rl = [socks[i] for i in range(n) if not done[i]]
        wl = [socks[i] for i in range(n) if not done[i] and sent[i] < len(payloads[i])]
        left = deadline - time.monotonic()
        if left <= 0:
            break
        r, w, _ = select.select(rl, wl, [], min(left, 1.0))
        for i in range(n):
            s = socks[i]
            if s in w:
                try:
                    sent[i] += s.send(memoryview(payloads[i])[sent[i]:sent[i] + (1 << 20)])
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    sent[i] = len(payloads[i])
            if s in r:
                try:
                    chunk = s.recv(65536)   # (a 1 MiB buffer per call costs an mmap each time)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    chunk = b""
                if not chunk:
                    closed[i] = True
                    done[i] = True
                    u, pos[i], m = split_units(bufs[i], pos[i])
                    units[i] += u
                    if pos[i] < len(bufs[i]):
                        units[i].append(bytes(bufs[i][pos[i]:]))
                    continue
                bufs[i] += chunk
                u, pos[i], m = split_units(bufs[i], pos[i])
                units[i] += u
                mns[i] += m
                if mns[i] >= want_mn and not closing:
                    done[i] = True
                if closing and mns[i] >= want_mn:
                    done[i] = True
    out = []
    for i in range(n):
        leftover = bytes(bufs[i][pos[i]:])
        if not done[i] and leftover:
            units[i].append(leftover)
        out.append((units[i], closed[i], not done[i]))
    return out


def assign(cmds, units):
    """Splits the units of a turn per request (each request is followed by an `mn`)."""
    per = []
    i = 0
    for c in cmds:
        need = c.mn + 1
        got = []
        while i < len(units) and need:
            u = units[i]
            i += 1
            if u == b"MN\r\n":
                need -= 1
                if need == 0:
                    break
            got.append(u)
        per.append(got)
    return per


class Mismatch:
    __slots__ = ("seed", "index", "client", "cmd", "req_a", "req_b", "ua", "ub", "why", "context")

    def __init__(self, **kw):
        for k, v in kw.items():
            setattr(self, k, v)

    def kind(self):
        cmd = self.cmd
        timed = self.why.startswith("time field") or self.why == "CAS correspondence"
        letters = diff_letters(self.ua, self.ub) if not timed else None
        sa, sb = reply_shape(self.ua), reply_shape(self.ub)
        if timed:
            return "%s | %s" % (cmd.name, self.why)
        if letters:
            return "%s | reply flags differ: %s" % (cmd.name, letters)
        if cmd.label and (cmd.label.startswith("bad") or cmd.label.startswith("close")):
            return "%s | mc: %s | other: %s" % (cmd.label, sa, sb)
        return "%s | mc: %s | other: %s" % (cmd.name, _gen_shape(sa), _gen_shape(sb))


def _gen_shape(s):
    # meta status with flag letters -> only the status, keeps kinds few
    return re.sub(r"\b(HD|VA|EN|NF|NS|EX)((?: [^ |]+)*)(?= \||$)", lambda m: m.group(1) + "*", s)


def show(b, limit=400):
    if len(b) > limit:
        return repr(b[:limit // 2]) + " ... (%d bytes) ... " % len(b) + repr(b[-limit // 4:])
    return repr(b)


class Runner:
    def __init__(self, a, b, clients, seed, evict=False, out=sys.stdout, max_print=20):
        self.sides = [Side(a, clients), Side(b, clients)]
        self.pairing = Pairing()
        self.seed = seed
        self.evict = evict
        self.out = out
        self.max_print = max_print
        self.index = 0
        self.mismatches = []
        self.printed = 0
        self.history = []      # (index, client, cmd) of every request, for reproducers
        self.desyncs = 0
        self.repairs = 0
        self.repair_enabled = True
        self.resync_keys = set()
        self.trace = set()     # keys whose every request and replies are printed
        self.log = {}          # key -> the last requests on it with both replies (shown with mismatches)
        self.show_context = False

    def close(self):
        for s in self.sides:
            s.close()

    def turn(self, client, cmds):
        if cmds[0].closes:
            return self._closing_turn(cmds[0])
        sides = self.sides
        reqs = [[render(c, s.book) for c in cmds] for s in sides]
        payloads = [b"".join(r + b"mn\r\n" for r in rr) for rr in reqs]
        want = sum(c.mn + 1 for c in cmds)
        socks = [s.conn(client) for s in sides]
        res = exchange(sides, payloads, socks, want, closing=False)
        per = []
        for si, (units, closed, timed_out) in enumerate(res):
            if closed or timed_out:
                sides[si].drop(client)
            per.append(assign(cmds, units))
        before = len(self.mismatches)
        bad_turn = any(r[1] or r[2] for r in res)
        if bad_turn:
            self.desyncs += 1
            # the other side's connection may be in any state too: start both afresh
            for s in sides:
                s.drop(client)
        for j, c in enumerate(cmds):
            ua, ub = per[0][j], per[1][j]
            if self.trace and self.trace & set(c.keys):
                self.out.write("TRACE index=%d client=%d t=%.1f %s\n    %s\n    %s\n" % (
                    self.index, client, time.monotonic(), show(reqs[0][j], 200), show(b"".join(ua), 200),
                    show(b"".join(ub), 200)))
            for si, s in enumerate(sides):
                s.learn(c, per[si][j])
            self._check(client, c, reqs[0][j], reqs[1][j], ua, ub,
                        extra_a="" if not res[0][2] else " [timeout]",
                        extra_b="" if not res[1][2] else " [timeout]")
            self._log(client, c, reqs[0][j], ua, ub)
            self.history.append((self.index, client, c))
            self.index += 1
        if (len(self.mismatches) > before or self.resync_keys) and self.repair_enabled:
            self.repair({k for m in self.mismatches[before:] for k in m.cmd.keys} | self.resync_keys)
            self.resync_keys = set()

    def repair(self, keys):
        """After a mismatch the servers' states differ: delete the keys involved on both, so that
        one difference does not show again in every later request on those keys."""
        if not keys:
            return
        data = b""
        for k in sorted(keys):
            if 0 < len(k) <= 250 and all(33 <= c < 127 for c in k):
                data += b"delete %s noreply\r\n" % k
            else:
                data += b"md %s b q\r\n" % b64(k)
        data += b"mn\r\n"
        for s in self.sides:
            sock = socket.create_connection(s.server.address, timeout=10)
            sock.setblocking(False)
            try:
                exchange([s], [data], [sock], 1, closing=False, timeout=10)
            finally:
                sock.close()
        self.history.append((self.index - 1, -2, Cmd(data, "repair", keys=keys)))
        self.repairs += 1

    def _closing_turn(self, cmd):

        got = []
        for s in self.sides:
            sock = socket.create_connection(s.server.address, timeout=10)
            sock.setblocking(False)
            units, closed, timed_out = exchange([s], [cmd.parts[0] + b"mn\r\n"], [sock], cmd.mn + 1,
                                                closing=True, timeout=5)[0]
            sock.close()
            got.append(units + ([b"<connection closed>"] if closed else [b"<connection open>"]))
        self._check(-1, cmd, cmd.parts[0], cmd.parts[0], got[0], got[1])
        self._log(-1, cmd, cmd.parts[0], got[0], got[1])
        self.history.append((self.index, -1, cmd))
        self.index += 1

    def _log(self, client, cmd, ra, ua, ub):
        entry = (self.index, client, ra[:160], b"".join(ua)[:160], b"".join(ub)[:160])
        for k in cmd.keys[:3]:
            d = self.log.get(k)
            if d is None:
                d = self.log[k] = collections.deque(maxlen=10)
            d.append(entry)

    def _check(self, client, cmd, ra, rb, ua, ub, extra_a="", extra_b=""):
        if self.evict:
            why = compare_evict(cmd, ua, ub)
            if why == RESYNC:
                self.resync_keys.update(cmd.keys)
                return
        else:
            why = compare(normalize(cmd, ua), normalize(cmd, ub), self.pairing)
        if extra_a or extra_b:
            why = why or "timeout"
        if why is None:
            return
        m = Mismatch(seed=self.seed, index=self.index, client=client, cmd=cmd, req_a=ra, req_b=rb,
                     ua=ua, ub=ub, why=why,
                     context=list(self.log.get(cmd.keys[0], ())) if cmd.keys else [])
        self.mismatches.append(m)
        if self.printed < self.max_print:
            self.printed += 1
            a, b = self.sides[0].server.name, self.sides[1].server.name
            w = self.out.write
            w("MISMATCH seed=%d index=%d client=%d (%s): %s\n" % (self.seed, self.index, client, why,
                                                                 cmd.shape()))
            w("  request  %s\n" % show(ra))
            if rb != ra:
                w("  request to %s %s\n" % (b, show(rb)))
            w("  %-10s %s%s\n" % (a, show(b"".join(ua)), extra_a))
            w("  %-10s %s%s\n" % (b, show(b"".join(ub)), extra_b))
            if self.show_context:
                w(format_context(m.context, a, b, "  "))


def format_context(context, a, b, indent):
    out = ""
    if context:
        out += indent + "earlier requests on the key (index client request / %s / %s):\n" % (a, b)
    for idx, cl, rq, ra, rb in context:
        out += indent + "  %d c%d %r\n%s      %r\n%s      %r\n" % (idx, cl, rq, indent, ra, indent, rb)
    return out


def run(gen, runner, deadline=None):
    for client, cmds, sleep_before in gen.turns():
        if sleep_before:
            time.sleep(sleep_before)
        runner.turn(client, cmds)
        if deadline and time.monotonic() > deadline:
            runner.out.write("stopping early: time budget spent after %d requests\n" % runner.index)
            break


# ----------------------------------------------------------------------------------------------
# reproducers and the report

def reproduce(a, b, history, m, evict, budget_s=20.0):
    """Replays, on a fresh pair of servers' key space (after flush_all), the earlier requests on
    the same keys, and shrinks them while the last request still mismatches the same way.
    Returns (requests, reply_a, reply_b) or None when it does not reproduce."""
    keys = set(m.cmd.keys)
    if not keys or m.cmd.closes:
        ctx = []
    else:
        ctx = []
        for idx, client, c in history:
            if idx >= m.index:
                break
            if c.name == "flush_all" or (c.name == "repair" and keys & set(c.keys)):
                ctx = []
                continue
            if keys & set(c.keys):
                ctx.append(c)
        ctx = ctx[-60:]
    t_end = time.monotonic() + budget_s
    kind = m.kind()

    def attempt(seq):
        r = Runner(a, b, 1, m.seed, evict=evict, out=DEVNULL, max_print=0)
        r.repair_enabled = False
        try:
            r.turn(0, [Cmd(b"flush_all\r\n", "flush_all")])
            batch = []
            for c in seq:   # pipelined, but a CAS placeholder needs the replies before it
                if c.closes or any(not isinstance(p, bytes) for p in c.parts):
                    if batch:
                        r.turn(0, batch)
                        batch = []
                if c.closes:
                    r._closing_turn(c)
                else:
                    batch.append(c)
            if batch:
                r.turn(0, batch)
            r.mismatches = []
            last = m.cmd
            if last.closes:
                r._closing_turn(last)
            else:
                r.turn(0, [last])
            ok = any(x.kind() == kind for x in r.mismatches)
            return ok, r
        finally:
            r.close()

    ok, r = attempt(ctx)
    if not ok:
        return None
    # shrink: drop chunks of halving size while the mismatch stays
    size = max(1, len(ctx) // 2)
    while ctx and time.monotonic() < t_end:
        i = 0
        while i < len(ctx) and time.monotonic() < t_end:
            trial = ctx[:i] + ctx[i + size:]
            if attempt(trial)[0]:
                ctx = trial
            else:
                i += size
        if size == 1:
            break
        size = max(1, size // 2)
    # final replay to capture the replies of the whole sequence
    seq = ctx + [m.cmd]
    outs = []
    for srv in (a, b):
        side = Side(srv, 1)
        chunks_req, chunks_rep = [], []
        try:
            s = side.conn(0)
            exchange([side], [b"flush_all\r\nmn\r\n"], [s], 1, closing=False, timeout=10)
            for c in seq:
                req = render(c, side.book)
                if c.closes:
                    sock = socket.create_connection(srv.address, timeout=10)
                    sock.setblocking(False)
                    units, closed, _ = exchange([side], [req + b"mn\r\n"], [sock], 1, closing=True, timeout=5)[0]
                    sock.close()
                    units = units + ([b"<connection closed>"] if closed else [])
                else:
                    units, closed, _ = exchange([side], [req + b"mn\r\n"], [side.conn(0)], c.mn + 1,
                                                closing=False, timeout=5)[0]
                    units = [u for u in units if u != b"MN\r\n"] if c.mn == 0 else units[:-1]
                side.learn(c, units)
                chunks_req.append(req)
                chunks_rep.append(b"".join(units))
        finally:
            side.close()
        outs.append((chunks_req, chunks_rep))
    return seq, outs


def write_report(path, runs, names, header=""):
    """runs: list of (runner, reproducers dict kind -> result)."""
    kinds = collections.OrderedDict()
    for runner, repro in runs:
        for m in runner.mismatches:
            if m is None:
                continue
            k = m.kind()
            e = kinds.setdefault(k, {"count": 0, "examples": [], "shapes": collections.Counter(),
                                     "repro": None})
            e["count"] += 1
            e["shapes"][m.cmd.shape()] += 1
            if len(e["examples"]) < 2:
                e["examples"].append(m)
            if e["repro"] is None and k in repro:
                e["repro"] = repro[k]
    a, b = names
    with open(path, "w") as f:
        w = f.write
        w(header)
        total = sum(e["count"] for e in kinds.values())
        w("%d mismatches in %d kinds (%s first, %s second)\n\n" % (total, len(kinds), a, b))
        w("Kinds are listed by their first appearance (a later kind may be a consequence of an earlier\n"
          "one; after each mismatch the keys involved are deleted on both servers to limit that).\n\n")
        for n, (k, e) in enumerate(kinds.items(), 1):
            w("=" * 100 + "\n")
            w("[%d] %s\n    %d mismatches, first at index %d; request shapes: %s\n" % (
                n, k, e["count"], e["examples"][0].index, ", ".join("%s (%d)" % sv for sv in e["shapes"].most_common(8))))
            rep = e["repro"]
            if rep:
                seq, outs = rep
                w("  minimal reproducer (on a flushed server, one connection, each request followed "
                  "by its replies):\n")
                for j in range(len(seq)):
                    ra, rb = outs[0][0][j], outs[1][0][j]
                    w("    > %s\n" % show(ra, 300))
                    if rb != ra:
                        w("    > (to %s) %s\n" % (b, show(rb, 300)))
                    w("      %-11s %s\n" % (a + ":", show(outs[0][1][j], 300)))
                    w("      %-11s %s\n" % (b + ":", show(outs[1][1][j], 300)))
                w("  the whole reproducer as bytes: %s\n" % show(b"".join(outs[0][0]), 600))
            else:
                w("  (no reproducer in isolation: it depends on state the run built or on time)\n")
            for m in e["examples"]:
                w("  in the run: seed=%d index=%d client=%d (%s)\n" % (m.seed, m.index, m.client, m.why))
                w("    request %s\n" % show(m.req_a, 300))
                w("    %-10s %s\n" % (a, show(b"".join(m.ua), 300)))
                w("    %-10s %s\n" % (b, show(b"".join(m.ub), 300)))
                w(format_context(m.context, a, b, "    "))
            w("\n")
