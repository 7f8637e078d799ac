"""Security defaults (docs/SECURITY.md): without -l the server listens on 127.0.0.1 only; there is
no UDP (and -U other than 0 is refused); no protocol command opens, creates, removes or runs a
file or loads code (checked with strace on the running server); `shutdown` needs -A.
(-A and `flush_all`/-F are also tested in test_serve_robustness.py.)"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from cachelab_server import READY_TIMEOUT_S, Server, binary, free_port, main, raw


def listening_sockets(path, port):
    """Local addresses (hex, as in /proc/net/*) bound to `port` in `path`."""
    out = []
    with open(path) as f:
        next(f)
        for line in f:
            local = line.split()[1]
            address, hex_port = local.rsplit(":", 1)
            if int(hex_port, 16) == port:
                out.append(address)
    return out


def socket_inodes(pid):
    inodes = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]", target)
        if m:
            inodes.add(m.group(1))
    return inodes


def udp_inodes():
    inodes = set()
    for path in ("/proc/net/udp", "/proc/net/udp6"):
        if os.path.exists(path):
            with open(path) as f:
                next(f)
                inodes.update(line.split()[9] for line in f)
    return inodes


class Defaults(unittest.TestCase):
    def test_listens_on_loopback_without_l_and_has_no_udp(self):
        port = free_port()
        proc = subprocess.Popen([binary(), "serve", "-p", str(port)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            line = Server._read_line(proc.stdout, READY_TIMEOUT_S)
            self.assertEqual(line, "cachelab listening on 127.0.0.1:%d\n" % port)
            self.assertEqual(listening_sockets("/proc/net/tcp", port), ["0100007F"])  # 127.0.0.1
            if os.path.exists("/proc/net/tcp6"):
                self.assertEqual(listening_sockets("/proc/net/tcp6", port), [])
            self.assertEqual(socket_inodes(proc.pid) & udp_inodes(), set())
            self.assertTrue(raw(("127.0.0.1", port), b"version\r\n", lines=1).startswith(b"VERSION "))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 0)

    def test_udp_is_refused(self):
        for flag in ("11211", "1"):
            r = subprocess.run([binary(), "serve", "-p", str(free_port()), "-U", flag], capture_output=True, timeout=10)
            self.assertEqual(r.returncode, 2)
            self.assertIn(b"UDP is not supported", r.stderr)

    def test_shutdown_needs_A(self):
        with Server() as s:
            self.assertEqual(raw(s.address, b"shutdown\r\nshutdown graceful\r\n", lines=2),
                             b"ERROR: shutdown not enabled\r\n" * 2)
            self.assertIsNone(s.proc.poll())
        self.assertEqual(s.returncode, 0)


# Every command cachelab knows, and memcached's and others' commands that touch files or code
# elsewhere (metadump, watch, extstore, module loading...): none may touch a file here.
COMMANDS = [
    b"set k 0 0 1\r\nx\r\n", b"add k2 0 0 1\r\nx\r\n", b"replace k 0 0 1\r\ny\r\n", b"append k 0 0 1\r\nz\r\n",
    b"prepend k 0 0 1\r\na\r\n", b"cas k 0 0 1 1\r\nx\r\n", b"get k k2\r\n", b"gets k\r\n", b"gat 10 k\r\n",
    b"gats 10 k\r\n", b"touch k 10\r\n", b"incr n 1\r\n", b"decr n 1\r\n", b"delete k2\r\n",
    b"mg k v f t c\r\n", b"ms k3 1\r\nx\r\n", b"md k3\r\n", b"ma n\r\n", b"mn\r\n", b"me k\r\n",
    b"stats\r\n", b"stats settings\r\n", b"stats items\r\n", b"stats slabs\r\n", b"stats sizes\r\n",
    b"stats detail dump\r\n", b"stats detail on\r\n", b"stats conns\r\n", b"stats reset\r\n",
    b"version\r\n", b"verbosity 1\r\n", b"verbosity 0\r\n", b"flush_all 0\r\n", b"flush_all\r\n",
    b"shutdown\r\n", b"lru_crawler metadump all\r\n", b"lru_crawler crawl all\r\n", b"watch\r\n",
    b"lru mode flat\r\n", b"slabs automove 1\r\n", b"slabs reassign 1 2\r\n", b"extstore free_memchunks 0 0\r\n",
    b"cache_memlimit 100\r\n", b"debugtime\r\n", b"misbehave\r\n", b"config get\r\n",
    b"module load /tmp/x.so\r\n", b"policy_module /tmp/x.so\r\n", b"load /etc/passwd\r\n",
    b"save /tmp/cachelab-should-not-exist\r\n", b"bgsave\r\n", b"snapshot /tmp/x\r\n", b"dump\r\n",
    b"get /etc/passwd\r\n", b"set /tmp/cachelab-should-not-exist 0 0 1\r\nx\r\n",
]

FILE_SYSCALLS = ("open,openat,openat2,creat,execve,execveat,unlink,unlinkat,rename,renameat,renameat2,"
                 "mkdir,mkdirat,symlink,symlinkat,link,linkat,truncate,chmod,fchmodat,chown,fchownat,"
                 "mknod,mknodat,memfd_create,init_module,finit_module")


@unittest.skipUnless(shutil.which("strace"), "strace is not installed")
class NoFilesFromTheProtocol(unittest.TestCase):
    def test_no_command_touches_a_file_or_loads_code(self):
        workdir = tempfile.mkdtemp()
        log = os.path.join(workdir, "strace.log")
        try:
            with Server("-t", "2") as s:
                maps_before = self.mapped_files(s.proc.pid)
                tracer = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=" + FILE_SYSCALLS, "-o", log,
                                           "-p", str(s.proc.pid)], stderr=subprocess.PIPE)
                time.sleep(1.0)  # strace attaches to every thread
                if tracer.poll() is not None:
                    self.skipTest("strace cannot attach here: %r" % tracer.communicate()[1])
                for command in COMMANDS:
                    reply = raw(s.address, command + b"mn\r\n", until=b"MN\r\n", timeout=10)
                    self.assertTrue(reply.endswith(b"MN\r\n"), (command, reply))
                time.sleep(0.5)
                tracer.send_signal(signal.SIGINT)  # detach
                tracer.communicate(timeout=10)
                self.assertEqual(self.mapped_files(s.proc.pid), maps_before)  # no code loaded
                self.assertIsNone(s.proc.poll())
            with open(log) as f:
                calls = [l for l in f.read().splitlines() if l.strip() and "resumed>" not in l]
            self.assertEqual(calls, [])
            self.assertFalse(os.path.exists("/tmp/cachelab-should-not-exist"))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    @staticmethod
    def mapped_files(pid):
        with open("/proc/%d/maps" % pid) as f:
            return sorted({line.split()[-1] for line in f if len(line.split()) >= 6 and line.split()[-1].startswith("/")})


if __name__ == "__main__":
    main()
