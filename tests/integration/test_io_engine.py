"""--io-engine: io_uring where the kernel allows it, epoll otherwise, the same bytes either way.

- auto picks io_uring exactly when the kernel accepts a ring set up as the workers set theirs
  (probed here independently, with the raw io_uring_setup system call);
- `uring` where io_uring is refused is a clear error, `epoll` always works, anything else is a
  usage error (exit 2);
- one session of mixed commands (pipelined in one write, and again trickled a few bytes at a
  time; values up to 600 KB so that sends are partial) gives byte-identical replies from both
  engines, and the replies are the expected ones.
"""
import ctypes
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cachelab_server import Server, binary, free_port  # noqa: E402

os.environ.pop("CACHELAB_IO_ENGINE", None)  # this script picks the engine itself

SYS_IO_URING_SETUP = 425  # x86-64 and arm64 alike
IORING_SETUP_CQSIZE = 1 << 3
IORING_SETUP_R_DISABLED = 1 << 6
IORING_SETUP_SINGLE_ISSUER = 1 << 12
IORING_SETUP_DEFER_TASKRUN = 1 << 13


def kernel_allows_uring():
    params = ctypes.create_string_buffer(120)  # struct io_uring_params, zeroed
    ctypes.c_uint32.from_buffer(params, 4).value = 8192  # cq_entries
    ctypes.c_uint32.from_buffer(params, 8).value = (IORING_SETUP_CQSIZE | IORING_SETUP_R_DISABLED |
                                                   IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN)
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.syscall(SYS_IO_URING_SETUP, ctypes.c_uint(1024), params)
    if fd < 0:
        return False
    os.close(fd)
    return True


def settings(server):
    with socket.create_connection(server.address, timeout=10) as s:
        s.sendall(b"stats settings\r\n")
        data = b""
        while not data.endswith(b"END\r\n"):
            data += s.recv(65536)
    return dict(line.split(" ", 2)[1:] for line in data.decode().split("\r\n") if line.startswith("STAT "))


BIG = b"b" * 600_000
SESSION = (b"set a 5 0 3\r\nabc\r\n"
           b"get a\r\n"
           b"gets a\r\n"
           b"append a 0 0 2\r\nde\r\n"
           b"prepend a 0 0 1\r\nz\r\n"
           b"get a nothere a\r\n"
           b"set n 0 0 2\r\n10\r\nincr n 5\r\ndecr n 20\r\n"
           b"add a 0 0 1\r\nx\r\n"
           b"set q 0 0 1 noreply\r\nq\r\n"
           b"bogus command\r\n"
           b"set big 0 0 600000\r\n" + BIG + b"\r\n"
           b"get big big\r\n"
           b"set a 0 0 2000000\r\n" + b"y" * 2_000_000 + b"\r\n"
           b"mn\r\n"
           b"ms m 2 T0\r\nhi\r\nmg m v s\r\n"
           b"delete a\r\ndelete a\r\n"
           b"quit\r\n")
EXPECTED = (b"STORED\r\n"
            b"VALUE a 5 3\r\nabc\r\nEND\r\n"
            b"VALUE a 5 3 CAS\r\nabc\r\nEND\r\n"
            b"STORED\r\nSTORED\r\n"
            b"VALUE a 5 6\r\nzabcde\r\nVALUE a 5 6\r\nzabcde\r\nEND\r\n"
            b"STORED\r\n15\r\n0\r\n"
            b"NOT_STORED\r\n"
            b"ERROR\r\n"
            b"STORED\r\n"
            b"VALUE big 0 600000\r\n" + BIG + b"\r\nVALUE big 0 600000\r\n" + BIG + b"\r\nEND\r\n"
            b"SERVER_ERROR object too large for cache\r\n"
            b"MN\r\n"
            b"HD\r\nVA 2 s2\r\nhi\r\n"
            # as memcached: a set refused as too large also drops the key's old value
            b"NOT_FOUND\r\nNOT_FOUND\r\n")


def run_session(server, piece):
    """Sends SESSION `piece` bytes at a time (all at once when None); returns every reply byte."""
    with socket.create_connection(server.address, timeout=20) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if piece is None:
            s.sendall(SESSION)
        else:
            for i in range(0, len(SESSION), piece):
                s.sendall(SESSION[i:i + piece])
                if i < 4096:
                    time.sleep(0.001)  # the first requests really arrive in pieces
        data = b""
        while True:
            chunk = s.recv(1 << 20)
            if not chunk:
                return data
            data += chunk


def main():
    allowed = kernel_allows_uring()
    print("kernel allows io_uring:", allowed)

    with Server("-t", "2") as auto:
        engine = settings(auto)["io_engine"]
    assert engine == ("io_uring" if allowed else "epoll"), engine

    proc = subprocess.run([binary(), "serve", "-p", str(free_port()), "--io-engine", "uring"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10) if not allowed else None
    if proc is not None:
        assert proc.returncode != 0 and b"io_uring is not available" in proc.stderr, proc

    proc = subprocess.run([binary(), "serve", "--io-engine", "kqueue"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=10)
    assert proc.returncode == 2 and b"--io-engine must be auto, uring or epoll" in proc.stderr, proc

    engines = ["epoll"] + (["uring"] if allowed else [])
    replies = {}
    for name in engines:
        for piece in (None, 7, 65536):
            with Server("-t", "2", "--io-engine", name) as server:
                assert settings(server)["io_engine"] == {"epoll": "epoll", "uring": "io_uring"}[name]
                got = run_session(server, piece)
            replies[(name, piece)] = got
            got = re.sub(rb"VALUE a 5 3 \d+\r\n", b"VALUE a 5 3 CAS\r\n", got, count=1)
            assert got == EXPECTED, (name, piece, len(got), got[:300], got[-300:])
    assert len(set(replies.values())) == 1, "the engines' replies differ (CAS values included)"
    print("engines %s: %d sessions, identical replies" % (engines, len(replies)))


if __name__ == "__main__":
    main()
