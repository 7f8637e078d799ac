"""Snapshot faults: kill -9 in the middle of writing a snapshot, a full disk, a file-size limit.
In each case the previous snapshot stays in place and loads at the next start; a failed write is
reported on stderr and in the exit code. (A corrupt or truncated snapshot being ignored with a
message is tested in test_warm_restart.py.)"""
import os
import resource
import select
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from cachelab_server import Server, main, raw

VALUE = b"v" * 4000
ITEMS = 1000  # ~4 MB of snapshot: more than a pipe and the writer's 1 MiB buffer hold


def fill(address, generation):
    """Stores ITEMS values tagged with `generation`; returns nothing (checks the replies)."""
    for start in range(0, ITEMS, 100):
        script = b"".join(b"set k%d %d 0 %d noreply\r\n%s\r\n" % (i, generation, len(VALUE), VALUE)
                          for i in range(start, start + 100))
        assert raw(address, script + b"mn\r\n", until=b"MN\r\n") == b"MN\r\n"


def generation_of(address):
    """The flags of k0 and k999 (the generation that wrote them), or None when absent."""
    reply = raw(address, b"mg k0 f\r\nmg k%d f\r\n" % (ITEMS - 1), lines=2)
    gens = set()
    for line in reply.split(b"\r\n")[:2]:
        if not line.startswith(b"HD f"):
            return None
        gens.add(int(line[4:]))
    return gens.pop() if len(gens) == 1 else None


class SnapshotFaults(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.path = os.path.join(self.dir, "cache.snap")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def first_snapshot(self):
        """Generation 1 written and shut down cleanly; returns the snapshot's bytes."""
        with Server("--snapshot", self.path) as s:
            fill(s.address, 1)
        self.assertEqual(s.returncode, 0)
        with open(self.path, "rb") as f:
            return f.read()

    def assert_previous_snapshot_loads(self, old_bytes):
        with open(self.path, "rb") as f:
            self.assertTrue(f.read() == old_bytes, "the previous snapshot was changed")
        s = Server("--snapshot", self.path).start()
        try:
            self.assertEqual(generation_of(s.address), 1)
            self.assertEqual(raw(s.address, b"get k5\r\n", until=b"END\r\n"),
                             b"VALUE k5 1 %d\r\n%s\r\nEND\r\n" % (len(VALUE), VALUE))
        finally:
            s.stop(signal.SIGKILL)  # no new snapshot: a full disk would refuse it again
        self.assertNotIn(b"snapshot", s.stderr)

    def test_kill_9_while_the_snapshot_is_written(self):
        old = self.first_snapshot()
        # The temp file is a FIFO that this test reads: the server's write blocks once the pipe is
        # full, so the kill lands in the middle of the snapshot, every time.
        os.mkfifo(self.path + ".tmp")
        s = Server("--snapshot", self.path).start()
        self.assertEqual(generation_of(s.address), 1)
        fill(s.address, 2)
        reader = os.open(self.path + ".tmp", os.O_RDONLY | os.O_NONBLOCK)
        try:
            s.proc.send_signal(signal.SIGTERM)
            got = b""
            deadline = time.monotonic() + 30
            while len(got) < 100000 and time.monotonic() < deadline:
                select.select([reader], [], [], 0.5)
                try:
                    got += os.read(reader, 65536)
                except BlockingIOError:
                    pass
            self.assertTrue(got.startswith(b"CLSNAP02"), got[:16])
            self.assertGreaterEqual(len(got), 100000)
            time.sleep(0.2)
            self.assertIsNone(s.proc.poll())  # still writing: blocked on the full pipe
            s.proc.kill()
            s.proc.wait(timeout=10)
            s.stop()
        finally:
            os.close(reader)
        os.unlink(self.path + ".tmp")
        self.assert_previous_snapshot_loads(old)

    def check_failed_write_keeps_the_old_snapshot(self, path, preexec_fn=None):
        """A server with generation 2 fails to write its snapshot at `path`: exit 1, one message,
        no temp file left, and the old snapshot loads."""
        s = Server("--snapshot", path, preexec_fn=preexec_fn).start()
        self.assertEqual(generation_of(s.address), 1)
        fill(s.address, 2)
        self.assertEqual(s.stop(), 1)
        self.assertRegex(s.stderr.decode(), r"^cachelab serve: cannot write snapshot .*\.tmp: .+\n$")
        self.assertFalse(os.path.exists(path + ".tmp"))
        return s.stderr

    def test_file_size_limit_during_the_snapshot(self):
        old = self.first_snapshot()

        def limit_file_size():
            resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))

        stderr = self.check_failed_write_keeps_the_old_snapshot(self.path, limit_file_size)
        self.assertIn(b"File too large", stderr)
        self.assert_previous_snapshot_loads(old)

    def test_full_disk_during_the_snapshot(self):
        mount_point = os.path.join(self.dir, "small")
        os.mkdir(mount_point)
        # A 2 MiB tmpfs: the first snapshot (4 MB) would not fit, so it is written elsewhere and
        # copied in small; the second fills the disk. Needs root and mount; skipped without.
        if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mount_point],
                                               stderr=subprocess.DEVNULL).returncode != 0:
            self.skipTest("cannot mount a tmpfs here (needs root)")
        try:
            old = self.first_snapshot()  # 4 MB, in self.dir
            path = os.path.join(mount_point, "cache.snap")
            shutil.copyfile(self.path, path)  # 4 MB of the 6: the new one cannot fit beside it
            self.path = path
            stderr = self.check_failed_write_keeps_the_old_snapshot(path)
            self.assertIn(b"No space left on device", stderr)
            self.assert_previous_snapshot_loads(old)
        finally:
            subprocess.run(["umount", mount_point], check=False)


if __name__ == "__main__":
    main()
