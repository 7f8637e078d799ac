"""TLS (-Z, -o ssl_*, -l notls:, refresh_certs) and idle_timeout, against real clients, with
certificates made at test time by the `openssl` command (tls_pki.py). Loopback only, bounded.

- pymemcache with `tls_context`: set/get/multi-get of values up to 1 MB; a client that does not
  trust the CA fails; mutual TLS (ssl_verify_mode=2): no client certificate and one from another
  CA are refused, one from the CA works; TLS 1.0/1.1 are refused by default (ssl_handshake_errors);
- a `notls:` listener answers plain text beside a TLS one;
- refresh_certs swaps the certificate for new connections, a broken file is refused with
  memcached's error while connections go on (and memcached -Z answers the same words);
- `stats settings` shows memcached's ssl_* settings, as Debian's memcached -Z does;
- the same session gives the same bytes over TLS and plain TCP, on both I/O engines;
- a bad certificate, key or CA file at start: one line on stderr, exit 2;
- idle_timeout closes an idle connection (plain and TLS) and not a busy one (idle_kicks).

Not here: libmemcached's tools over TLS. Debian 12's libmemcached (1.1.4) is built without TLS
(its library links no OpenSSL and its tools have no TLS option), so no Debian client but
pymemcache (and Python's ssl) can speak TLS to either server.
"""
import os
import socket
import ssl
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cachelab_server import Memcached, main, raw  # noqa: E402
from test_stress import parse_stats  # noqa: E402
from tls_pki import MultiServer, Pki, run_start_failure  # noqa: E402

from pymemcache.client.base import Client  # noqa: E402

PKI = None


def setUpModule():
    global PKI
    PKI = Pki()


def tearDownModule():
    PKI.close()


def tls_connect(address, ctx, timeout=10):
    s = socket.create_connection(address, timeout=timeout)
    return ctx.wrap_socket(s, server_hostname="127.0.0.1")


def exchange(sock, data, until):
    sock.sendall(data)
    out = b""
    while not out.endswith(until):
        chunk = sock.recv(1 << 16)
        if not chunk:
            break
        out += chunk
    return out


def tls_raw(address, ctx, data, until):
    with tls_connect(address, ctx) as s:
        return exchange(s, data, until)


def stats(address, ctx=None, what=b""):
    req = b"stats" + (b" " + what if what else b"") + b"\r\n"
    return parse_stats(tls_raw(address, ctx, req, b"END\r\n") if ctx else raw(address, req, until=b"END\r\n"))


def refused(address, ctx):
    """True when a TLS client with `ctx` cannot get a reply (refused at or right after the handshake)."""
    try:
        with tls_connect(address, ctx) as s:
            s.sendall(b"version\r\n")
            return not s.recv(100).startswith(b"VERSION")
    except (ssl.SSLError, ConnectionError, OSError):
        return True


def memcached_has_tls():
    try:
        return b"enable-ssl" in __import__("subprocess").run(
            ["/usr/bin/memcached", "-h"], capture_output=True, timeout=10).stdout
    except OSError:
        return False


class TlsTest(unittest.TestCase):
    def test_pymemcache_values_up_to_1mb_and_multi_get(self):
        with MultiServer(["127.0.0.1"], *PKI.server_opts()) as s:
            c = Client(s.address_of(0), tls_context=PKI.client_context(), timeout=10)
            values = {"k%d" % i: os.urandom(i * 997 % 3000 + 1) for i in range(16)}
            values["big"] = os.urandom(1000 * 1024)
            values["medium"] = os.urandom(100 * 1024)
            for k, v in values.items():
                self.assertTrue(c.set(k, v, noreply=False))
            for k, v in values.items():
                self.assertEqual(c.get(k), v)
            self.assertEqual(c.get_many(list(values)), values)
            self.assertEqual(c.incr("n", 1), None)
            c.close()
            st = stats(s.address_of(0), PKI.client_context())
            self.assertEqual(st["ssl_handshake_errors"], "0")
            self.assertIn("time_since_server_cert_refresh", st)

    def test_untrusted_client_and_old_versions_refused(self):
        with MultiServer(["127.0.0.1"], *PKI.server_opts()) as s:
            with self.assertRaises(ssl.SSLCertVerificationError):
                tls_connect(s.address_of(0), PKI.client_context(trust=False))
            for version in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
                self.assertTrue(refused(s.address_of(0), PKI.client_context(max_version=version)), version)
            self.assertGreaterEqual(int(stats(s.address_of(0), PKI.client_context())["ssl_handshake_errors"]), 2)
            # TLS 1.2 and 1.3 are served.
            for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
                ctx = PKI.client_context()
                ctx.minimum_version = ctx.maximum_version = version
                self.assertEqual(tls_raw(s.address_of(0), ctx, b"version\r\n", b"\r\n")[:8], b"VERSION ")

    def test_mutual_tls(self):
        with MultiServer(["127.0.0.1"], *PKI.server_opts(extra="ssl_verify_mode=2")) as s:
            self.assertTrue(refused(s.address_of(0), PKI.client_context()))
            self.assertTrue(refused(s.address_of(0), PKI.client_context(cert=PKI.stranger)))
            c = Client(s.address_of(0), tls_context=PKI.client_context(cert=PKI.client), timeout=10)
            self.assertTrue(c.set("who", b"client", noreply=False))
            self.assertEqual(c.get("who"), b"client")
            c.close()
            self.assertEqual(stats(s.address_of(0), PKI.client_context(cert=PKI.client), b"settings")
                             ["ssl_verify_mode"], "3")

    def test_notls_listener_beside_tls(self):
        with MultiServer(["127.0.0.1", "notls:127.0.0.1"], *PKI.server_opts()) as s:
            self.assertIn("notls:127.0.0.1:%d" % s.ports[1], s.ready_line)
            self.assertEqual(raw(s.address_of(1), b"set a 0 0 1\r\nx\r\n", lines=1), b"STORED\r\n")
            self.assertEqual(tls_raw(s.address_of(0), PKI.client_context(), b"get a\r\n", b"END\r\n"),
                             b"VALUE a 0 1\r\nx\r\nEND\r\n")
            # Plain text on the TLS listener gets no reply and is counted as a failed handshake.
            self.assertFalse(raw(s.address_of(0), b"version\r\n", quiet=1.0).startswith(b"VERSION"))
            self.assertGreaterEqual(int(stats(s.address_of(1))["ssl_handshake_errors"]), 1)

    def test_notls_without_tls_is_refused(self):
        code, err = run_start_failure(["-l", "notls:127.0.0.1:0"])
        self.assertEqual(code, 2, err)
        self.assertIn("'notls' option is valid only when SSL is enabled", err)

    def test_bad_files_at_start(self):
        cases = [
            (["-Z", "-o", "ssl_chain_cert=/nonexistent.crt,ssl_key=%s" % PKI.server[1]],
             "Error loading the certificate chain: /nonexistent.crt : "),
            (["-Z", "-o", "ssl_chain_cert=%s,ssl_key=%s" % (PKI.server[0], PKI.client[1])],
             "Error loading the key: %s : " % PKI.client[1]),  # OpenSSL 3 finds the mismatch here
            (PKI.server_opts(extra="ssl_ca_cert=/nonexistent-ca.crt"),
             "Error loading the CA certificate: /nonexistent-ca.crt : "),
        ]
        cases.append((["-Z"], "Error loading the certificate chain: none given: -Z needs -o ssl_chain_cert=FILE"))
        for args, words in cases:
            code, err = run_start_failure(args)
            self.assertEqual(code, 2, err)
            self.assertEqual(len(err.strip().splitlines()), 1, err)
            self.assertIn(words, err)

    def test_refresh_certs(self):
        chain, key = PKI.path("live.crt"), PKI.path("live.key")
        for src, dst in ((PKI.server[0], chain), (PKI.server[1], key)):
            with open(src, "rb") as f, open(dst, "wb") as g:
                g.write(f.read())

        def served_cert(address):
            with tls_connect(address, PKI.client_context()) as t:
                return t.getpeercert(binary_form=True)

        def der(path):
            with open(path) as f:
                return ssl.PEM_cert_to_DER_cert(f.read())

        with MultiServer(["127.0.0.1"], *PKI.server_opts(chain=chain, key=key)) as s:
            address = s.address_of(0)
            self.assertEqual(served_cert(address), der(PKI.server[0]))
            old = tls_connect(address, PKI.client_context())
            self.assertEqual(exchange(old, b"set kept 0 0 2\r\nok\r\n", b"\r\n"), b"STORED\r\n")
            for src, dst in ((PKI.server2[0], chain), (PKI.server2[1], key)):
                with open(src, "rb") as f, open(dst, "wb") as g:
                    g.write(f.read())
            self.assertEqual(exchange(old, b"refresh_certs\r\n", b"\r\n"), b"OK\r\n")
            self.assertEqual(served_cert(address), der(PKI.server2[0]))
            with open(chain, "w") as f:
                f.write("not a certificate\n")
            reply = exchange(old, b"refresh_certs\r\n", b"\r\n")
            self.assertTrue(reply.startswith(b"Error loading the certificate chain: " + chain.encode() + b" : "), reply)
            # The old connection goes on, new ones still get the last good certificate.
            self.assertEqual(exchange(old, b"get kept\r\n", b"END\r\n"), b"VALUE kept 0 2\r\nok\r\nEND\r\n")
            self.assertEqual(served_cert(address), der(PKI.server2[0]))
            old.close()

    def test_session_cache_resumes_sessions_as_memcached(self):
        """ssl_session_cache: a second connection resumes the first one's session, and
        ssl_new_sessions counts what memcached counts (OpenSSL's new-session callback: none for
        TLS 1.2 with tickets, one per ticket for TLS 1.3)."""
        opts = PKI.server_opts(extra="ssl_session_cache")
        targets = ["cachelab"] + (["memcached"] if memcached_has_tls() else [])
        counted = {}
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            for target in targets:
                srv = MultiServer(["127.0.0.1"], *opts) if target == "cachelab" else Memcached(*opts)
                srv.start()
                try:
                    address = srv.address_of(0) if target == "cachelab" else srv.address
                    ctx = PKI.client_context()
                    ctx.maximum_version = version
                    with tls_connect(address, ctx) as first:
                        self.assertEqual(exchange(first, b"version\r\n", b"\r\n")[:8], b"VERSION ")
                        session = first.session
                    plain = socket.create_connection(address, timeout=10)
                    with ctx.wrap_socket(plain, server_hostname="127.0.0.1", session=session) as second:
                        self.assertEqual(exchange(second, b"version\r\n", b"\r\n")[:8], b"VERSION ")
                        self.assertTrue(second.session_reused, (version, target))
                    counted[(version, target)] = stats(address, ctx)["ssl_new_sessions"]
                finally:
                    rc = srv.stop()
                if target == "cachelab":
                    self.assertEqual(rc, 0, srv.stderr)
            if "memcached" in targets:
                self.assertEqual(counted[(version, "cachelab")], counted[(version, "memcached")], version)

    def test_stats_settings_as_memcached(self):
        opts = PKI.server_opts(extra="ssl_verify_mode=1,ssl_min_version=3,ssl_session_cache")
        with MultiServer(["127.0.0.1"], *opts) as s:
            ours = stats(s.address_of(0), PKI.client_context(), b"settings")
            general = stats(s.address_of(0), PKI.client_context())
        self.assertEqual(ours["ssl_enabled"], "yes")
        self.assertEqual(ours["ssl_min_version"], "tlsv1.3")
        self.assertIn("ssl_new_sessions", general)
        keys = ["ssl_enabled", "ssl_chain_cert", "ssl_key", "ssl_verify_mode", "ssl_keyformat", "ssl_ciphers",
                "ssl_ca_cert", "ssl_wbuf_size", "ssl_session_cache", "ssl_kernel_tls", "ssl_min_version"]
        if not memcached_has_tls():
            self.skipTest("memcached without TLS")
        m = Memcached(*opts)
        m.start()
        try:
            theirs = stats(m.address, PKI.client_context(), b"settings")
            their_general = stats(m.address, PKI.client_context())
        finally:
            m.stop()
        self.assertEqual({k: ours[k] for k in keys}, {k: theirs[k] for k in keys})
        for k in ("ssl_new_sessions", "ssl_handshake_errors", "time_since_server_cert_refresh"):
            self.assertIn(k, their_general)
            self.assertIn(k, general)

    def test_refresh_certs_reply_as_memcached(self):
        """The same request on a server without -Z and with a broken file: memcached's words."""
        if not memcached_has_tls():
            self.skipTest("memcached without TLS")
        broken = PKI.path("broken.crt")
        for target in ("cachelab", "memcached"):
            with open(broken, "wb") as f, open(PKI.server[0], "rb") as g:
                f.write(g.read())
            opts = PKI.server_opts(chain=broken)
            srv = MultiServer(["127.0.0.1"], *opts) if target == "cachelab" else Memcached(*opts)
            srv.start()
            try:
                address = srv.address_of(0) if target == "cachelab" else srv.address
                with tls_connect(address, PKI.client_context()) as t:
                    with open(broken, "w") as f:
                        f.write("garbage\n")
                    reply = exchange(t, b"refresh_certs\r\n", b"\r\n")
            finally:
                rc = srv.stop()
            if target == "cachelab":
                self.assertEqual(rc, 0, srv.stderr)
                ours = reply
            else:
                self.assertEqual(ours, reply)
        plain = MultiServer(["127.0.0.1"])
        with plain:
            ours = raw(plain.address_of(0), b"refresh_certs\r\n", lines=1)
        m = Memcached()
        m.start()
        try:
            self.assertEqual(ours, raw(m.address, b"refresh_certs\r\n", lines=1))
        finally:
            m.stop()

    def test_same_bytes_over_tls_and_plain_on_both_engines(self):
        big = os.urandom(300 * 1024).hex().encode()[:600 * 1024]
        session = (b"set a 1 0 3\r\nabc\r\nget a b\r\nappend a 0 0 2\r\nde\r\ngets a\r\nincr n 1\r\n"
                   b"set n 0 0 1\r\n5\r\nincr n 10\r\ndelete a\r\nget a\r\nset big 0 0 %d\r\n%s\r\n"
                   b"get big n\r\nmn\r\nms m 2 T0\r\nhi\r\nmg m v\r\nbogus\r\nset x 0 0 1 noreply\r\ny\r\n"
                   b"get x\r\nversion\r\n") % (len(big), big)
        replies = {}
        for engine in ("auto", "epoll"):
            for tls in (True, False):
                with MultiServer(["127.0.0.1", "notls:127.0.0.1"], *PKI.server_opts(), engine=engine) as s:
                    engine_name = stats(s.address_of(1), what=b"settings")["io_engine"]
                    sock = (tls_connect(s.address_of(0), PKI.client_context()) if tls
                            else socket.create_connection(s.address_of(1), timeout=10))
                    with sock:
                        sock.sendall(session)
                        out = b""
                        while b"VERSION " not in out or not out.endswith(b"\r\n"):
                            chunk = sock.recv(1 << 16)
                            if not chunk:
                                break
                            out += chunk
                    replies[(engine_name, tls)] = out
        values = list(replies.values())
        self.assertIn(b"VALUE big 0 %d\r\n" % len(big), values[0])
        for key, value in replies.items():
            self.assertEqual(value, values[0], key)

    def test_auth_over_tls(self):
        """-Y and -Z together: the authentication gate sits behind TLS, in the same core."""
        users = PKI.path("users")
        with open(users, "w") as f:
            f.write("alice:secret\n")
        with MultiServer(["127.0.0.1"], *PKI.server_opts(), "-Y", users) as s:
            with tls_connect(s.address_of(0), PKI.client_context()) as t:
                self.assertEqual(exchange(t, b"get k\r\n", b"\r\n"), b"CLIENT_ERROR unauthenticated\r\n")
            with tls_connect(s.address_of(0), PKI.client_context()) as t:
                self.assertEqual(exchange(t, b"set a 0 0 12\r\nalice secret\r\n", b"\r\n"), b"STORED\r\n")
                self.assertEqual(exchange(t, b"set k 0 0 1\r\nv\r\nget k\r\n", b"END\r\n"),
                                 b"STORED\r\nVALUE k 0 1\r\nv\r\nEND\r\n")

    def test_idle_timeout(self):
        opts = PKI.server_opts(extra="idle_timeout=2")
        with MultiServer(["127.0.0.1", "notls:127.0.0.1"], *opts) as s:
            self.assertEqual(stats(s.address_of(1), what=b"settings")["idle_timeout"], "2")
            idle = socket.create_connection(s.address_of(1), timeout=10)
            idle_tls = tls_connect(s.address_of(0), PKI.client_context())
            no_handshake = socket.create_connection(s.address_of(0), timeout=10)
            busy = socket.create_connection(s.address_of(1), timeout=10)
            # memcached applies the timeout to TCP only: a unix-socket connection stays.
            unix_path = PKI.path("cachelab.sock")
            local_server = MultiServer(["127.0.0.1"], "-s", unix_path, "-o", "idle_timeout=2").start()
            local = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            local.settimeout(10)
            local.connect(unix_path)
            started = time.monotonic()
            while time.monotonic() - started < 4.5:
                self.assertEqual(exchange(busy, b"get k\r\n", b"END\r\n"), b"END\r\n")
                time.sleep(0.3)
            for sock in (idle, idle_tls, no_handshake):
                try:
                    data = sock.recv(100)
                except (ConnectionError, ssl.SSLError):
                    data = b""
                self.assertEqual(data, b"", sock)
                sock.close()
            self.assertEqual(exchange(busy, b"get k\r\n", b"END\r\n"), b"END\r\n")
            self.assertEqual(exchange(local, b"version\r\n", b"\r\n")[:8], b"VERSION ")
            local.close()
            self.assertEqual(local_server.stop(), 0, local_server.stderr)
            self.assertGreaterEqual(int(stats(s.address_of(1))["idle_kicks"]), 3)
            busy.close()


if __name__ == "__main__":
    main()
