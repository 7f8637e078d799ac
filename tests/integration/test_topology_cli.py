"""The shipped topology scenarios from the command line: cache_tiers.yaml and
cluster_node_failure.yaml run (shortened), their columns are there, and their stories hold:
shared memory beats per-process caches and is never stale under delete-on-write, near caches
answer part of the reads and cost staleness, and a dead node sends reads to the origin.

Usage: python3 test_topology_cli.py PATH_TO_cachelab"""
import csv
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sim(binary, scenario, out, *extra):
    cmd = [binary, "sim", os.path.join(ROOT, "scenarios", scenario), "-o", out, *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, f"{cmd}: exit {done.returncode}: {done.stderr}"
    with open(os.path.join(out, "results.csv"), newline="") as f:
        return list(csv.DictReader(f))


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as work:
        rows = sim(binary, "cache_tiers.yaml", os.path.join(work, "tiers"), "--set", "duration=3m")
        assert len(rows) == 15, rows
        header = list(rows[0].keys())
        assert header[18:23] == ["invalidation", "topology", "nodes", "processes", "near_hits"], header
        cell = {(r["topology"], int(r["processes"])): r for r in rows}
        for n in (1, 2, 4, 8, 16):
            assert float(cell[("shared", n)]["stale_ratio"]) == 0.0
            assert int(cell[("shared", n)]["near_hits"]) == 0
            assert cell[("shared", n)]["hits"] == cell[("shared", 1)]["hits"]  # processes do not matter
        # One process: local is the shared cache.
        assert cell[("local", 1)]["hits"] == cell[("shared", 1)]["hits"]
        assert float(cell[("local", 16)]["hit_ratio"]) < float(cell[("shared", 16)]["hit_ratio"]) - 0.2
        assert float(cell[("local", 16)]["stale_ratio"]) > 0.05
        near = int(cell[("two-tier", 8)]["near_hits"]) / int(cell[("two-tier", 8)]["reads"])
        assert near > 0.3, near
        assert float(cell[("two-tier", 8)]["stale_ratio"]) > 0.01
        assert float(cell[("two-tier", 1)]["stale_ratio"]) == 0.0  # its own writes delete its copy
        for png in ("tiers_hit_ratio.png", "tiers_stale_ratio.png"):
            with open(os.path.join(work, "tiers", png), "rb") as f:
                assert f.read(8) == b"\x89PNG\r\n\x1a\n", png

        out = os.path.join(work, "cluster")
        rows = sim(binary, "cluster_node_failure.yaml", out, "--timeline", "1m",
                   "--set", "duration=25m", "--set", "cluster.events=[{node: 2, down: 10m, up: 15m}]")
        assert [r["cluster.on_down"] for r in rows] == ["rehash", "miss"], rows
        assert all(r["nodes"] == "4" for r in rows)
        with open(os.path.join(out, "timeline.csv"), newline="") as f:
            timeline = list(csv.DictReader(f))
        for run in ("1", "2"):
            origin = {int(float(r["start_s"])): int(r["origin_reads"]) for r in timeline if r["run"] == run}
            before, during = origin[540], origin[600]
            assert during > 1.5 * before, (run, before, during)
        # While the node is down, miss loses a quarter of the reads; rehash wins most of it back.
        miss_late = [int(r["origin_reads"]) for r in timeline if r["run"] == "2" and r["start_s"] == "840"][0]
        rehash_late = [int(r["origin_reads"]) for r in timeline if r["run"] == "1" and r["start_s"] == "840"][0]
        assert miss_late > 1.5 * rehash_late, (miss_late, rehash_late)

        bad = subprocess.run([binary, "sim", os.path.join(ROOT, "scenarios", "cluster_node_failure.yaml"),
                              "-o", os.path.join(work, "bad"), "--set", "cluster.hashing=modula"],
                             capture_output=True, text=True, timeout=60)
        assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "cluster.hashing" in bad.stderr, bad.stderr
    print("ok")


if __name__ == "__main__":
    main()
