"""cachelab bench against a real server: the report's lines, no errors, and its exit codes."""
import re
import subprocess
import unittest

from cachelab_server import Server, binary, free_port, main


def bench(*args):
    return subprocess.run([binary(), "bench", *args], capture_output=True, text=True, timeout=60)


class BenchTest(unittest.TestCase):
    def test_reports_throughput_and_latency(self):
        with Server("-t", "2") as s:
            out = bench("--server", "127.0.0.1:%d" % s.port, "--duration", "1", "--connections", "4",
                        "--pipeline", "4", "--multiget", "4", "--keys", "1000")
            self.assertEqual(out.returncode, 0, out.stderr)
            ops = re.search(r"^ops/s (\d+)  \(gets (\d+), sets (\d+), keys read/s (\d+), errors 0, ", out.stdout, re.M)
            self.assertIsNotNone(ops, out.stdout)
            self.assertGreater(int(ops.group(1)), 100)
            self.assertGreater(int(ops.group(2)), int(ops.group(3)))  # 90% gets
            lat = re.search(r"^latency us  p50 ([\d.]+)  p99 ([\d.]+)  p99\.9 ([\d.]+)$", out.stdout, re.M)
            self.assertIsNotNone(lat, out.stdout)
            p50, p99, p999 = map(float, lat.groups())
            self.assertTrue(0 < p50 <= p99 <= p999, lat.groups())
            stats = subprocess.run([binary(), "bench", "--help"], capture_output=True, text=True, timeout=30)
            self.assertEqual(stats.returncode, 0)

    def test_bad_usage_and_unreachable_server(self):
        self.assertEqual(bench("--server", "nocolon").returncode, 2)
        self.assertEqual(bench("--server", "127.0.0.1:1", "--pipeline", "0").returncode, 2)
        out = bench("--server", "127.0.0.1:%d" % free_port(), "--duration", "1")
        self.assertEqual(out.returncode, 1)
        self.assertEqual(len(out.stderr.strip().splitlines()), 1, out.stderr)
        self.assertIn("cannot connect", out.stderr)


if __name__ == "__main__":
    main()
