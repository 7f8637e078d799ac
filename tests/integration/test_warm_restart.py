"""Warm restart: --snapshot writes every live item on SIGTERM and loads it at the next start;
a missing, corrupt or truncated snapshot means a cold start, never a crash."""
import os
import re
import shutil
import signal
import tempfile
import time
import unittest

from cachelab_server import Server, main, raw


def gets(address, key):
    return raw(address, b"gets %s\r\n" % key, until=b"END\r\n")


class WarmRestartTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.path = os.path.join(self.dir, "cache.snap")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def populate(self, address):
        now = int(time.time())
        script = (b"set plain 1 0 5\r\nhello\r\n"
                  b"set flagged 4294967295 1000 3\r\nabc\r\n"
                  b"set absolute 7 %d 3\r\nabs\r\n"
                  b"set short 0 3 5\r\nshort\r\n"
                  b"set binary 0 0 4\r\n\x00\r\n\xff\r\n"
                  b"set gone 0 0 1\r\nx\r\ndelete gone\r\n" % (now + 3600))
        self.assertEqual(raw(address, script, lines=7), b"STORED\r\n" * 6 + b"DELETED\r\n")
        return {k: gets(address, k) for k in (b"plain", b"flagged", b"absolute", b"short", b"binary")}

    def test_items_flags_cas_and_ttls_come_back(self):
        with Server("--snapshot", self.path) as s:
            before = self.populate(s.address)
        self.assertEqual(s.returncode, 0)
        self.assertTrue(os.path.exists(self.path))
        self.assertFalse(os.path.exists(self.path + ".tmp"))
        with Server("--snapshot", self.path) as s:
            for key, reply in before.items():
                self.assertEqual(gets(s.address, key), reply)  # value, flags and CAS unchanged
            self.assertEqual(raw(s.address, b"get gone\r\n"), b"END\r\n")
            # A new version never reuses a restored CAS.
            raw(s.address, b"set plain 1 0 5\r\nagain\r\n", lines=1)
            cas_before = int(before[b"plain"].split(b"\r\n")[0].split()[-1])
            cas_after = int(gets(s.address, b"plain").split(b"\r\n")[0].split()[-1])
            self.assertGreater(cas_after, cas_before)
            # TTLs are absolute: the 3 s item still expires on time after the restart.
            time.sleep(3.5)
            self.assertEqual(raw(s.address, b"get short\r\n"), b"END\r\n")
            self.assertEqual(raw(s.address, b"get flagged\r\n", lines=3), b"VALUE flagged 4294967295 3\r\nabc\r\nEND\r\n")

    def test_sigint_also_writes_the_snapshot(self):
        s = Server("--snapshot", self.path).start()
        raw(s.address, b"set k 0 0 1\r\nv\r\n", lines=1)
        self.assertEqual(s.stop(signal.SIGINT), 0)
        with Server("--snapshot", self.path) as s:
            self.assertEqual(raw(s.address, b"get k\r\n", lines=3), b"VALUE k 0 1\r\nv\r\nEND\r\n")

    def test_shutdown_command_also_writes_the_snapshot(self):
        s = Server("-A", "--snapshot", self.path).start()
        raw(s.address, b"set k 0 0 1\r\nv\r\n", lines=1)
        self.assertEqual(raw(s.address, b"shutdown\r\n"), b"")
        s.proc.wait(timeout=10)
        self.assertEqual(s.stop(), 0)
        with Server("--snapshot", self.path) as s:
            self.assertEqual(raw(s.address, b"get k\r\n", lines=3), b"VALUE k 0 1\r\nv\r\nEND\r\n")

    def test_missing_snapshot_is_a_cold_start(self):
        with Server("--snapshot", self.path) as s:
            self.assertEqual(raw(s.address, b"get plain\r\n"), b"END\r\n")
        self.assertEqual(s.stderr, b"")

    def check_cold_start_after(self, damage):
        with Server("--snapshot", self.path) as s:
            self.populate(s.address)
        with open(self.path, "rb") as f:
            data = f.read()
        with open(self.path, "wb") as f:
            f.write(damage(data))
        s = Server("--snapshot", self.path).start()
        self.assertEqual(raw(s.address, b"get plain\r\n"), b"END\r\n")
        self.assertEqual(s.stop(), 0)
        lines = s.stderr.decode().splitlines()
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(re.match(r"cachelab serve: ignoring snapshot .*\(cold start\)$", lines[0]), lines[0])

    def test_truncated_snapshot_is_ignored(self):
        self.check_cold_start_after(lambda d: d[: len(d) // 2])

    def test_corrupt_snapshot_is_ignored(self):
        self.check_cold_start_after(lambda d: d[:40] + bytes([d[40] ^ 0xFF]) + d[41:])

    def test_unwritable_snapshot_fails_the_exit_code(self):
        path = os.path.join(self.dir, "no-such-dir", "cache.snap")
        s = Server("--snapshot", path).start()  # nothing to load: a cold start
        raw(s.address, b"set k 0 0 1\r\nv\r\n", lines=1)
        self.assertEqual(s.stop(), 1)
        self.assertIn(b"cannot create snapshot", s.stderr)

    def test_garbage_and_empty_files_are_ignored(self):
        self.check_cold_start_after(lambda d: b"not a snapshot at all")
        self.check_cold_start_after(lambda d: b"")


if __name__ == "__main__":
    main()
