"""Many clients at once on a multi-threaded server: shared counters add up, every client's own
keys read back, and the server stays responsive (run it against a TSan build to check races)."""
import threading
import time
import unittest

from pymemcache.client.base import Client

from cachelab_server import Server, main

CLIENTS = 8
OPS = 300


class ConcurrencyTest(unittest.TestCase):
    def test_parallel_clients(self):
        with Server("-t", "4") as s:
            setup = Client(s.address, timeout=10, default_noreply=False)
            setup.set("counter", b"0")
            errors = []

            def work(n):
                try:
                    c = Client(s.address, timeout=10, default_noreply=False)
                    for i in range(OPS):
                        key = "c%d:%d" % (n, i % 50)
                        c.set(key, b"%d" % i)
                        self.assertEqual(c.get(key), b"%d" % i)
                        c.incr("counter", 1)
                        c.get_many(["counter", "shared%d" % (i % 10)])
                        c.set("shared%d" % (i % 10), b"x" * (i % 100))
                        if i % 7 == 0:
                            c.delete("shared%d" % (i % 10))
                        if i % 50 == 0:
                            c.stats()
                    c.close()
                except Exception as e:  # reported below: a thread's failure must fail the test
                    errors.append(repr(e))

            threads = [threading.Thread(target=work, args=(n,)) for n in range(CLIENTS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=120)
            self.assertEqual(errors, [])
            self.assertEqual(setup.get("counter"), b"%d" % (CLIENTS * OPS))
            stats = setup.stats()
            self.assertGreaterEqual(stats[b"total_connections"], CLIENTS + 1)
            # The clients' closes reach the server a moment after they return.
            deadline = time.monotonic() + 5
            while stats[b"curr_connections"] != 1 and time.monotonic() < deadline:
                time.sleep(0.05)
                stats = setup.stats()
            self.assertEqual(stats[b"curr_connections"], 1)
            setup.close()
        self.assertEqual(s.returncode, 0)


if __name__ == "__main__":
    main()
