"""Stress over TLS, loopback only, bounded in time: 500 connections at once against `serve -Z`.

- 250 well-behaved TLS clients run test_stress.py's mixed workload (every reply checked, values
  carrying their CRC32), on their own keys;
- 125 clients drop mid-handshake: half of a real ClientHello, then a close or a reset;
- 125 clients complete the handshake, then drop mid-record: half of an encrypted `set`, then a
  close or a reset.

Afterwards, over a plain `notls:` listener beside the TLS one: every key is exactly what its client
last had acknowledged, no half-sent `set` stored anything, the failed handshakes are counted
(ssl_handshake_errors), the server still answers over TLS, and its RSS stayed bounded.
"""
import asyncio
import os
import random
import resource
import socket
import ssl
import struct
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_stress  # noqa: E402
from cachelab_server import main, raw  # noqa: E402
from test_stress import built_with, make_value, read_back, rss_kib, stats_of  # noqa: E402
from tls_pki import MultiServer, Pki  # noqa: E402

WELL_BEHAVED = 250
MID_HANDSHAKE = 125
MID_RECORD = 125
CONNECTIONS = WELL_BEHAVED + MID_HANDSHAKE + MID_RECORD
test_stress.OPS_PER_CLIENT = 30
RSS_BOUND_KIB = 600 * 1024


class TlsClient(test_stress.Client):
    def __init__(self, index, address, rng, ctx):
        super().__init__(index, address, rng)
        self.ctx = ctx

    async def run(self):
        self.reader, self.writer = await asyncio.open_connection(
            *self.address, ssl=self.ctx, server_hostname="127.0.0.1")
        try:
            for _ in range(test_stress.OPS_PER_CLIENT):
                await self.step()
            await self.verify_all()
        finally:
            self.writer.close()


async def connect_raw(address):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    await asyncio.get_running_loop().sock_connect(s, address)
    return s


def drop(s, rng):
    if rng.random() < 0.5:  # a reset, not a clean close
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


async def mid_handshake(address, ctx, rng):
    loop = asyncio.get_running_loop()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="127.0.0.1")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = outgoing.read()
    s = await connect_raw(address)
    await loop.sock_sendall(s, hello[:rng.randrange(1, len(hello))])
    await asyncio.sleep(rng.random() * 0.2)
    drop(s, rng)


async def mid_record(index, address, ctx, rng):
    loop = asyncio.get_running_loop()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname="127.0.0.1")
    s = await connect_raw(address)
    while True:
        try:
            obj.do_handshake()
            break
        except ssl.SSLWantReadError:
            out = outgoing.read()
            if out:
                await loop.sock_sendall(s, out)
            chunk = await loop.sock_recv(s, 1 << 16)
            if not chunk:
                raise ConnectionError("closed during the handshake")
            incoming.write(chunk)
    size = 50000
    obj.write(b"set vanish%d 0 0 %d\r\n" % (index, size) + b"v" * size + b"\r\n")
    records = outgoing.read()  # the client's Finished and the encrypted set
    await loop.sock_sendall(s, records[:rng.randrange(len(records) // 4, len(records) - 1)])
    await asyncio.sleep(rng.random() * 0.2)
    drop(s, rng)


class TlsStress(unittest.TestCase):
    def test_500_tls_connections(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = CONNECTIONS * 2 + 200
        if soft < wanted:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
        rng = random.Random(20261130)
        pki = Pki()
        try:
            self.run_stress(pki, rng)
        finally:
            pki.close()

    def run_stress(self, pki, rng):
        args = pki.server_opts() + ["-c", str(CONNECTIONS + 50), "-m", "256", "-t", "4"]
        with MultiServer(["127.0.0.1", "notls:127.0.0.1"], *args) as server:
            tls_address, plain = server.address_of(0), server.address_of(1)
            ctx = pki.client_context()
            big = make_value(rng, 256 * 1024)
            self.assertEqual(raw(plain, b"set big 7 0 %d\r\n%s\r\n" % (len(big), big), lines=1), b"STORED\r\n")
            peak = rss_kib(server.proc.pid)
            clients = [TlsClient(i, tls_address, random.Random(rng.random()), ctx) for i in range(WELL_BEHAVED)]

            async def everything():
                tasks = [c.run() for c in clients]
                tasks += [mid_handshake(tls_address, ctx, random.Random(rng.random())) for _ in range(MID_HANDSHAKE)]
                tasks += [mid_record(i, tls_address, ctx, random.Random(rng.random())) for i in range(MID_RECORD)]
                rng.shuffle(tasks)
                return await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 240)

            started = time.monotonic()
            results = asyncio.run(everything())
            elapsed = time.monotonic() - started
            peak = max(peak, rss_kib(server.proc.pid))
            self.assertEqual([r for r in results if isinstance(r, BaseException)], [])
            self.assertEqual([e for c in clients for e in c.errors][:10], [])

            expected = {b"big": (7, big)}
            for c in clients:
                expected.update(c.model)
            found = read_back(plain, list(expected) + [b"vanish%d" % i for i in range(MID_RECORD)])
            self.assertEqual(sorted(found), sorted(expected))
            self.assertEqual([k for k in expected if found[k] != expected[k]], [])
            stats = stats_of(plain)
            self.assertEqual(int(stats["curr_items"]), len(found))
            self.assertGreaterEqual(int(stats["ssl_handshake_errors"]), MID_HANDSHAKE)
            # Every dropped connection is gone: only this stats connection is left.
            deadline = time.monotonic() + 10
            while int(stats["curr_connections"]) > 1 and time.monotonic() < deadline:
                time.sleep(0.2)
                stats = stats_of(plain)
            self.assertEqual(int(stats["curr_connections"]), 1)
            with socket.create_connection(tls_address, timeout=10) as s, \
                    ctx.wrap_socket(s, server_hostname="127.0.0.1") as t:
                t.sendall(b"version\r\n")
                self.assertTrue(t.recv(100).startswith(b"VERSION "))
            if not built_with(b"__asan_init"):  # ASan's quarantine and shadow memory inflate RSS
                self.assertLess(peak, RSS_BOUND_KIB)
            print("tls stress: %d connections, %d keys checked, client phase %.1f s, peak RSS %d MiB, "
                  "ssl_handshake_errors %s" % (CONNECTIONS, len(found), elapsed, peak // 1024,
                                               stats["ssl_handshake_errors"]))
        self.assertEqual(server.returncode, 0)


if __name__ == "__main__":
    main()
