"""nutcracker (twemproxy) with ketama in front of two cachelab servers: keys land on both."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from pymemcache.client.base import Client

from cachelab_server import Server, free_port, main

CONFIG = """cachelab:
  listen: 127.0.0.1:{port}
  hash: md5
  distribution: ketama
  timeout: 2000
  redis: false
  auto_eject_hosts: false
  servers:
   - 127.0.0.1:{p1}:1 one
   - 127.0.0.1:{p2}:1 two
"""


def wait_for_port(port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("nutcracker did not listen on %d" % port)


@unittest.skipUnless(shutil.which("nutcracker"), "nutcracker is not installed (scripts/install-deps)")
class TwemproxyTest(unittest.TestCase):
    def test_ketama_spreads_keys_over_both_servers(self):
        tmp = tempfile.mkdtemp()
        with Server() as one, Server() as two:
            port = free_port()
            conf = os.path.join(tmp, "nutcracker.yml")
            with open(conf, "w") as f:
                f.write(CONFIG.format(port=port, p1=one.port, p2=two.port))
            proxy = subprocess.Popen(["nutcracker", "-c", conf, "-s", str(free_port()), "-o",
                                      os.path.join(tmp, "nutcracker.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                wait_for_port(port)
                c = Client(("127.0.0.1", port), connect_timeout=5, timeout=5, default_noreply=False)
                keys = ["user:%d" % i for i in range(200)]
                for k in keys:
                    self.assertTrue(c.set(k, k.encode(), expire=300))
                for k in keys:
                    self.assertEqual(c.get(k), k.encode())
                # A multi-get is split by the proxy across both servers and merged back.
                self.assertEqual(c.get_many(keys[:50]), {k: k.encode() for k in keys[:50]})
                self.assertEqual(c.incr("counter", 1), None)
                c.set("counter", b"1")
                self.assertEqual(c.incr("counter", 41), 42)
                self.assertTrue(c.delete(keys[0]))
                self.assertIsNone(c.get(keys[0]))
                c.close()
                counts = []
                for s in (one, two):
                    direct = Client(s.address, timeout=5)
                    counts.append(direct.stats()[b"curr_items"])
                    direct.close()
                self.assertEqual(sum(counts), 200)  # 199 user keys + the counter
                self.assertTrue(all(n >= 40 for n in counts), counts)
            finally:
                proxy.terminate()
                proxy.wait(timeout=10)
                shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
