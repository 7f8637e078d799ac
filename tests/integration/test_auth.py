"""-Y authentication, side by side with Debian's memcached 1.6.18 -Y: the same bytes go to both
servers and the replies must be equal, byte for byte. Then what memcached cannot show the same
way: nothing is read or written before a connection is in, SIGHUP reloads the users (a broken
file keeps the old ones), and a bad file at start is one line and exit 2."""
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from cachelab_server import Memcached, Server, binary, free_port, main, raw


def token(user, password, key=b"auth"):
    body = user + b" " + password
    return b"set %s 0 0 %d\r\n%s\r\n" % (key, len(body), body)


# (name, [(bytes, reply lines), ...]): each step is sent on the same connection once the previous
# one is answered. memcached answers only the last of several requests that arrive in one read
# before a connection is in (it reuses one reply object), so a step holds one request until then.
SESSIONS = [
    ("commands before auth", [(b"get foo\r\n", 1), (b"version\r\n", 1), (b"stats\r\n", 1),
                              (b"delete foo\r\n", 1), (b"incr n 1\r\n", 1), (b"flush_all\r\n", 1),
                              (b"mg foo v\r\n", 1), (b"\r\n", 1), (b"gets a b c\r\n", 1)]),
    ("set line too short", [(b"set foo 0 0\r\n", 1)]),
    ("not a number", [(b"set foo 0 0 xx\r\n", 1), (b"set foo 0 0 -1\r\n", 1)]),
    ("one token", [(b"set foo 0 0 3\r\nabc\r\n", 1)]),
    ("bad termination", [(b"set foo 0 0 3\r\nabcXY", 1)]),
    ("wrong password", [(token(b"alice", b"wrong"), 1)]),
    ("unknown user", [(token(b"mallory", b"secret-a"), 1)]),
    ("empty password", [(token(b"alice", b""), 1)]),
    ("password prefix", [(token(b"alice", b"secret"), 1)]),
    ("another user's password", [(token(b"alice", b"pass:with:colons"), 1)]),
    ("right password then commands", [(token(b"alice", b"secret-a"), 1),
                                      (b"set foo 0 0 2\r\nhi\r\nget foo\r\ndelete foo\r\n", 5)]),
    ("auth and commands in one write", [(token(b"alice", b"secret-a") + b"mn\r\nget nothing\r\n", 3)]),
    ("second user", [(token(b"bob", b"pass:with:colons"), 1), (b"version\r\n", 1)]),
    ("wrong then right", [(token(b"bob", b"nope"), 1), (token(b"bob", b"pass:with:colons"), 1),
                          (b"get x\r\n", 1)]),
    ("extra tokens ignored", [(b"set k 0 0 20 noreply\r\nalice secret-a extra\r\n", 1), (b"get k\r\n", 1)]),
    ("nul ends the token", [(b"set k 0 0 16\r\nalice secret-a\x00z\r\n", 1), (b"get k\r\n", 1)]),
    ("value split over writes", [(b"set k 0 0 14\r\nalice ", 0), (b"secret-a\r", 0), (b"\n", 1)]),
]


def converse(address, steps):
    """Sends each step on one connection after the previous one is answered; returns all replies."""
    out = b""
    with socket.create_connection(address, timeout=10) as s:
        for data, lines in steps:
            s.sendall(data)
            if lines == 0:
                time.sleep(0.05)
                continue
            got = b""
            while got.count(b"\r\n") < lines:
                chunk = s.recv(1 << 16)
                if not chunk:
                    break
                got += chunk
            out += got
    return out


def without_version(reply):
    """The version strings differ (cachelab names itself), not the protocol."""
    return b"\r\n".join(b"VERSION" if l.startswith(b"VERSION ") else l for l in reply.split(b"\r\n"))


class AuthAgainstMemcached(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.users = os.path.join(cls.dir.name, "users")
        with open(cls.users, "w") as f:
            f.write("alice:secret-a\nbob:pass:with:colons\n")
        os.chmod(cls.dir.name, 0o755)
        os.chmod(cls.users, 0o644)  # memcached drops to `nobody` before it reads the file
        cls.cachelab = Server("-Y", cls.users).start()
        cls.memcached = Memcached("-Y", cls.users).start()

    @classmethod
    def tearDownClass(cls):
        cls.cachelab.stop()
        cls.memcached.stop()
        cls.dir.cleanup()

    def test_same_bytes_as_memcached(self):
        for name, steps in SESSIONS:
            with self.subTest(name):
                mine = without_version(converse(self.cachelab.address, steps))
                theirs = without_version(converse(self.memcached.address, steps))
                self.assertEqual(mine, theirs)
                self.assertNotEqual(mine, b"")

    def test_pipelined_before_auth_cachelab_answers_each(self):
        # The one deliberate difference (docs/SECURITY.md): memcached drops all but the last reply
        # of requests that arrive together before a connection is in; cachelab answers each.
        got = raw(self.cachelab.address, b"get a\r\nget b\r\n" + token(b"alice", b"nope"), lines=3)
        self.assertEqual(got, b"CLIENT_ERROR unauthenticated\r\n" * 2 + b"CLIENT_ERROR authentication failure\r\n")

    def test_counters_as_memcached(self):
        def counters(address):
            converse(address, [(token(b"alice", b"bad"), 1), (token(b"bob", b"pass:with:colons"), 1)])
            stats = raw(address, token(b"alice", b"secret-a") + b"stats\r\n", until=b"END\r\n")
            return {line.split()[1]: int(line.split()[2]) for line in stats.split(b"\r\n")
                    if line.startswith(b"STAT auth_")}

        mine, theirs = counters(self.cachelab.address), counters(self.memcached.address)
        # Each server has also served the other tests' sessions (in any order): compare growth.
        again_mine, again_theirs = counters(self.cachelab.address), counters(self.memcached.address)
        self.assertEqual({k: again_mine[k] - mine[k] for k in mine}, {b"auth_cmds": 3, b"auth_errors": 1})
        self.assertEqual({k: again_theirs[k] - theirs[k] for k in theirs}, {b"auth_cmds": 3, b"auth_errors": 1})

    def test_junk_without_newline_closes(self):
        # Over 2 KiB and no newline: both close without a word.
        for address in (self.cachelab.address, self.memcached.address):
            self.assertEqual(raw(address, b"x" * 5000, quiet=2.0), b"")


class AuthCachelabOnly(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.users = os.path.join(self.dir.name, "users")
        with open(self.users, "w") as f:
            f.write("alice:secret-a\n")

    def tearDown(self):
        self.dir.cleanup()

    def test_nothing_happens_before_auth(self):
        with Server("-Y", self.users) as server:
            # A store that is refused must not land; the gate reads the value of the auth `set`
            # itself, so a value that looks like a command is never run either.
            raw(server.address, b"set k 0 0 9\r\nflush_all\r\n" + b"add k 0 0 1\r\nx\r\n", lines=3)
            got = raw(server.address, token(b"alice", b"secret-a") + b"get k\r\nstats\r\n", until=b"END\r\n")
            self.assertTrue(got.startswith(b"STORED\r\nEND\r\n"), got)
            self.assertIn(b"STAT cmd_set 0\r\n", got)
            self.assertIn(b"STAT curr_items 0\r\n", got)

    def test_sighup_reloads_and_a_broken_file_keeps_the_users(self):
        with Server("-Y", self.users) as server:
            self.assertEqual(raw(server.address, token(b"carol", b"c"), lines=1),
                             b"CLIENT_ERROR authentication failure\r\n")
            with open(self.users, "w") as f:
                f.write("carol:c\n")
            server.proc.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 10
            while raw(server.address, token(b"carol", b"c"), lines=1) != b"STORED\r\n":
                self.assertLess(time.monotonic(), deadline, "SIGHUP did not reload the users")
                time.sleep(0.05)
            self.assertEqual(raw(server.address, token(b"alice", b"secret-a"), lines=1),
                             b"CLIENT_ERROR authentication failure\r\n")
            with open(self.users, "w") as f:
                f.write("no colon on this line\n")
            server.proc.send_signal(signal.SIGHUP)
            time.sleep(0.5)
            self.assertEqual(raw(server.address, token(b"carol", b"c"), lines=1), b"STORED\r\n")
            self.assertEqual(server.stop(), 0)
            self.assertIn(b"keeping the users", server.stderr)
            self.assertNotIn(b"secret", server.stderr)

    def test_bad_file_at_start(self):
        broken = os.path.join(self.dir.name, "broken")
        with open(broken, "w") as f:
            f.write("alice:secret-a\nsecret-b\n")
        for path, words in [(broken, "line 2 is not user:password"),
                            (os.path.join(self.dir.name, "missing"), "cannot read auth file")]:
            p = subprocess.run([binary(), "serve", "-p", str(free_port()), "-Y", path],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
            self.assertIn(words, p.stderr)
            self.assertNotIn("secret", p.stderr)

    def test_stats_settings_names_the_file(self):
        with Server("-Y", self.users) as server:
            got = raw(server.address, token(b"alice", b"secret-a") + b"stats settings\r\n", until=b"END\r\n")
            self.assertIn(b"STAT auth_enabled_ascii " + self.users.encode() + b"\r\n", got)
            self.assertIn(b"STAT auth_enabled_sasl no\r\n", got)

    def test_pymemcache_logs_in_with_a_set(self):
        import pymemcache
        with Server("-Y", self.users) as server:
            client = pymemcache.Client(server.address, timeout=5)
            with self.assertRaises(pymemcache.exceptions.MemcacheClientError):
                client.get("k")
            client.close()
            # memcached's documented way to log in (with a reply to wait for: it is always sent).
            self.assertTrue(client.set("ignored", b"alice secret-a", noreply=False))
            client.set("k", b"v")
            self.assertEqual(client.get("k"), b"v")
            client.close()


if __name__ == "__main__":
    main()
