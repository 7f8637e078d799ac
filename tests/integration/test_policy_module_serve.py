"""serve --policy-module: evictions over the wire follow the module's choices, and every bad
module is refused at start with one line and exit code 2."""
import os
import subprocess
import unittest

from pymemcache.client.base import Client

from cachelab_server import Server, binary, main

BUILD = os.path.dirname(binary())
FIFO_MODULE = os.path.join(BUILD, "test-modules", "fifo.so")
SLRU_MODULE = os.path.join(BUILD, "modules", "slru.so")
VALUE = b"v" * 10240  # ~100 of these fit in 1 MiB


class PolicyModuleServeTest(unittest.TestCase):
    def survivors(self, *args):
        """Stores hot0..9, reads them after every few sets, and returns the hot keys still there."""
        with Server("-m", "1", "-t", "1", *args) as s:
            c = Client(s.address, connect_timeout=5, timeout=10, default_noreply=False)
            for h in range(10):
                self.assertTrue(c.set("hot%d" % h, VALUE))
            for i in range(300):
                self.assertTrue(c.set("fill%d" % i, VALUE))
                if i % 5 == 0:
                    c.get_many(["hot%d" % h for h in range(10)])
            present = set(c.get_many(["hot%d" % h for h in range(10)]))
            stats = c.stats()
            c.close()
        self.assertGreater(stats[b"evictions"], 0)
        self.assertLessEqual(stats[b"bytes"], 1 << 20)
        return present, stats

    def test_fifo_module_evicts_in_insertion_order_despite_reads(self):
        present, stats = self.survivors("--policy-module", FIFO_MODULE)
        self.assertEqual(present, set())  # the first keys in are the first out, however often read
        self.assertEqual(stats[b"policy"], b"module:fifo-module")

    def test_slru_module_keeps_the_keys_it_protects(self):
        present, stats = self.survivors("--policy-module", SLRU_MODULE, "--policy-arg", "protected=0.5")
        self.assertEqual(len(present), 10)  # read keys were promoted to the protected segment
        # The module's own counters (its stats callback) appear as policy_NAME.
        self.assertGreaterEqual(int(stats[b"policy_protected_bytes"]), 10 * len(b"v" * 10240))
        self.assertGreater(int(stats[b"policy_probation_bytes"]), 0)

    def refused(self, *args):
        out = subprocess.run([binary(), "serve", "-p", "1", *args], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 2, out.stderr)
        lines = out.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, out.stderr)
        return lines[0]

    def test_simulator_only_policies_are_refused(self):
        self.assertIn("policy belady needs to know each request's future", self.refused("--policy", "belady"))

    def test_bad_modules_are_refused_with_one_line(self):
        modules = os.path.join(BUILD, "test-modules")
        self.assertIn("no such file", self.refused("--policy-module", os.path.join(modules, "missing.so")))
        self.assertIn("entry symbol 'cachelab_policy_module_init' not found",
                      self.refused("--policy-module", os.path.join(modules, "no_entry.so")))
        self.assertIn("ABI version 99 not supported", self.refused("--policy-module", os.path.join(modules, "bad_abi.so")))
        self.assertIn("create failed: this module always refuses (test)",
                      self.refused("--policy-module", os.path.join(modules, "create_fails.so")))
        self.assertIn("create failed: protected=2 is not a fraction in (0, 1)",
                      self.refused("--policy-module", SLRU_MODULE, "--policy-arg", "protected=2"))


if __name__ == "__main__":
    main()
