"""cachelab serve against python-memcached (the `memcache` module): its whole API surface."""
import unittest

import memcache

from cachelab_server import Server, main


class PythonMemcachedTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()

    @classmethod
    def tearDownClass(cls):
        assert cls.server.stop() == 0

    def setUp(self):
        self.mc = memcache.Client(["127.0.0.1:%d" % self.server.port], socket_timeout=5, cache_cas=True)
        self.mc.flush_all()

    def tearDown(self):
        self.mc.disconnect_all()

    def test_types_round_trip(self):
        # python-memcached encodes the Python type in the flags: they must come back unchanged.
        for key, value in [("s", "text"), ("b", b"\x00\xffbytes"), ("i", 42), ("big", 2 ** 70),
                           ("l", [1, "two", {"three": 3}])]:
            self.assertTrue(self.mc.set(key, value))
            self.assertEqual(self.mc.get(key), value)

    def test_multi(self):
        self.assertEqual(self.mc.set_multi({"a": 1, "b": 2}, key_prefix="p:"), [])
        self.assertEqual(self.mc.get_multi(["a", "b", "c"], key_prefix="p:"), {"a": 1, "b": 2})
        self.assertEqual(self.mc.delete_multi(["a"], key_prefix="p:"), 1)
        self.assertEqual(self.mc.get_multi(["a", "b"], key_prefix="p:"), {"b": 2})

    def test_add_replace_append_prepend(self):
        self.assertTrue(self.mc.add("k", "v"))
        self.assertFalse(self.mc.add("k", "w"))
        self.assertTrue(self.mc.replace("k", "x"))
        self.assertTrue(self.mc.append("k", "y"))
        self.assertTrue(self.mc.prepend("k", "w"))
        self.assertEqual(self.mc.get("k"), "wxy")

    def test_incr_decr_delete_touch(self):
        self.mc.set("n", "5")
        self.assertEqual(self.mc.incr("n", 3), 8)
        self.assertEqual(self.mc.decr("n", 10), 0)
        self.assertIsNone(self.mc.incr("missing"))
        self.assertTrue(self.mc.touch("n", 100))
        self.assertTrue(self.mc.delete("n"))
        self.assertIsNone(self.mc.get("n"))

    def test_gets_cas(self):
        self.mc.set("k", "v1")
        self.assertEqual(self.mc.gets("k"), "v1")
        self.assertTrue(self.mc.cas("k", "v2"))
        other = memcache.Client(["127.0.0.1:%d" % self.server.port], socket_timeout=5, cache_cas=True)
        self.assertEqual(other.gets("k"), "v2")
        self.mc.set("k", "v3")
        self.assertFalse(other.cas("k", "v4"))  # changed since other's gets
        other.disconnect_all()
        self.assertEqual(self.mc.get("k"), "v3")

    def test_stats(self):
        self.mc.set("k", "v")
        (_, stats), = self.mc.get_stats()
        self.assertEqual(stats["curr_items"], "1")
        self.assertIn("policy", stats)


if __name__ == "__main__":
    main()
