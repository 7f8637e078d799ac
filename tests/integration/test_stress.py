"""Stress, loopback only, bounded in time and count: 500 connections at once against one server.

- 360 well-behaved clients, each on its own keys, mix set/add/replace/append/prepend/cas/incr/
  decr/touch/delete/get/gets/gat/multi-get/mg/ms/md/noreply, and check every reply. Values carry
  a CRC32 of their body, so a corrupted value is caught even where the exact value is not known.
  A third of them (120) speak memcached's binary protocol: the same operations as packets, with
  quiet batches ended by a noop for multi-gets and quiet sets.
- 60 clients send garbage: random bytes, bad command lines, over-long keys, bad lengths.
- 40 slow readers pipeline requests for a 256 KiB value and never read a reply: the server must
  stop reading them (bounded buffers), then close them (`write_stall_closes`).
- 40 clients vanish mid-value (half a data block, then close or reset).

Afterwards the server answers, nothing was evicted, and every key is exactly what its client last
had acknowledged: the keys read back equal the expected set, their values match byte for byte, and
`stats` curr_items equals the number of keys read back. The server's RSS stays bounded throughout.
"""
import asyncio
import os
import random
import resource
import socket
import struct
import time
import unittest
import zlib

from cachelab_server import Server, binary, main, raw

CONNECTIONS = 500
WELL_BEHAVED = 360
BINARY_EVERY = 3  # every third well-behaved client speaks the binary protocol
GARBAGE = 60
SLOW_READERS = 40
VANISHERS = CONNECTIONS - WELL_BEHAVED - GARBAGE - SLOW_READERS
OPS_PER_CLIENT = 40
KEYS_PER_CLIENT = 12
BIG_VALUE = 256 * 1024
STALL_DEADLINE_S = 60  # the server closes a stalled writer after ~10 s; generous for TSan
RSS_BOUND_KIB = 600 * 1024


def built_with(symbol):
    with open(binary(), "rb") as f:
        return symbol in f.read()


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(next(l for l in f if l.startswith("VmRSS:")).split()[1])


def make_value(rng, size):
    body = rng.randbytes(size // 2).hex().encode()[:size]
    return b"%08x:" % zlib.crc32(body) + body


def checksum_ok(value):
    head, sep, body = value.partition(b":")
    return sep == b":" and len(head) == 8 and int(head, 16) == zlib.crc32(body)


def parse_stats(text):
    """{name: value} of a `stats` reply."""
    out = {}
    for line in text.split(b"\r\n"):
        parts = line.split(b" ", 2)
        if len(parts) == 3 and parts[0] == b"STAT":
            out[parts[1].decode()] = parts[2].decode()
    return out


def stats_of(address):
    return parse_stats(raw(address, b"stats\r\n", until=b"END\r\n"))


def read_back(address, keys):
    """{key: (flags, value)} of those of `keys` the server holds (gets of 100 keys each)."""
    found = {}
    for i in range(0, len(keys), 100):
        reply = raw(address, b"get " + b" ".join(keys[i:i + 100]) + b"\r\n", until=b"END\r\n")
        at = 0
        while not reply.startswith(b"END\r\n", at):
            end = reply.index(b"\r\n", at)
            _, key, flags, size = reply[at:end].split()
            value = reply[end + 2:end + 2 + int(size)]
            found[key] = (int(flags), value)
            at = end + 2 + int(size) + 2
    return found


class Client:
    """One well-behaved connection: its own keys, a model of what the server must hold."""

    def __init__(self, index, address, rng):
        self.index = index
        self.address = address
        self.rng = rng
        self.model = {}      # key -> (flags, value): acknowledged and still stored
        self.counter = None  # key of the counter, its value lives in model too
        self.errors = []

    def key(self, i):
        return b"wb%d:k%d" % (self.index, i)

    async def line(self):
        return await self.reader.readuntil(b"\r\n")

    async def value_reply(self):
        """Reads VALUE lines up to END; returns {key: (flags, value, cas or None)}."""
        out = {}
        while True:
            header = await self.line()
            if header == b"END\r\n":
                return out
            parts = header.split()
            if parts[0] != b"VALUE":
                raise AssertionError("client %d: unexpected %r" % (self.index, header))
            size = int(parts[3])
            data = await self.reader.readexactly(size + 2)
            out[parts[1]] = (int(parts[2]), data[:-2], int(parts[4]) if len(parts) > 4 else None)

    def check(self, what, got, expected):
        if got != expected:
            self.errors.append("client %d %s: got %.200r expected %.200r" % (self.index, what, got, expected))

    def check_value(self, key, got):
        """got: (flags, value) or None; compares with the model and the checksum."""
        expected = self.model.get(key)
        if got is not None and got[1] and not got[1].rstrip(b" ").isdigit() and not checksum_ok(got[1]):
            self.errors.append("client %d: corrupted value of %r" % (self.index, key))
        self.check("value of %r" % key, got, expected)

    async def run(self):
        self.reader, self.writer = await asyncio.open_connection(*self.address)
        try:
            for _ in range(OPS_PER_CLIENT):
                await self.step()
            await self.verify_all()
        finally:
            self.writer.close()

    async def send(self, data):
        self.writer.write(data)
        await self.writer.drain()

    async def step(self):
        rng = self.rng
        key = self.key(rng.randrange(KEYS_PER_CLIENT))
        op = rng.choice(["set", "set", "set", "get", "get", "multi", "add", "replace", "append",
                         "cas", "incr", "delete", "touch", "gat", "mset", "mget", "mdel", "noreply"])
        flags = rng.randrange(1 << 16)
        value = make_value(rng, rng.choice([10, 100, 1000, 4000, 20000]))
        if op == "set":
            await self.send(b"set %s %d 0 %d\r\n%s\r\n" % (key, flags, len(value), value))
            self.check("set", await self.line(), b"STORED\r\n")
            self.model[key] = (flags, value)
        elif op == "noreply":
            await self.send(b"set %s %d 0 %d noreply\r\n%s\r\nmn\r\n" % (key, flags, len(value), value))
            self.check("noreply set", await self.line(), b"MN\r\n")
            self.model[key] = (flags, value)
        elif op == "add":
            await self.send(b"add %s %d 0 %d\r\n%s\r\n" % (key, flags, len(value), value))
            reply = await self.line()
            self.check("add", reply, b"NOT_STORED\r\n" if key in self.model else b"STORED\r\n")
            if key not in self.model:
                self.model[key] = (flags, value)
        elif op == "replace":
            await self.send(b"replace %s %d 3600 %d\r\n%s\r\n" % (key, flags, len(value), value))
            reply = await self.line()
            self.check("replace", reply, b"STORED\r\n" if key in self.model else b"NOT_STORED\r\n")
            if key in self.model:
                self.model[key] = (flags, value)
        elif op == "append":
            # Appending to a checksummed value breaks its checksum: append, then rewrite whole.
            await self.send(b"append %s 0 0 3\r\nxyz\r\n" % key)
            reply = await self.line()
            self.check("append", reply, b"STORED\r\n" if key in self.model else b"NOT_STORED\r\n")
            if key in self.model:
                old_flags, old = self.model[key]
                await self.send(b"get %s\r\n" % key)
                got = await self.value_reply()
                self.check("appended", got.get(key, (None, None, None))[:2], (old_flags, old + b"xyz"))
                await self.send(b"set %s %d 0 %d\r\n%s\r\n" % (key, flags, len(value), value))
                self.check("set after append", await self.line(), b"STORED\r\n")
                self.model[key] = (flags, value)
        elif op == "cas":
            await self.send(b"gets %s\r\n" % key)
            got = await self.value_reply()
            self.check_value(key, got[key][:2] if key in got else None)
            if key in got:
                await self.send(b"cas %s %d 0 %d %d\r\n%s\r\n" % (key, flags, len(value), got[key][2], value))
                self.check("cas", await self.line(), b"STORED\r\n")
                self.model[key] = (flags, value)
                await self.send(b"cas %s %d 0 %d %d\r\n%s\r\n" % (key, flags, len(value), got[key][2], value))
                self.check("stale cas", await self.line(), b"EXISTS\r\n")
        elif op == "incr":
            counter = b"wb%d:counter" % self.index
            if counter not in self.model:
                await self.send(b"set %s 0 0 1\r\n5\r\n" % counter)
                self.check("counter set", await self.line(), b"STORED\r\n")
                self.model[counter] = (0, b"5")
            delta = rng.randrange(1, 1000)
            current = int(self.model[counter][1])
            if rng.random() < 0.5:
                await self.send(b"incr %s %d\r\n" % (counter, delta))
                current += delta
            else:
                await self.send(b"decr %s %d\r\n" % (counter, delta))
                current = max(0, current - delta)
            self.check("incr/decr", await self.line(), b"%d\r\n" % current)
            # As memcached: fewer digits are written in place, padded with spaces ("99 ").
            digits = b"%d" % current
            self.model[counter] = (0, digits.ljust(len(self.model[counter][1]), b" "))
        elif op == "delete":
            await self.send(b"delete %s\r\n" % key)
            self.check("delete", await self.line(), b"DELETED\r\n" if key in self.model else b"NOT_FOUND\r\n")
            self.model.pop(key, None)
        elif op == "touch":
            await self.send(b"touch %s 3600\r\n" % key)
            self.check("touch", await self.line(), b"TOUCHED\r\n" if key in self.model else b"NOT_FOUND\r\n")
        elif op == "gat":
            await self.send(b"gat 3600 %s\r\n" % key)
            got = await self.value_reply()
            self.check_value(key, got[key][:2] if key in got else None)
        elif op == "get":
            await self.send(b"get %s\r\n" % key)
            got = await self.value_reply()
            self.check_value(key, got[key][:2] if key in got else None)
        elif op == "multi":
            keys = [self.key(i) for i in range(KEYS_PER_CLIENT)]
            await self.send(b"get " + b" ".join(keys) + b"\r\n")
            got = await self.value_reply()
            for k in keys:
                self.check_value(k, got[k][:2] if k in got else None)
        elif op == "mset":
            await self.send(b"ms %s %d F%d T0\r\n%s\r\n" % (key, len(value), flags, value))
            self.check("ms", await self.line(), b"HD\r\n")
            self.model[key] = (flags, value)
        elif op == "mget":
            await self.send(b"mg %s v f\r\n" % key)
            header = await self.line()
            if header == b"EN\r\n":
                self.check_value(key, None)
            else:
                parts = header.split()
                data = await self.reader.readexactly(int(parts[1]) + 2)
                self.check_value(key, (int(parts[2][1:]), data[:-2]))
        elif op == "mdel":
            await self.send(b"md %s\r\n" % key)
            self.check("md", await self.line(), b"HD\r\n" if key in self.model else b"NF\r\n")
            self.model.pop(key, None)

    async def verify_all(self):
        keys = [self.key(i) for i in range(KEYS_PER_CLIENT)] + [b"wb%d:counter" % self.index]
        await self.send(b"get " + b" ".join(keys) + b"\r\n")
        got = await self.value_reply()
        for k in keys:
            self.check_value(k, got[k][:2] if k in got else None)


BIN_HEADER = struct.Struct(">BBHBBHIIQ")


class BinaryClient(Client):
    """A well-behaved client speaking memcached's binary protocol."""

    def packet(self, op, key=b"", extras=b"", value=b"", cas=0, opaque=0):
        return BIN_HEADER.pack(0x80, op, len(key), len(extras), 0, 0, len(extras) + len(key) + len(value),
                               opaque, cas) + extras + key + value

    async def response(self):
        """(opcode, status, extras, key, value, opaque, cas) of the next reply packet."""
        header = await self.reader.readexactly(24)
        magic, op, keylen, extlen, _dt, status, body, opaque, cas = BIN_HEADER.unpack(header)
        data = await self.reader.readexactly(body)
        if magic != 0x81:
            raise AssertionError("client %d: bad magic %r" % (self.index, header))
        return op, status, data[:extlen], data[extlen:extlen + keylen], data[extlen + keylen:], opaque, cas

    async def ask(self, data):
        await self.send(data)
        return await self.response()

    async def get_many(self, keys):
        """getkq of each key, then noop: {key: (flags, value)} of the hits."""
        await self.send(b"".join(self.packet(0x0D, k) for k in keys) + self.packet(0x0A))
        out = {}
        while True:
            op, status, extras, key, value, _, _ = await self.response()
            if op == 0x0A:
                return out
            self.check("getkq status", status, 0)
            out[key] = (struct.unpack(">I", extras)[0], value)

    def stored(self, flags, exptime=0):
        return struct.pack(">II", flags, exptime)

    async def step(self):
        rng = self.rng
        key = self.key(rng.randrange(KEYS_PER_CLIENT))
        op = rng.choice(["set", "set", "set", "get", "get", "multi", "add", "replace", "append",
                         "cas", "incr", "delete", "touch", "gat", "quiet"])
        flags = rng.randrange(1 << 32)
        value = make_value(rng, rng.choice([10, 100, 1000, 4000, 20000]))
        present = key in self.model
        if op == "set":
            self.check("set", (await self.ask(self.packet(0x01, key, self.stored(flags), value)))[1], 0)
            self.model[key] = (flags, value)
        elif op == "quiet":
            await self.send(self.packet(0x11, key, self.stored(flags), value) + self.packet(0x0A, opaque=7))
            self.check("setq + noop", (await self.response())[0::5], (0x0A, 7))
            self.model[key] = (flags, value)
        elif op == "add":
            self.check("add", (await self.ask(self.packet(0x02, key, self.stored(flags), value)))[1],
                       2 if present else 0)
            if not present:
                self.model[key] = (flags, value)
        elif op == "replace":
            self.check("replace", (await self.ask(self.packet(0x03, key, self.stored(flags, 3600), value)))[1],
                       0 if present else 1)
            if present:
                self.model[key] = (flags, value)
        elif op == "append":
            self.check("append", (await self.ask(self.packet(0x0E, key, b"", b"xyz")))[1], 0 if present else 5)
            if present:
                old_flags, old = self.model[key]
                got = await self.get_many([key])
                self.check("appended", got.get(key), (old_flags, old + b"xyz"))
                self.check("set after append", (await self.ask(self.packet(0x01, key, self.stored(flags), value)))[1], 0)
                self.model[key] = (flags, value)
        elif op == "cas":
            op_, status, extras, _, got, _, cas = await self.ask(self.packet(0x00, key))
            self.check_value(key, (struct.unpack(">I", extras)[0], got) if status == 0 else None)
            if status == 0:
                self.check("cas", (await self.ask(self.packet(0x01, key, self.stored(flags), value, cas)))[1], 0)
                self.model[key] = (flags, value)
                self.check("stale cas", (await self.ask(self.packet(0x01, key, self.stored(flags), value, cas)))[1], 2)
        elif op == "incr":
            counter = b"wb%d:counter" % self.index
            delta = rng.randrange(1, 1000)
            incr = rng.random() < 0.5
            extras = struct.pack(">QQI", delta, 5, 0)
            reply = await self.ask(self.packet(0x05 if incr else 0x06, counter, extras))
            if counter not in self.model:
                current = 5  # created with the initial value, the delta not applied
                self.model[counter] = (0, b"5")
            else:
                current = int(self.model[counter][1])
                current = current + delta if incr else max(0, current - delta)
            self.check("incr/decr", (reply[1], reply[4]), (0, struct.pack(">Q", current)))
            digits = b"%d" % current
            self.model[counter] = (0, digits.ljust(len(self.model[counter][1]), b" "))
        elif op == "delete":
            self.check("delete", (await self.ask(self.packet(0x04, key)))[1], 0 if present else 1)
            self.model.pop(key, None)
        elif op == "touch":
            self.check("touch", (await self.ask(self.packet(0x1C, key, struct.pack(">I", 3600))))[1],
                       0 if present else 1)
        elif op == "gat":
            _, status, extras, _, got, _, _ = await self.ask(self.packet(0x1D, key, struct.pack(">I", 3600)))
            self.check_value(key, (struct.unpack(">I", extras)[0], got) if status == 0 else None)
        elif op == "get":
            _, status, extras, _, got, _, _ = await self.ask(self.packet(0x00, key))
            self.check_value(key, (struct.unpack(">I", extras)[0], got) if status == 0 else None)
        elif op == "multi":
            keys = [self.key(i) for i in range(KEYS_PER_CLIENT)]
            got = await self.get_many(keys)
            for k in keys:
                self.check_value(k, got.get(k))

    async def verify_all(self):
        keys = [self.key(i) for i in range(KEYS_PER_CLIENT)] + [b"wb%d:counter" % self.index]
        got = await self.get_many(keys)
        for k in keys:
            self.check_value(k, got.get(k))


GARBAGE_LINES = [
    b"set " + b"k" * 251 + b" 0 0 1\r\nx\r\n",
    b"set bad\x01key 0 0 -1\r\nx\r\n",
    b"set k 0 0 -1\r\n",
    b"set k 0 0 abc\r\n",
    b"get " + b"x" * 300 + b"\r\n",
    b"incr\r\n",
    b"\x80\x01\x00\x03\x00\x00\x00\x00",  # a binary-protocol header
    b"ms k 99999999999999999999\r\n",
    b"mg k Z Z Z\r\n",
    b"\r\n\r\n\r\n",
    b"\x00" * 100,
]


async def garbage(index, address, rng):
    reader, writer = await asyncio.open_connection(*address)
    try:
        for _ in range(rng.randrange(1, 8)):
            if rng.random() < 0.5:
                writer.write(rng.randbytes(rng.randrange(1, 5000)))
            else:
                writer.write(rng.choice(GARBAGE_LINES))
            await writer.drain()
            try:
                await asyncio.wait_for(reader.read(1 << 16), 0.05)
            except asyncio.TimeoutError:
                pass
    except (ConnectionError, OSError):
        pass  # the server may close a connection that sent a line too long
    finally:
        writer.close()


def slow_readers(address, count):
    """Connects `count` sockets, each pipelines `get big` for 2 s (as far as the server takes
    them), and never reads. Returns [(socket, bytes sent)]."""
    socks = []
    for _ in range(count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(address)
        s.setblocking(False)
        socks.append([s, 0])
    request = b"get big\r\n" * 1000
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        for entry in socks:
            try:
                entry[1] += entry[0].send(request)
            except BlockingIOError:
                pass
        time.sleep(0.02)
    return socks


async def vanisher(index, address, rng):
    size = 100000
    if rng.random() < 0.5:
        reader, writer = await asyncio.open_connection(*address)
        writer.write(b"set vanish%d 0 0 %d\r\n" % (index, size) + b"v" * rng.randrange(size))
        await writer.drain()
        await asyncio.sleep(rng.random() * 0.2)
        writer.close()
    else:  # reset, not a clean close
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.setblocking(False)
        await asyncio.get_running_loop().sock_connect(s, address)
        await asyncio.get_running_loop().sock_sendall(s, b"set vanish%d 0 0 %d\r\n" % (index, size) + b"v" * 500)
        await asyncio.sleep(rng.random() * 0.2)
        s.close()


class Stress(unittest.TestCase):
    def test_500_connections(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = CONNECTIONS * 2 + 200
        if soft < wanted:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
        rng = random.Random(20261126)
        with Server("-c", str(CONNECTIONS + 50), "-m", "256", "-t", "4") as server:
            address = server.address
            big = make_value(rng, BIG_VALUE)
            self.assertEqual(raw(address, b"set big 7 0 %d\r\n%s\r\n" % (len(big), big), lines=1), b"STORED\r\n")
            slow = slow_readers(address, SLOW_READERS)
            self.assertTrue(all(sent > 0 for _, sent in slow))
            peak = rss_kib(server.proc.pid)

            clients = [(BinaryClient if i % BINARY_EVERY == 0 else Client)(i, address, random.Random(rng.random()))
                       for i in range(WELL_BEHAVED)]

            async def everything():
                tasks = [c.run() for c in clients]
                tasks += [garbage(i, address, random.Random(rng.random())) for i in range(GARBAGE)]
                tasks += [vanisher(i, address, random.Random(rng.random())) for i in range(VANISHERS)]
                rng.shuffle(tasks)
                return await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 240)

            started = time.monotonic()
            results = asyncio.run(everything())
            elapsed = time.monotonic() - started
            failures = [r for r in results if isinstance(r, BaseException)]
            self.assertEqual(failures, [])
            errors = [e for c in clients for e in c.errors]
            self.assertEqual(errors[:10], [])
            peak = max(peak, rss_kib(server.proc.pid))

            # The slow readers: stopped being read (bounded), then closed for not reading.
            deadline = time.monotonic() + STALL_DEADLINE_S
            stats = stats_of(address)
            while int(stats["write_stall_closes"]) < SLOW_READERS and time.monotonic() < deadline:
                peak = max(peak, rss_kib(server.proc.pid))
                time.sleep(0.5)
                stats = stats_of(address)
            self.assertEqual(int(stats["write_stall_closes"]), SLOW_READERS)
            for s, _ in slow:
                s.close()
            if not built_with(b"__asan_init"):  # ASan's quarantine and shadow memory inflate RSS
                self.assertLess(peak, RSS_BOUND_KIB)

            # Nothing acknowledged is lost or changed; nothing else is there.
            expected = {b"big": (7, big)}
            for c in clients:
                expected.update(c.model)
            found = read_back(address, list(expected) + [b"vanish%d" % i for i in range(VANISHERS)])
            self.assertEqual(sorted(found), sorted(expected))
            corrupted = [k for k in expected if found[k] != expected[k]]
            self.assertEqual(corrupted, [])
            stats = stats_of(address)
            self.assertEqual(int(stats["evictions"]), 0)
            self.assertEqual(int(stats["curr_items"]), len(found))
            self.assertTrue(raw(address, b"version\r\n", lines=1).startswith(b"VERSION "))
            print("stress: %d connections, %d keys checked, client phase %.1f s, peak RSS %d MiB, "
                  "write_stall_closes %s" % (CONNECTIONS, len(found), elapsed, peak // 1024,
                                             stats["write_stall_closes"]))
        self.assertEqual(server.returncode, 0)


if __name__ == "__main__":
    main()
