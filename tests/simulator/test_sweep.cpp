// A sweep is only a way of writing several runs: each cell gives what the same scenario run on its
// own gives, whatever the number of jobs.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "cachelab/sim/runner.h"

using namespace cachelab::sim;

TEST_CASE("sweep: every cell equals the separate run of its scenario, with any number of jobs", "[simulator][sweep]") {
  const auto path = std::filesystem::temp_directory_path() / ("cachelab-sweep-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << "name: sweep\nseed: 5\nduration: 60s\ncache: {capacity: 1MiB, policy: lru}\n"
                         "classes:\n  - {name: a, keys: 20000, popularity: zipf(0.8), size: fixed(100),\n"
                         "     reads_per_s: 2000, writes_per_s: 50, ttl: 20s}\n"
                         "sweep: {policy: [lru, s3fifo, tinylfu], capacity: [256KiB, 1MiB], ttl: [5s, 30s]}\n";
  SimOptions one_job;
  SimOptions four_jobs;
  four_jobs.jobs = 4;
  const auto a = run_scenario_file(path.string(), one_job);
  const auto b = run_scenario_file(path.string(), four_jobs);
  std::filesystem::remove(path);
  REQUIRE(a.size() == 12);
  REQUIRE(b.size() == 12);
  for (std::size_t i = 0; i < a.size(); ++i) {
    const ReplayResult alone = run_scenario(a[i].scenario);
    INFO("cell " << i << ": " << a[i].scenario.cache.policy);
    CHECK(a[i].result.totals.hits == alone.totals.hits);
    CHECK(a[i].result.totals.stale_hits == alone.totals.stale_hits);
    CHECK(a[i].result.store.evictions == alone.store.evictions);
    CHECK(b[i].result.totals.hits == alone.totals.hits);
    CHECK(b[i].result.totals.stale_hits == alone.totals.stale_hits);
  }
  CHECK(a[0].result.totals.hits != a[11].result.totals.hits);  // the cells really differ
}
