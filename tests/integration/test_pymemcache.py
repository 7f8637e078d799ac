"""cachelab serve against pymemcache: every command the client has, expiry, odd values, HashClient."""
import time
import unittest

from pymemcache.client.base import Client
from pymemcache.client.hash import HashClient

from cachelab_server import Server, main, raw


class PymemcacheTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("-t", "2").start()

    @classmethod
    def tearDownClass(cls):
        assert cls.server.stop() == 0, "serve must exit 0 on SIGTERM"

    def setUp(self):
        self.c = Client(self.server.address, connect_timeout=5, timeout=5, default_noreply=False)
        self.c.flush_all()

    def tearDown(self):
        self.c.close()

    def test_set_get_delete(self):
        self.assertTrue(self.c.set("k", b"v1"))
        self.assertEqual(self.c.get("k"), b"v1")
        self.assertTrue(self.c.delete("k"))
        self.assertIsNone(self.c.get("k"))
        self.assertFalse(self.c.delete("k"))

    def test_get_many_set_many(self):
        self.assertEqual(self.c.set_many({"a": b"1", "b": b"2", "c": b"3"}), [])
        self.assertEqual(self.c.get_many(["a", "b", "c", "missing"]), {"a": b"1", "b": b"2", "c": b"3"})

    def test_get_many_longer_than_a_line(self):
        # 5000 keys of ~30 bytes: one get line of ~150 KB, answered in pieces, then one END.
        keys = ["a-rather-long-key-number-%05d" % i for i in range(5000)]
        self.assertEqual(self.c.set_many({k: k.encode() for k in keys[::2]}), [])
        self.assertEqual(self.c.get_many(keys), {k: k.encode() for k in keys[::2]})

    def test_add_replace(self):
        self.assertTrue(self.c.add("k", b"first"))
        self.assertFalse(self.c.add("k", b"second"))
        self.assertEqual(self.c.get("k"), b"first")
        self.assertTrue(self.c.replace("k", b"third"))
        self.assertFalse(self.c.replace("nothing", b"x"))
        self.assertEqual(self.c.get("k"), b"third")

    def test_append_prepend_keep_flags(self):
        self.c.set("k", b"mid", flags=7)
        self.assertTrue(self.c.append("k", b">"))
        self.assertTrue(self.c.prepend("k", b"<"))
        self.assertFalse(self.c.append("nothing", b"x"))
        self.assertEqual(raw(self.server.address, b"get k\r\n"), b"VALUE k 7 5\r\n<mid>\r\nEND\r\n")

    def test_gets_cas(self):
        self.c.set("k", b"v1")
        value, cas = self.c.gets("k")
        self.assertEqual(value, b"v1")
        self.assertTrue(self.c.cas("k", b"v2", cas))
        self.assertFalse(self.c.cas("k", b"v3", cas))  # the CAS changed with v2
        self.assertIsNone(self.c.cas("missing", b"x", cas))
        self.assertEqual(self.c.get("k"), b"v2")
        self.assertNotEqual(self.c.gets("k")[1], cas)

    def test_incr_decr(self):
        self.c.set("n", b"10")
        self.assertEqual(self.c.incr("n", 5), 15)
        self.assertEqual(self.c.decr("n", 20), 0)  # decr stops at zero
        self.c.set("n", b"18446744073709551615")
        self.assertEqual(self.c.incr("n", 2), 1)  # incr wraps at 2^64
        self.assertIsNone(self.c.incr("missing", 1))
        self.c.set("text", b"abc")
        self.assertEqual(raw(self.server.address, b"incr text 1\r\n"),
                         b"CLIENT_ERROR cannot increment or decrement non-numeric value\r\n")

    def test_touch_and_relative_expiry(self):
        self.c.set("short", b"x", expire=1)
        self.c.set("touched", b"x", expire=1)
        self.assertTrue(self.c.touch("touched", 100))
        self.assertFalse(self.c.touch("missing", 100))
        time.sleep(2.2)
        self.assertIsNone(self.c.get("short"))
        self.assertEqual(self.c.get("touched"), b"x")

    def test_absolute_and_negative_expiry(self):
        self.c.set("abs_future", b"x", expire=int(time.time()) + 3600)
        self.c.set("abs_past", b"x", expire=int(time.time()) - 10)
        self.c.set("abs_soon", b"x", expire=int(time.time()) + 2)
        self.c.set("negative", b"x", expire=-1)
        self.assertEqual(self.c.get("abs_future"), b"x")
        self.assertIsNone(self.c.get("abs_past"))
        self.assertIsNone(self.c.get("negative"))
        self.assertEqual(self.c.get("abs_soon"), b"x")
        time.sleep(3.2)
        self.assertIsNone(self.c.get("abs_soon"))

    def test_noreply(self):
        c = Client(self.server.address, connect_timeout=5, timeout=5, default_noreply=True)
        for i in range(100):
            c.set("nr%d" % i, b"v%d" % i)
        c.delete("nr0")
        c.incr("nr_missing", 1)
        self.assertIsNone(c.get("nr0"))
        self.assertEqual(c.get("nr99"), b"v99")  # every noreply reply was really omitted
        self.assertEqual(raw(self.server.address, b"set q 0 0 1 noreply\r\nx\r\nget q\r\n"),
                         b"VALUE q 0 1\r\nx\r\nEND\r\n")
        c.close()

    def test_binary_values(self):
        value = bytes(range(256)) * 4 + b"\r\nEND\r\n\x00"
        self.c.set("bin", value)
        self.assertEqual(self.c.get("bin"), value)

    def test_large_value_and_too_large(self):
        big = bytes(i % 251 for i in range(512 * 1024))
        self.assertTrue(self.c.set("big", big))
        self.assertEqual(self.c.get("big"), big)
        too_big = b"x" * (2 * 1024 * 1024)
        reply = raw(self.server.address, b"set big 0 0 %d\r\n%s\r\nget big\r\n" % (len(too_big), too_big))
        # The value is swallowed, the old value is gone, and the connection still answers.
        self.assertEqual(reply, b"SERVER_ERROR object too large for cache\r\nEND\r\n")

    def test_key_lengths(self):
        key = "k" * 250
        self.assertTrue(self.c.set(key, b"v"))
        self.assertEqual(self.c.get(key), b"v")
        self.assertEqual(raw(self.server.address, b"set " + b"k" * 251 + b" 0 0 1\r\nv\r\n"),
                         b"CLIENT_ERROR bad command line format\r\nERROR\r\n")

    def test_flush_all(self):
        self.c.set("k", b"v")
        self.assertTrue(self.c.flush_all())
        self.assertIsNone(self.c.get("k"))
        self.c.set("k", b"v")
        self.assertTrue(self.c.flush_all(delay=2))
        self.assertEqual(self.c.get("k"), b"v")
        time.sleep(2.5)
        self.assertIsNone(self.c.get("k"))

    def test_stats_and_version(self):
        self.c.set("k", b"v")
        self.c.get("k")
        self.c.get("missing")
        stats = self.c.stats()
        for name in [b"pid", b"uptime", b"time", b"version", b"pointer_size", b"curr_connections",
                     b"total_connections", b"cmd_get", b"cmd_set", b"cmd_flush", b"cmd_touch", b"get_hits",
                     b"get_misses", b"get_expired", b"delete_hits", b"delete_misses", b"incr_hits",
                     b"incr_misses", b"decr_hits", b"decr_misses", b"cas_hits", b"cas_misses", b"cas_badval",
                     b"touch_hits", b"touch_misses", b"bytes", b"curr_items", b"total_items", b"evictions",
                     b"expired_unfetched", b"limit_maxbytes", b"threads", b"policy"]:
            self.assertIn(name, stats)
        self.assertEqual(stats[b"curr_items"], 1)
        self.assertGreaterEqual(stats[b"get_hits"], 1)
        self.assertGreaterEqual(stats[b"get_misses"], 1)
        self.assertEqual(stats[b"limit_maxbytes"], 64 * 1024 * 1024)
        self.assertEqual(stats[b"threads"], 2)
        self.assertEqual(stats[b"policy"], b"lru")
        self.assertTrue(self.c.version().startswith(b"1.6"))
        settings = self.c.stats("settings")
        self.assertEqual(settings[b"item_size_max"], 1024 * 1024)

    def test_hash_client_over_three_servers(self):
        servers = [Server().start() for _ in range(3)]
        try:
            hc = HashClient([s.address for s in servers], connect_timeout=5, timeout=5, default_noreply=False)
            for i in range(300):
                self.assertTrue(hc.set("key%d" % i, b"value%d" % i))
            for i in range(300):
                self.assertEqual(hc.get("key%d" % i), b"value%d" % i)
            counts = []
            for s in servers:
                direct = Client(s.address, timeout=5)
                counts.append(direct.stats()[b"curr_items"])
                direct.close()
            self.assertEqual(sum(counts), 300)
            self.assertTrue(all(n > 0 for n in counts), counts)
            hc.close()
        finally:
            for s in servers:
                self.assertEqual(s.stop(), 0)


if __name__ == "__main__":
    main()
