"""Limits: over-long keys, control bytes, bad lengths, values beyond -I, a 1 GiB line without a
newline, a get of 100,000 keys. Each gets memcached's reply (checked against Debian's memcached
1.6.18 when it is installed) or, where docs/PROTOCOL.md lists a deliberate difference, cachelab's
documented reply, or a closed connection; the server never crashes and its RSS stays bounded.
(The connection limit -c is tested in test_serve_robustness.py.)"""
import os
import shutil
import socket
import subprocess
import time
import unittest

from cachelab_server import Server, binary, free_port, main, raw

MEMCACHED = "/usr/bin/memcached"
GiB = 1 << 30
MiB = 1 << 20


def built_with(symbol):
    with open(binary(), "rb") as f:
        return symbol in f.read()


SANITIZED = built_with(b"__asan_init") or built_with(b"__tsan_init")


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(next(l for l in f if l.startswith("VmRSS:")).split()[1])


K250 = b"k" * 250
K251 = b"k" * 251
CE = b"CLIENT_ERROR bad command line format\r\n"

# (name, request, cachelab's reply, the same as memcached 1.6.18?). Every request ends with
# `mn` so that the reply is complete when MN arrives, and shows the connection is still usable.
CASES = [
    ("key of 250 bytes", b"set %s 0 0 1\r\nx\r\nget %s\r\n" % (K250, K250),
     b"STORED\r\nVALUE %s 0 1\r\nx\r\nEND\r\n" % K250, True),
    ("set with a key of 251 bytes", b"set %s 0 0 1\r\nx\r\n" % K251, CE + b"ERROR\r\n", True),
    ("get with a key of 251 bytes", b"get %s\r\n" % K251, CE, True),
    ("delete incr touch mg ms with a key of 251 bytes",
     b"delete %s\r\nincr %s 1\r\ntouch %s 1\r\nmg %s v\r\nms %s 1\r\nx\r\n" % ((K251,) * 5),
     CE * 5 + b"ERROR\r\n", True),
    ("negative length", b"set k 0 0 -1\r\n", CE, True),
    ("non-numeric length", b"set k 0 0 abc\r\n", CE, True),
    ("length beyond 64 bits", b"set k 0 0 99999999999999999999\r\n", CE, True),
    ("length with a suffix", b"set k 0 0 1x\r\nx\r\n", CE + b"ERROR\r\n", True),
    ("negative flags", b"set k -1 0 1\r\nx\r\n", CE + b"ERROR\r\n", True),
    ("non-numeric exptime", b"set k 0 abc 1\r\nx\r\n", CE + b"ERROR\r\n", True),
    ("negative and non-numeric cas", b"cas k 0 0 1 -1\r\nx\r\ncas k 0 0 1 abc\r\nx\r\n",
     CE + b"ERROR\r\n" + CE + b"ERROR\r\n", True),
    ("negative and too large deltas", b"incr k -1\r\ndecr k 18446744073709551616\r\n",
     b"CLIENT_ERROR invalid numeric delta argument\r\n" * 2, True),
    ("ms with a negative length", b"ms k -5\r\n", CE, True),
    ("value one byte beyond -I", b"set big 0 0 %d\r\n%s\r\nget big\r\n" % (MiB + 1, b"x" * (MiB + 1)),
     b"SERVER_ERROR object too large for cache\r\nEND\r\n", True),
    ("value twice -I", b"set big 0 0 %d\r\n%s\r\n" % (2 * MiB, b"x" * (2 * MiB)),
     b"SERVER_ERROR object too large for cache\r\n", True),
    ("ms beyond -I", b"ms big %d\r\n%s\r\n" % (MiB + 1, b"x" * (MiB + 1)),
     b"SERVER_ERROR object too large for cache\r\n", True),
    ("control bytes and a tab in keys", b"set a\x01b 0 0 1\r\nx\r\nget a\x01b\r\nset a\tb 0 0 1\r\ny\r\nget a\tb a\x7fb\r\n",
     b"STORED\r\nVALUE a\x01b 0 1\r\nx\r\nEND\r\nSTORED\r\nVALUE a\tb 0 1\r\ny\r\nEND\r\n", True),
    # Numbers as memcached reads them (safe_strto*: low 32 bits, a sign allowed).
    ("flags above 2^32-1 keep their low 32 bits", b"set k 4294967296 0 1\r\nx\r\nget k\r\n", b"STORED\r\nVALUE k 0 1\r\nx\r\nEND\r\n", True),
    ("a length with a plus sign", b"set k 0 0 +1\r\nx\r\n", b"STORED\r\n", True),
    # Deliberate differences (docs/PROTOCOL.md).
    ("a CR inside a key", b"set a\rb 0 0 1\r\nx\r\n", CE + b"ERROR\r\n", False),
    ("a NUL byte in a key", b"set k\x00z 0 0 1\r\nx\r\nget k\x00z\r\n", b"STORED\r\nVALUE k\x00z 0 1\r\nx\r\nEND\r\n", False),
]


def exchange(address, request):
    """Sends request + mn on a fresh connection; returns the reply before MN (None if closed)."""
    reply = raw(address, request + b"mn\r\n", until=b"MN\r\n", timeout=30)
    return reply[:-4] if reply.endswith(b"MN\r\n") else None


class Replies(unittest.TestCase):
    def test_each_case_gets_the_documented_reply(self):
        with Server("-I", "1m") as server:
            for name, request, expected, _ in CASES:
                with self.subTest(name):
                    self.assertEqual(exchange(server.address, request), expected)
            self.assertTrue(raw(server.address, b"version\r\n", lines=1).startswith(b"VERSION "))
        self.assertEqual(server.returncode, 0)

    @unittest.skipUnless(os.access(MEMCACHED, os.X_OK), "Debian's memcached is not installed")
    def test_memcached_gives_the_same_replies(self):
        port = free_port()
        proc = subprocess.Popen([MEMCACHED, "-p", str(port), "-l", "127.0.0.1", "-U", "0", "-I", "1m",
                                 "-u", "nobody"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    self.assertLess(time.monotonic(), deadline, "memcached did not start")
                    time.sleep(0.05)
            for name, request, expected, same in CASES:
                with self.subTest(name):
                    got = exchange(("127.0.0.1", port), request)
                    if same:
                        self.assertEqual(got, expected)
                    else:
                        self.assertNotEqual(got, expected)  # still a difference: keep the doc true
        finally:
            proc.kill()
            proc.wait()


class Huge(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("-m", "64").start()
        cls.pid = cls.server.proc.pid

    @classmethod
    def tearDownClass(cls):
        assert cls.server.stop() == 0

    def check_rss(self, before, peak, bound_kib):
        print("%s: server RSS %d -> %d KiB" % (self.id().split(".")[-1], before, peak))
        if not built_with(b"__asan_init"):  # ASan's quarantine and shadow memory inflate RSS
            self.assertLess(peak - before, bound_kib, "RSS grew from %d to %d KiB" % (before, peak))

    def test_1_gib_line_without_newline_is_refused_and_closed(self):
        before = peak = rss_kib(self.pid)
        sent = 0
        chunk = b"x" * MiB
        with socket.create_connection(self.server.address, timeout=30) as s:
            try:
                while sent < GiB:
                    s.sendall(chunk)
                    sent += len(chunk)
                    peak = max(peak, rss_kib(self.pid))
            except (BrokenPipeError, ConnectionResetError):
                pass
            reply = b""
            try:
                while True:
                    part = s.recv(1 << 16)
                    if not part:
                        break
                    reply += part
            except ConnectionResetError:
                pass
        self.assertEqual(reply, b"CLIENT_ERROR line too long\r\n")
        self.assertLess(sent, 64 * MiB)  # refused after 64 KiB, not after reading it all
        self.check_rss(before, peak, 16 * 1024)
        self.assertTrue(raw(self.server.address, b"version\r\n", lines=1).startswith(b"VERSION "))

    def test_1_gib_get_line_is_streamed(self):
        # One get of short keys, 1 GiB long (64 MiB under the sanitizers, which are 10-20x slower),
        # streamed without a newline until the end: answered in pieces, never held whole.
        total = (64 * MiB) if SANITIZED else GiB
        raw(self.server.address, b"set hit 0 0 2\r\nok\r\n", lines=1)
        chunk = b"get" + b" miss" * (MiB // 5 - 2) + b" hit"
        assert len(chunk) <= MiB
        before = peak = rss_kib(self.pid)
        sent = chunks = 0
        with socket.create_connection(self.server.address, timeout=60) as s:
            s.sendall(b"get")
            while sent < total:
                s.sendall(chunk[3:])  # ~19 bytes of reply per chunk: no need to read meanwhile
                sent += len(chunk) - 3
                chunks += 1
                if chunks % 32 == 0:
                    peak = max(peak, rss_kib(self.pid))
            s.sendall(b"\r\nmn\r\n")
            s.settimeout(120)
            received = b""
            while not received.endswith(b"MN\r\n"):
                part = s.recv(1 << 20)
                if not part:
                    break
                received += part
        self.assertEqual(received, b"VALUE hit 0 2\r\nok\r\n" * chunks + b"END\r\nMN\r\n")
        self.check_rss(before, peak, 32 * 1024)

    def test_get_of_100000_keys(self):
        for i in range(0, 1000, 100):
            raw(self.server.address, b"".join(b"set k%d 0 0 %d noreply\r\n%d\r\n" % (j, len(b"%d" % j), j)
                                              for j in range(i, i + 100)) + b"mn\r\n", until=b"MN\r\n")
        line = b"get " + b" ".join(b"k%d" % i for i in range(100000)) + b"\r\n"
        expected = b"".join(b"VALUE k%d 0 %d\r\n%d\r\n" % (i, len(b"%d" % i), i) for i in range(1000)) + b"END\r\n"
        before = rss_kib(self.pid)
        reply = raw(self.server.address, line, until=b"END\r\n", timeout=60)
        self.assertEqual(reply, expected)
        self.check_rss(before, rss_kib(self.pid), 16 * 1024)


if __name__ == "__main__":
    main()
