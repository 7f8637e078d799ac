"""What the bench scripts share: a free loopback port, a server started and waited for, VmRSS."""
import socket
import subprocess
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def start_server(cmd, args, env=None):
    """Starts `cmd -p PORT -l 127.0.0.1 ARGS...` and waits until it accepts; returns (process, port)."""
    port = free_port()
    proc = subprocess.Popen(cmd + ["-p", str(port), "-l", "127.0.0.1"] + args,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.time() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError(f"{cmd[0]} did not start")
            time.sleep(0.05)
