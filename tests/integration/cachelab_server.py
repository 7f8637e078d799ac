"""Starts and stops `cachelab serve` for the integration tests (loopback only, bounded in time).

Each test script is run as `python3 test_x.py PATH_TO_cachelab`; `binary()` returns that path.
"""
import os
import select
import signal
import socket
import subprocess
import sys
import time

READY_TIMEOUT_S = 10
STOP_TIMEOUT_S = 10


def binary():
    if len(sys.argv) < 2:
        sys.exit("usage: %s PATH_TO_cachelab" % sys.argv[0])
    return os.path.abspath(sys.argv[1])


def free_port():
    """A port free right now on 127.0.0.1 (bound to 0 by the system, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`with Server(extra args) as s:` runs cachelab serve on a free port until the block ends."""

    def __init__(self, *args, port=None, preexec_fn=None):
        self.args = [str(a) for a in args]
        self.preexec_fn = preexec_fn
        self.port = port or free_port()
        self.proc = None
        self.returncode = None
        self.stderr = b""

    def start(self):
        cmd = [binary(), "serve", "-p", str(self.port), "-l", "127.0.0.1"] + self.args
        if os.environ.get("CACHELAB_IO_ENGINE"):  # ctest runs some scripts once per engine
            cmd += ["--io-engine", os.environ["CACHELAB_IO_ENGINE"]]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     preexec_fn=self.preexec_fn)
        line = self._read_line(self.proc.stdout, READY_TIMEOUT_S)
        expected = "cachelab listening on 127.0.0.1:%d\n" % self.port
        if line != expected:
            self.stop()
            raise AssertionError("ready line %r, wanted %r; stderr: %r" % (line, expected, self.stderr))
        return self

    def stop(self, sig=signal.SIGTERM):
        """Stops the server (SIGTERM by default) and returns its exit code."""
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            _, self.stderr = self.proc.communicate(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, self.stderr = self.proc.communicate()
            self.returncode = "hung on stop"
            self.proc = None
            return self.returncode
        self.returncode = self.proc.returncode
        self.proc = None
        return self.returncode

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def address(self):
        return ("127.0.0.1", self.port)

    @staticmethod
    def _read_line(stream, timeout):
        deadline = time.monotonic() + timeout
        data = b""
        while not data.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([stream], [], [], left)[0]:
                return data.decode(errors="replace")
            chunk = os.read(stream.fileno(), 1)
            if not chunk:
                break
            data += chunk
        return data.decode(errors="replace")


def raw(address, data, lines=None, until=None, quiet=0.5, timeout=10.0):
    """Sends `data` on a fresh connection and returns what comes back: up to `lines` reply
    lines (the bytes of values count as lines too) or until the reply ends with `until` when
    given, else everything until the server closes or is quiet for `quiet` seconds."""
    with socket.create_connection(address, timeout=timeout) as s:
        s.sendall(data)
        out = b""
        bounded = lines is not None or until is not None
        s.settimeout(timeout if bounded else quiet)
        try:
            while not ((lines is not None and out.count(b"\r\n") >= lines) or
                       (until is not None and out.endswith(until))):
                chunk = s.recv(1 << 16)
                if not chunk:
                    break
                out += chunk
        except socket.timeout:
            pass
        return out


MEMCACHED = os.environ.get("MEMCACHED", "/usr/bin/memcached")  # Debian's memcached 1.6.18


class Memcached:
    """The reference server: memcached on a free loopback port (UDP off) with the given flags,
    from start() until stop(). Tests send it the same bytes as cachelab and compare."""

    name = "memcached"

    def __init__(self, *args):
        self.args = [str(a) for a in args]
        self.port = free_port()
        self.proc = None

    def start(self):
        cmd = [MEMCACHED, "-U", "0", "-l", "127.0.0.1", "-p", str(self.port)] + self.args
        if os.geteuid() == 0:
            cmd += ["-u", "nobody"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(self.address, timeout=1).close()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    err = self.proc.stderr.read() if self.proc.poll() is not None else b""
                    self.stop()
                    raise RuntimeError("memcached did not start: %r" % err)
                time.sleep(0.02)

    def stop(self):
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
        rc, self.proc = self.proc.returncode, None
        return rc

    @property
    def address(self):
        return ("127.0.0.1", self.port)


def main():
    """Runs the unittest cases of the calling script (the binary path is not a unittest arg)."""
    import unittest
    binary()
    unittest.main(argv=[sys.argv[0]], verbosity=2)
