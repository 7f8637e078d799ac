"""Real binary-protocol clients against `cachelab serve` and Debian's memcached 1.6.18 side by side
(issue 20): each check must give the same answer on both, and the answer memcached's protocol
promises.

    /usr/bin/python3 test_binary_clients.py PATH_TO_cachelab

Clients: pylibmc (python3-pylibmc, libmemcached) with binary=True; Ruby Dalli 3.0.6 (Debian's
ruby-dalli: binary only), php-memcached 3.2.0 with OPT_BINARY_PROTOCOL, and spymemcached 2.12.3
(Debian's libspymemcached-java, Protocol.BINARY; java/SpyCheck.java compiled at test time), each
skipped with a line when not installed; libmemcached's memccp/memccat with --binary. Then -B (auto, ascii, binary) byte for byte against memcached, and
-S: SASL PLAIN with users made by saslpasswd2 (sasl2-bin) in a sasldb named by a memcached.conf
in $SASL_CONF_PATH (Debian's memcached has no $MEMCACHED_SASL_PWDB), through pylibmc, Dalli and php-memcached; text refused, unauthenticated binary refused and closed.
memjs (npm) is not tested: no npm registry here.
"""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cachelab_server  # noqa: E402

CACHELAB = cachelab_server.binary()
MEMCACHED = cachelab_server.MEMCACHED
HEADER = struct.Struct(">BBHBBHIIQ")


def start_pair(*args, env=None):
    """memcached and cachelab with the same flags, each on a free port."""
    servers = []
    for kind in ("memcached", "cachelab"):
        port = cachelab_server.free_port()
        if kind == "memcached":
            cmd = [MEMCACHED, "-U", "0", "-l", "127.0.0.1", "-p", str(port)] + list(args)
            if os.geteuid() == 0:
                cmd += ["-u", "nobody"]
        else:
            cmd = [CACHELAB, "serve", "-l", "127.0.0.1", "-p", str(port)] + list(args)
            if os.environ.get("CACHELAB_IO_ENGINE"):
                cmd += ["--io-engine", os.environ["CACHELAB_IO_ENGINE"]]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise AssertionError("%s did not start: %r" % (kind, proc.stderr.read()))
                time.sleep(0.05)
        servers.append((kind, port, proc))
    return servers


def stop(servers):
    for _, _, proc in servers:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def exchange(port, payload, wait=1.0):
    """Sends bytes; returns (bytes received, whether the server closed)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(payload)
    s.settimeout(wait)
    out, closed = b"", False
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                closed = True
                break
            out += chunk
    except socket.timeout:
        pass
    except ConnectionResetError:
        closed = True
    s.close()
    return out, closed


def pylibmc_checks(port, **auth):
    import pylibmc
    c = pylibmc.Client(["127.0.0.1:%d" % port], binary=True, behaviors={"cas": True}, **auth)
    out = []

    def check(name, fn):
        try:
            out.append((name, fn()))
        except Exception as e:  # the error class is the answer
            out.append((name, "raised " + type(e).__name__))

    check("flush", lambda: c.flush_all())
    check("set/get", lambda: (c.set("a", "1"), c.get("a")))
    check("binary-safe", lambda: (c.set("b", b"\x00\r\n\xff"), c.get("b")))
    check("get_multi", lambda: sorted(c.get_multi(["a", "b", "none"]).items()))
    check("set_multi", lambda: (c.set_multi({"m1": "x", "m2": "y"}), sorted(c.get_multi(["m1", "m2"]).items())))
    check("add existing", lambda: c.add("a", "2"))
    check("add new", lambda: c.add("c", "3"))
    check("replace missing", lambda: c.replace("nope", "x"))
    check("replace", lambda: (c.replace("c", "33"), c.get("c")))
    check("append/prepend", lambda: (c.append("c", "4"), c.prepend("c", "2"), c.get("c")))
    check("append missing", lambda: c.append("nope", "x"))
    check("gets/cas", lambda: (lambda v, cas: (v, c.cas("a", "new", cas), c.cas("a", "newer", cas), c.get("a")))(*c.gets("a")))
    check("incr", lambda: (c.set("n", "10"), c.incr("n", 5), c.decr("n", 3), c.decr("n", 100)))
    check("incr missing", lambda: c.incr("nothere"))
    check("incr non-numeric", lambda: c.incr("a"))
    check("incr wraps", lambda: (c.set("w", "18446744073709551615"), c.incr("w", 2)))
    check("delete", lambda: (c.delete("a"), c.delete("a"), c.get("a")))
    check("touch", lambda: (c.touch("b", 100), c.touch("nope", 100)))
    check("expiry", lambda: (c.set("e", "x", time=1), time.sleep(2.1), c.get("e"))[-1])
    check("500 KB", lambda: (c.set("big", "v" * 500_000), len(c.get("big"))))
    check("over 1 MB", lambda: c.set("huge", "v" * 1_100_000))
    check("250-byte key", lambda: (c.set("k" * 250, "x"), c.get("k" * 250)))
    check("251-byte key", lambda: c.set("k" * 251, "x"))
    check("stats", lambda: sorted(k for k in c.get_stats()[0][1] if k in ("pid", "version", "curr_items")))
    check("version", lambda: c.get_stats()[0][1]["version"])
    return out


DALLI_SCRIPT = r"""
require 'dalli'
Dalli.logger.level = Logger::FATAL
opts = {socket_timeout: 2, socket_max_failures: 1, down_retry_delay: 0}
opts[:username] = ENV['DALLI_USER'] if ENV['DALLI_USER']
opts[:password] = ENV['DALLI_PASSWORD'] if ENV['DALLI_PASSWORD']
c = Dalli::Client.new(ARGV[0], opts)
def check(name)
  begin
    v = yield
  rescue => e
    v = "raised " + e.class.name
  end
  puts name + " => " + v.inspect
end
check("flush") { c.flush; :ok }
check("set/get") { c.set("a", "1"); c.get("a") }
check("multi") { c.set("b", [1, "two"]); c.get_multi("a", "b", "none").to_a.sort_by(&:first) }
check("add") { [c.add("a", "x"), c.add("c", "3")].map { |v| v ? true : v } }
check("replace") { [c.replace("nope", "x"), (c.replace("c", "33") ? true : false), c.get("c")] }
check("append") { c.set("r", "b", 0, raw: true); c.append("r", "c"); c.prepend("r", "a"); c.get("r", raw: true) }
check("cas") { c.cas("a") { |v| v + "!" }; c.get("a") }
check("incr") { [c.incr("n", 1, nil, 10), c.incr("n", 5), c.decr("n", 100), c.incr("missing", 1)] }
check("delete") { [c.delete("a") ? true : false, c.delete("a"), c.get("a")] }
check("touch") { [c.touch("b", 100) ? true : false, c.touch("nope", 100)] }
check("fetch") { [c.fetch("f") { "made" }, c.fetch("f") { "again" }] }
check("500KB") { c.set("big", "v" * 500_000); c.get("big").size }
check("over 1MB") { c.set("huge", "v" * 1_100_000) ? true : false }  # Dalli compresses it
check("over 1MB random") { c.set("huge2", Random.new(1).bytes(1_100_000)) }
check("binary-safe") { c.set("bin", "\x00\r\n\xff".b, 0, raw: true); c.get("bin", raw: true).bytes }
check("long key") { c.set("k" * 300, "x"); c.get("k" * 300) }
check("version") { c.version.values }
check("stats") { c.stats.values.first.keys.include?("curr_items") }
"""


PHP_SCRIPT = r"""<?php
$m = new Memcached();
$m->setOption(Memcached::OPT_BINARY_PROTOCOL, true);
$m->setOption(Memcached::OPT_COMPRESSION, false);
$m->addServer("127.0.0.1", (int)$argv[1]);
if (getenv("PHP_SASL_USER")) { $m->setSaslAuthData(getenv("PHP_SASL_USER"), getenv("PHP_SASL_PASSWORD")); }
function check($name, $f) { global $m; $v = $f(); echo $name, " => ", json_encode($v), " ", $m->getResultCode(), "\n"; }
check("flush", fn() => $m->flush());
check("set/get", fn() => [$m->set("a", "1"), $m->get("a")]);
check("getMulti", fn() => $m->getMulti(["a", "none"]));
check("add", fn() => [$m->add("a", "x"), $m->add("c", "3")]);
check("replace", fn() => [$m->replace("nope", "x"), $m->replace("c", "33"), $m->get("c")]);
check("append", fn() => [$m->append("c", "4"), $m->prepend("c", "2"), $m->get("c"), $m->append("nope", "x")]);
check("cas", function () use ($m) { $r = $m->get("a", null, Memcached::GET_EXTENDED);
  return [$m->cas($r["cas"], "a", "new"), $m->cas($r["cas"], "a", "newer"), $m->get("a")]; });
check("incr", fn() => [$m->set("n", "10"), $m->increment("n", 5), $m->decrement("n", 100), $m->increment("nothere")]);
check("incr initial", fn() => [$m->increment("init", 1, 7), $m->increment("init", 1, 7)]);
check("incr non-numeric", fn() => $m->increment("a"));
check("delete", fn() => [$m->delete("a"), $m->delete("a")]);
check("touch", fn() => [$m->touch("c", 100), $m->touch("nope", 100)]);
check("500KB", fn() => [$m->set("big", str_repeat("v", 500000)), strlen($m->get("big"))]);
check("over 1MB", fn() => $m->set("huge", str_repeat("v", 1100000)));
check("key 250", fn() => [$m->set(str_repeat("k", 250), "x"), $m->get(str_repeat("k", 250))]);
check("key 251", fn() => $m->set(str_repeat("k", 251), "x"));
check("binary-safe", fn() => [$m->set("bin", "\x00\r\n\xff"), bin2hex($m->get("bin"))]);
check("version", fn() => array_values($m->getVersion()));
"""


SPY_JAR = "/usr/share/java/spymemcached.jar"
SPY_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "java", "SpyCheck.java")
_spy_classes = []


def spy_classpath():
    """Compiles java/SpyCheck.java once (None without javac or Debian's libspymemcached-java)."""
    if not _spy_classes:
        if not (shutil.which("javac") and shutil.which("java") and os.path.exists(SPY_JAR)):
            _spy_classes.append(None)
        else:
            out = tempfile.mkdtemp()
            r = subprocess.run(["javac", "-cp", SPY_JAR, "-d", out, SPY_SOURCE], capture_output=True, text=True)
            if r.returncode != 0:
                raise AssertionError("javac SpyCheck.java: " + r.stderr)
            _spy_classes.append(SPY_JAR + ":" + out)
    return _spy_classes[0]


def spymemcached(port, *auth):
    r = subprocess.run(["java", "-cp", spy_classpath(), "SpyCheck", str(port)] + list(auth), capture_output=True,
                       text=True, timeout=60)
    return r.stdout.splitlines()


def have_php_memcached():
    return shutil.which("php") and subprocess.run(["php", "-r", "exit(class_exists('Memcached') ? 0 : 1);"],
                                                  capture_output=True).returncode == 0


class BinaryClients(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.servers = start_pair("-m", "64", "-I", "1m")

    @classmethod
    def tearDownClass(cls):
        stop(cls.servers)

    def test_pylibmc_binary(self):
        (_, p0, _), (_, p1, _) = self.servers
        a, b = pylibmc_checks(p0), pylibmc_checks(p1)
        for x, y in zip(a, b):
            self.assertEqual(x, y, "pylibmc %s: memcached %r, cachelab %r" % (x[0], x[1], y[1]))
        self.assertEqual(len(a), len(b))
        got = dict(b)
        self.assertEqual(got["set/get"], (True, "1"))
        self.assertEqual(got["gets/cas"][1:], (True, False, "new"))
        self.assertEqual(got["incr"], (True, 15, 12, 0))
        self.assertEqual(got["incr wraps"], (True, 1))
        self.assertEqual(got["500 KB"], (True, 500_000))
        self.assertEqual(got["version"], b"1.6.18")

    def test_dalli(self):
        if not shutil.which("ruby") or subprocess.run(["ruby", "-e", "require 'dalli'"],
                                                       capture_output=True).returncode != 0:
            print("SKIP: ruby with dalli (Debian ruby-dalli) not installed")
            return
        outs = []
        for _, port, _ in self.servers:
            r = subprocess.run(["ruby", "-e", DALLI_SCRIPT, "127.0.0.1:%d" % port], capture_output=True,
                               text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            outs.append(r.stdout.splitlines())
        for x, y in zip(*outs):
            self.assertEqual(x, y, "dalli: memcached %r, cachelab %r" % (x, y))
        self.assertIn('set/get => "1"', outs[1])
        self.assertIn('500KB => 500000', outs[1])

    def test_php_memcached_binary(self):
        if not have_php_memcached():
            print("SKIP: php with php-memcached not installed")
            return
        outs = []
        with tempfile.NamedTemporaryFile("w", suffix=".php") as f:
            f.write(PHP_SCRIPT)
            f.flush()
            for _, port, _ in self.servers:
                r = subprocess.run(["php", f.name, str(port)], capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 0, r.stderr)
                outs.append(r.stdout.splitlines())
        for x, y in zip(*outs):
            self.assertEqual(x, y, "php-memcached: memcached %r, cachelab %r" % (x, y))
        self.assertEqual(len(outs[0]), len(outs[1]))
        self.assertIn('set/get => [true,"1"] 0', outs[1])

    def test_spymemcached_binary(self):
        if spy_classpath() is None:
            print("SKIP: javac or Debian's libspymemcached-java not installed")
            return
        outs = [spymemcached(port) for _, port, _ in self.servers]
        self.assertEqual(outs[0], outs[1])
        self.assertIn("set/get => [true, 1]", outs[1])
        self.assertIn("version => [1.6.18]", outs[1])

    def test_memccp_memccat_binary(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "blob")
            data = os.urandom(300_000)
            with open(path, "wb") as f:
                f.write(data)
            for kind, port, _ in self.servers:
                servers = "--servers=127.0.0.1:%d" % port
                r = subprocess.run(["memccp", "--binary", servers, path], capture_output=True, timeout=30)
                self.assertEqual(r.returncode, 0, (kind, r.stderr))
                r = subprocess.run(["memccat", "--binary", servers, "blob"], capture_output=True, timeout=30)
                self.assertEqual(r.returncode, 0, (kind, r.stderr))
                self.assertIn(r.stdout, (data, data + b"\n"), kind)  # memccat may end with a newline

    def test_version_and_stats(self):
        _, port, _ = self.servers[1]
        out, _ = exchange(port, b"version\r\nstats\r\n", wait=0.5)
        self.assertTrue(out.startswith(b"VERSION 1.6.18\r\n"), out[:40])
        self.assertIn(b"STAT cachelab_version ", out)


class Binding(unittest.TestCase):
    """-B: the same bytes to memcached and cachelab, the same bytes back (or the same close)."""

    GETK = HEADER.pack(0x80, 0x0C, 1, 0, 0, 0, 1, 0, 0) + b"k"
    VERSION = HEADER.pack(0x80, 0x0B, 0, 0, 0, 0, 0, 0, 0)

    def test_modes(self):
        for flags in ([], ["-B", "auto"], ["-B", "ascii"], ["-B", "binary"]):
            servers = start_pair(*flags)
            try:
                for payload in (b"version\r\n", b"version\r\n" * 3, self.VERSION, self.GETK + self.VERSION):
                    got = [exchange(port, payload, wait=0.3) for _, port, _ in servers]
                    self.assertEqual(got[0], got[1], "%s %r" % (flags, payload))
            finally:
                stop(servers)


class Sasl(unittest.TestCase):
    def setUp(self):
        if not shutil.which("saslpasswd2"):
            self.skipTest("saslpasswd2 (sasl2-bin) not installed")
        self.dir = tempfile.mkdtemp()
        os.chmod(self.dir, 0o755)  # memcached runs as nobody
        db = os.path.join(self.dir, "sasldb")
        r = subprocess.run(["saslpasswd2", "-a", "memcached", "-c", "-p", "-f", db, "alice"], input=b"secret",
                           capture_output=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        os.chmod(db, 0o644)
        with open(os.path.join(self.dir, "memcached.conf"), "w") as f:
            f.write("mech_list: plain\nsasldb_path: %s\n" % db)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def check(self, env, user, password, other_user):
        import pylibmc
        servers = start_pair("-S", env=env)
        try:
            results = []
            for _, port, _ in servers:
                out = []
                for u, p in ((user, password), (user, "wrong"), (other_user, password)):
                    c = pylibmc.Client(["127.0.0.1:%d" % port], binary=True, username=u, password=p)
                    try:
                        c.set("k", "v")
                        out.append(c.get("k"))
                    except Exception as e:
                        out.append("raised " + type(e).__name__)
                out.append(exchange(port, b"version\r\nversion\r\nversion\r\n", wait=0.5))
                out.append(exchange(port, HEADER.pack(0x80, 0x00, 1, 0, 0, 0, 1, 0, 0) + b"k"))
                out.append(exchange(port, HEADER.pack(0x80, 0x20, 0, 0, 0, 0, 0, 0, 0), wait=0.5))
                out.append(exchange(port, HEADER.pack(0x80, 0x0B, 0, 0, 0, 0, 0, 0, 0), wait=0.5))
                if shutil.which("ruby"):
                    r = subprocess.run(["ruby", "-e", DALLI_SCRIPT, "127.0.0.1:%d" % port], capture_output=True,
                                       text=True, timeout=60,
                                       env=dict(os.environ, DALLI_USER=user, DALLI_PASSWORD=password))
                    out.append(r.stdout.splitlines()[:3])
                # (spymemcached 2.12.3's SASL is refused by memcached and cachelab alike with this
                # Cyrus setup, "Auth failure.", after 50 s of its retries: left out.)
                if have_php_memcached():
                    with tempfile.NamedTemporaryFile("w", suffix=".php") as f:
                        f.write(PHP_SCRIPT)
                        f.flush()
                        for pw in (password, "wrong"):
                            r = subprocess.run(["php", "-d", "memcached.use_sasl=1", f.name, str(port)],
                                               capture_output=True, text=True, timeout=60,
                                               env=dict(os.environ, PHP_SASL_USER=user, PHP_SASL_PASSWORD=pw))
                            out.append(r.stdout.splitlines()[:2])
                results.append(out)
            self.assertEqual(results[0], results[1])
            self.assertEqual(results[1][0], "v")
            self.assertTrue(results[1][1].startswith("raised"))
            self.assertTrue(results[1][4][1])  # unauthenticated get: Auth failure., closed
            if have_php_memcached():
                self.assertIn('set/get => [true,"1"] 0', results[1][-2])
        finally:
            stop(servers)

    def test_sasldb(self):
        self.check(dict(os.environ, SASL_CONF_PATH=self.dir), "alice", "secret", "bob")


if __name__ == "__main__":
    sys.argv[1:] = []
    unittest.main(verbosity=2)
