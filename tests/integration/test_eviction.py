"""Eviction over the wire: fill a `-m 1` server past its budget with each policy and check which
keys survive."""
import subprocess
import unittest

from pymemcache.client.base import Client

from cachelab_server import Server, binary, main, raw

VALUE = b"v" * 10240  # ~100 of these fit in 1 MiB
FILL = 300


def server_policies():
    out = subprocess.run([binary(), "policies"], capture_output=True, text=True, timeout=30, check=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip() and "simulator only" not in line]


class EvictionTest(unittest.TestCase):
    def fill(self, policy, hot_reads=True, ttl_for=lambda i: 0):
        """Stores hot0..9 first, then FILL more values, reading the hot keys often in between."""
        with Server("-m", "1", "--policy", policy) as s:
            c = Client(s.address, connect_timeout=5, timeout=10, default_noreply=False)
            for h in range(10):
                self.assertTrue(c.set("hot%d" % h, VALUE))
            for i in range(FILL):
                self.assertTrue(c.set("fill%d" % i, VALUE, expire=ttl_for(i)))
                if hot_reads and i % 5 == 0:
                    c.get_many(["hot%d" % h for h in range(10)])
            present = set(c.get_many(["hot%d" % h for h in range(10)] + ["fill%d" % i for i in range(FILL)]))
            stats = c.stats()
            c.close()
        self.assertGreater(stats[b"evictions"], 0)
        self.assertLessEqual(stats[b"bytes"], 1 << 20)
        self.assertEqual(stats[b"curr_items"], len(present))
        return present

    def test_lru_keeps_recently_read_keys(self):
        present = self.fill("lru")
        self.assertTrue(all("hot%d" % h in present for h in range(10)), present)
        self.assertNotIn("fill0", present)
        self.assertIn("fill%d" % (FILL - 1), present)

    def test_fifo_ignores_reads(self):
        present = self.fill("fifo")
        self.assertFalse(any("hot%d" % h in present for h in range(10)), present)
        self.assertNotIn("fill0", present)
        self.assertIn("fill%d" % (FILL - 1), present)

    def test_lfu_keeps_frequently_read_keys(self):
        present = self.fill("lfu")
        self.assertTrue(all("hot%d" % h in present for h in range(10)), present)
        self.assertNotIn("fill0", present)

    def test_ttl_evicts_soonest_expiry_first(self):
        # hot* never expire; fill i expires later the larger i is: the early fills go first.
        present = self.fill("ttl", hot_reads=False, ttl_for=lambda i: 100000 - (FILL - i))
        self.assertTrue(all("hot%d" % h in present for h in range(10)), present)
        self.assertNotIn("fill0", present)
        self.assertIn("fill%d" % (FILL - 1), present)

    def test_every_server_policy_respects_the_budget(self):
        for policy in server_policies():
            with self.subTest(policy=policy):
                present = self.fill(policy)
                self.assertLess(len(present), FILL)
                self.assertGreater(len(present), 50)

    def test_disable_evictions_refuses_when_full(self):
        with Server("-m", "1", "-M") as s:
            replies = raw(s.address, b"".join(b"set k%d 0 0 10240\r\n%s\r\n" % (i, VALUE) for i in range(200)),
                          lines=200)
            lines = replies.split(b"\r\n")[:-1]
            self.assertEqual(len(lines), 200)
            stored = lines.count(b"STORED")
            self.assertGreater(stored, 50)
            self.assertEqual(lines[stored:], [b"SERVER_ERROR out of memory storing object"] * (200 - stored))
            self.assertEqual(raw(s.address, b"get k0\r\n"), b"VALUE k0 0 10240\r\n" + VALUE + b"\r\nEND\r\n")


if __name__ == "__main__":
    main()
