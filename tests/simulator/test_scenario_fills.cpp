// Scenario fields of issue 19: fill_latency, protection (grace, beta), clock, the server's
// per-item overhead preset; and their errors, one line naming file, line and field.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <sstream>

#include "cachelab/sim/results.h"
#include "cachelab/sim/scenario.h"
#include "sim_test_util.h"

using namespace cachelab::sim;
using namespace cachelab::sim::test;

namespace {

std::string load_error(const std::string& yaml) {
  const std::string path = temp_file("bad_fills.yaml", yaml);
  try {
    load_scenario(path);
  } catch (const InputError& e) {
    const std::string what = e.what();
    CHECK(what.rfind(path, 0) == 0);
    return what.substr(path.size());
  }
  FAIL("no error for:\n" << yaml);
  return "";
}

}  // namespace

TEST_CASE("fill_latency forms", "[sim][scenario][stampede]") {
  CHECK(parse_fill_latency("0")->instant());
  CHECK(parse_fill_latency("fixed(0ms)")->instant());
  const auto fixed = parse_fill_latency("fixed(50ms)");
  CHECK(fixed->kind == FillLatency::Kind::kFixed);
  CHECK(fixed->fixed_ms == 50);
  CHECK(parse_fill_latency("1.5s")->fixed_ms == 1500);
  const auto logn = parse_fill_latency("lognormal(20ms, 200ms)");
  REQUIRE(logn);
  CHECK(std::exp(logn->mu) == Approx(20));
  CHECK(std::exp(logn->mu + 2.3263478740408408 * logn->sigma) == Approx(200));
  const auto emp = parse_fill_latency("empirical([5ms, 8ms, 1s])");
  REQUIRE(emp);
  CHECK(emp->samples_ms == std::vector<std::uint64_t>{5, 8, 1000});
  for (const char* bad : {"fast", "fixed(-1ms)", "lognormal(20ms)", "lognormal(200ms, 20ms)", "empirical(5ms)",
                          "empirical([])", "fixed(50ms"})
    CHECK_FALSE(parse_fill_latency(bad));

  // Draws: lognormal's median and p99 come out as given.
  Rng rng(1);
  std::vector<std::uint64_t> draws;
  for (int i = 0; i < 20000; ++i) draws.push_back(logn->draw(rng));
  std::sort(draws.begin(), draws.end());
  CHECK(double(draws[10000]) == Approx(20).margin(1));
  CHECK(double(draws[19800]) == Approx(200).epsilon(0.1));
}

TEST_CASE("classes take fill_latency, protection, grace, beta; clock and the server overhead", "[sim][scenario][stampede]") {
  const std::string path = temp_file("fills.yaml", R"yaml(name: flash sale
duration: 1m
clock: seconds
cache: {capacity: 64MiB, overhead_bytes: server}
classes:
  - {name: hot, keys: 1, reads_per_s: 100, ttl: 10s, fill_latency: fixed(50ms), protection: serve-stale, grace: 5s}
  - {name: rest, keys: 100, reads_per_s: 10, ttl: 1m, fill_latency: "lognormal(10ms, 90ms)", protection: early-refresh, beta: 2}
  - {name: plain, keys: 10, reads_per_s: 1}
)yaml");
  const Scenario s = load_scenario(path);
  CHECK(s.whole_second_clock);
  CHECK(s.cache.overhead_bytes == cachelab::kItemOverheadBytes);
  CHECK(s.classes[0].fills.protection == Protection::kServeStale);
  CHECK(s.classes[0].fills.grace_ms == 5000);
  CHECK(s.classes[0].fills.latency.fixed_ms == 50);
  CHECK(s.classes[1].fills.protection == Protection::kEarlyRefresh);
  CHECK(s.classes[1].fills.beta == 2);
  CHECK_FALSE(s.classes[2].fills.active());
  const ReplayConfig r = replay_config(s);
  CHECK(r.fills.size() == 3);
  CHECK(r.whole_second_clock);
  // --set and sweeps reach the new fields like any other.
  const Scenario lease = load_scenario(path, {"classes.hot.protection=lease", "clock=exact"});
  CHECK(lease.classes[0].fills.protection == Protection::kLease);
  CHECK_FALSE(lease.whole_second_clock);
}

TEST_CASE("bad fill fields: one line naming file, line and field", "[sim][scenario][stampede]") {
  const std::string head = "cache: {capacity: 1MiB}\nduration: 1m\nclasses:\n";
  CHECK(load_error(head + "  - {name: a, keys: 1, reads_per_s: 1, fill_latency: slow}\n") ==
        ":4: classes.a.fill_latency: expected fixed(50ms), lognormal(median, p99) or empirical([5ms, 20ms, ...]), got 'slow'");
  CHECK(load_error(head + "  - {name: a, keys: 1, reads_per_s: 1, protection: locks}\n") ==
        ":4: classes.a.protection: expected none, lease, serve-stale or early-refresh, got 'locks'");
  CHECK(load_error(head + "  - {name: a, keys: 1, reads_per_s: 1, grace: -1s}\n") ==
        ":4: classes.a.grace: must not be negative, got '-1s'");
  CHECK(load_error(head + "  - {name: a, keys: 1, reads_per_s: 1, beta: 0}\n") ==
        ":4: classes.a.beta: expected a number above 0 (XFetch's beta, 1 by default)");
  CHECK(load_error("clock: hours\n" + head + "  - {name: a, keys: 1, reads_per_s: 1}\n") ==
        ":1: clock: expected seconds (the server's whole-second expiry) or exact, got 'hours'");
  CHECK(load_error("cache: {capacity: 1MiB, overhead_bytes: memcached}\nduration: 1m\nclasses: [{keys: 1, reads_per_s: 1}]\n") ==
        ":1: cache.overhead_bytes: expected a non-negative integer, got 'memcached'");
  // A comma inside an unquoted call splits the flow map: the loader says to quote it.
  CHECK(load_error(head + "  - {name: a, keys: 1, reads_per_s: 1, fill_latency: lognormal(1ms, 9ms)}\n").find("must be quoted") !=
        std::string::npos);
}

TEST_CASE("results_by_class.csv: a class column, then results.csv's columns", "[sim][stampede]") {
  const std::string path = temp_file("classes.yaml", R"yaml(name: a scenario name longer than sixteen characters
duration: 20s
cache: {capacity: 1000 objects}
classes:
  - {name: hot, keys: 1, reads_per_s: 50, ttl: 2s, fill_latency: 100ms, protection: none}
  - {name: cold, keys: 100, reads_per_s: 5, ttl: 5s}
)yaml");
  std::vector<SimRun> runs{SimRun{load_scenario(path), {}, {}}};
  runs[0].result = run_scenario(runs[0].scenario);
  std::ostringstream all, by_class, table;
  write_results_csv(all, runs);
  write_results_by_class_csv(by_class, runs);
  print_results_table(table, runs);
  const std::string header = all.str().substr(0, all.str().find('\n'));
  CHECK(header.size() > 40);
  const std::string added = ",duplicate_fills,peak_origin_reads_per_s,wait_p50_ms,wait_p99_ms";
  CHECK(header.substr(header.size() - added.size()) == added);
  std::istringstream lines(by_class.str());
  std::string line;
  std::getline(lines, line);
  CHECK(line == "class," + header);
  std::getline(lines, line);
  CHECK(line.rfind("hot,a scenario name longer than sixteen characters,lru,,1000,2,", 0) == 0);
  CHECK(line.substr(line.size() - 8) == ",100,100");  // the hot key's fills wait 100 ms
  std::getline(lines, line);
  CHECK(line.rfind("cold,", 0) == 0);
  CHECK(line.substr(line.size() - 4) == ",0,0");  // instant fills: nobody waits
  const ReplayCounts& hot = runs[0].result.per_source[0];
  const ReplayCounts& cold = runs[0].result.per_source[1];
  CHECK(hot.reads + cold.reads == runs[0].result.totals.reads);
  CHECK(hot.duplicate_fills > 0);
  CHECK(cold.duplicate_fills == 0);
  // The stdout table keeps the whole name and shows the database's side.
  CHECK(table.str().find("a scenario name longer than sixteen characters") != std::string::npos);
  CHECK(table.str().find("db_peak/s") != std::string::npos);
}
