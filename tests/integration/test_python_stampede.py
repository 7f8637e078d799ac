#!/usr/bin/python3
"""The stampede example end to end, shortened for CI: app.py (threads, SQLite with a 200 ms fill,
the meta protocol) against `cachelab serve` in each protection mode, 10 s each, the four modes
side by side (four servers on free loopback ports, stopped by the test), against `cachelab sim`
of examples/python-stampede/stampede.yaml.

Tolerance: the live run is one more draw of the process the simulator models, so the test runs
the simulator over 30 seeds and allows, per mode and metric (db reads, duplicate fills, peak db
reads per second), 4 standard deviations of that spread times sqrt(1 + 1/30) (the live draw's own
variance plus the error of the seeds' mean), and never less than a floor of 2 reads (a cycle cut
by the end of the run, or a fill landing either side of a second boundary, moves a count by 1 when
the spread is 0, as it is for lease and serve-stale). 4 sigma over 12 comparisons: a false alarm
about 1 run in 1,000 if the counts were normal.

Qualitative facts checked on the live run: lease and serve-stale make at most 1 duplicate fill
(memcached hands out one W per missing or expiring item) and a peak at most a quarter of none's;
none's fills per expiry cycle are 1 + lambda L = 21 within 4 standard deviations of a mean of
Poisson(lambda L) counts over the run's cycles, plus 1 for the live fill being a little longer
than L (the set's round trip). Usage: test_python_stampede.py PATH_TO_cachelab
"""
import math
import os
import statistics
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples", "python-stampede"))
import compare  # noqa: E402

CACHELAB = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(compare.ROOT, "build", "release", "cachelab")
DURATION = 10      # s per mode; the modes run at the same time
SEEDS = range(1, 31)
RATE, FILL_S = 100.0, 0.2   # stampede.yaml's reads_per_s and fill_latency (app.py's defaults)
FLOOR = 2


class PythonStampede(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.live, errors = {}, []

        def run(mode):
            try:
                cls.live[mode] = compare.run_live(CACHELAB, mode, DURATION)
            except Exception as e:  # reported by the tests below
                errors.append(f"{mode}: {e!r}")

        threads = [threading.Thread(target=run, args=(m,)) for m in compare.MODES]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        cls.errors = errors
        cls.sim = {}
        with tempfile.TemporaryDirectory() as out:
            for mode in compare.MODES:
                cls.sim[mode] = [compare.run_sim(CACHELAB, mode, DURATION, os.path.join(out, f"{mode}-{s}"), s)
                                 for s in SEEDS]

    def setUp(self):
        self.assertEqual(self.errors, [])

    def check_mode(self, mode):
        live = self.live[mode]
        self.assertEqual(live["errors"], 0)
        for name, _ in compare.METRICS:
            values = [r[name] for r in self.sim[mode]]
            mean, sd = statistics.mean(values), statistics.stdev(values)
            tol = max(FLOOR, 4 * sd * math.sqrt(1 + 1 / len(SEEDS)))
            print(f"{mode:<14} {name:<16} live {live[name]:>4}  sim {mean:7.2f} ± {sd:5.2f}  tolerance {tol:5.2f}")
            self.assertLessEqual(abs(live[name] - mean), tol, f"{mode} {name}")
        return live

    def test_none(self):
        live = self.check_mode("none")
        cycles = live["db_reads"] - live["duplicate_fills"]  # each cycle's first fill is no duplicate
        per_cycle = live["db_reads"] / cycles
        expected = 1 + RATE * FILL_S
        tol = 4 * math.sqrt(RATE * FILL_S / cycles) + 1
        print(f"none: {per_cycle:.2f} fills per cycle over {cycles} cycles; 1 + lambda L = {expected:.0f} ± {tol:.1f}")
        self.assertLessEqual(abs(per_cycle - expected), tol)

    def check_protected(self, mode):
        live = self.check_mode(mode)
        self.assertLessEqual(live["duplicate_fills"], 1)
        self.assertLessEqual(live["peak_db_per_s"], max(2, self.live["none"]["peak_db_per_s"] / 4))
        return live

    def test_lease(self):
        self.check_protected("lease")

    def test_serve_stale(self):
        live = self.check_protected("serve-stale")
        self.assertGreater(live["stale_reads"], 0)  # the others got the old page during refreshes

    def test_early_refresh(self):
        self.check_mode("early-refresh")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
