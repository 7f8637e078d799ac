"""`cachelab sim --shard I/N` then `cachelab merge`: the merged files are byte for byte those of the
whole run (a policy x capacity sweep with a timeline; a capacity sweep that one miss-ratio curve
answers, with more shards than cells, and its plot), and every broken set of parts is refused with
exit 2 and a line that says what to do."""
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FILES = ["results.csv", "results_by_class.csv", "results.json"]


def binary():
    return os.path.abspath(sys.argv[1])


def run(*args):
    return subprocess.run([binary(), *args], capture_output=True, text=True, timeout=300)


def read(path):
    with open(path, "rb") as f:
        return f.read()


class ShardMerge(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def sharded(self, scenario, shards, *extra):
        parts = []
        for i in range(shards):
            part = os.path.join(self.dir, "part%d" % i)
            p = run("sim", scenario, "--shard", "%d/%d" % (i, shards), "-o", part, "--jobs", "1", *extra)
            self.assertEqual(p.returncode, 0, p.stderr)
            parts.append(part)
        return parts

    def test_policy_capacity_sweep_with_timeline(self):
        scenario = os.path.join(ROOT, "scenarios", "cloudphysics_trace.yaml")
        whole = os.path.join(self.dir, "whole")
        p = run("sim", scenario, "-o", whole, "--timeline", "600s")
        self.assertEqual(p.returncode, 0, p.stderr)
        parts = self.sharded(scenario, 3, "--timeline", "600s")
        merged = os.path.join(self.dir, "merged")
        p = run("merge", *reversed(parts), "-o", merged)  # the order of the parts does not matter
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("merged 16 cells from 3 parts", p.stdout)
        for f in FILES + ["timeline.csv"]:
            self.assertEqual(read(os.path.join(whole, f)), read(os.path.join(merged, f)), f)
        # A part holds only its cells: 16 cells over 3 shards is 6 + 5 + 5 rows.
        rows = [len(read(os.path.join(part, "results.csv")).splitlines()) - 1 for part in parts]
        self.assertEqual(rows, [6, 5, 5])

    def test_curve_answered_sweep_more_shards_than_cells_and_plot(self):
        trace = os.path.join(ROOT, "tests", "data", "traces", "cloudPhysicsIO.oracleGeneral.bin")
        scenario = os.path.join(self.dir, "capacities.yaml")
        with open(scenario, "w") as f:
            f.write("name: capacities\n"
                    "cache: {capacity: 489 objects, policy: lru}\n"
                    "trace: {path: '%s', format: oracleGeneral}\n"
                    "sweep: {capacity: [100 objects, 489 objects, 1000 objects, 4897 objects, 10000 objects]}\n"
                    "plots:\n  - {x: capacity, y: [hit_ratio], file: curve.png}\n" % trace)
        whole = os.path.join(self.dir, "whole")
        p = run("sim", scenario, "-o", whole)
        self.assertEqual(p.returncode, 0, p.stderr)
        parts = self.sharded(scenario, 7)  # shards 5 and 6 get no cell
        self.assertEqual(len(read(os.path.join(parts[6], "results.csv"))), 0)
        merged = os.path.join(self.dir, "merged")
        p = run("merge", *parts, "-o", merged)
        self.assertEqual(p.returncode, 0, p.stderr)
        for f in FILES:
            self.assertEqual(read(os.path.join(whole, f)), read(os.path.join(merged, f)), f)
        self.assertTrue(read(os.path.join(merged, "curve.png")).startswith(b"\x89PNG"))

    def test_broken_sets_of_parts(self):
        scenario = os.path.join(ROOT, "scenarios", "cloudphysics_trace.yaml")
        parts = self.sharded(scenario, 3)
        out = os.path.join(self.dir, "out")
        p = run("merge", parts[0], parts[2], "-o", out)
        self.assertEqual(p.returncode, 2)
        self.assertIn("cell 1 is missing: add the part run with --shard 1/3", p.stderr)
        p = run("merge", parts[0], parts[1], parts[1], parts[2], "-o", out)
        self.assertEqual(p.returncode, 2)
        self.assertIn("is in both", p.stderr)
        other = os.path.join(self.dir, "other")
        p = run("sim", scenario, "--shard", "1/3", "-o", other, "--set", "cache.policy=fifo")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = run("merge", parts[0], other, parts[2], "-o", out)
        self.assertEqual(p.returncode, 2)
        self.assertIn("is from another run", p.stderr)
        p = run("merge", self.dir, "-o", out)
        self.assertEqual(p.returncode, 2)
        self.assertIn("cannot read", p.stderr)
        for bad in ["3/3", "1", "a/3", "0/0", "-1/3"]:
            p = run("sim", scenario, "--shard", bad, "-o", out)
            self.assertEqual(p.returncode, 2, bad)
        p = run("sim", scenario, "--shard", "0/2")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--shard needs -o DIR", p.stderr)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
