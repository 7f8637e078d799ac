// The shipped cloudPhysicsIO traces replayed as libCacheSim does (all reads, each miss inserts,
// hits keep the cached size, no per-item overhead) must give libCacheSim's miss counts exactly
// (tests/data/traces/README.md, libCacheSim commit aa0fc409).
#include <catch2/catch.hpp>

#include "cachelab/sim/runner.h"
#include "sim_test_util.h"

using namespace cachelab::sim;
using namespace cachelab::sim::test;

namespace {

struct Expected {
  const char* policy;
  std::uint64_t capacity;
  std::uint64_t misses;
  std::uint64_t missed_bytes;  // byte mode only
};

void check(const TraceSpec& spec, bool objects, const Expected& e) {
  INFO(spec.path << " " << e.policy << " capacity " << e.capacity << (objects ? " objects" : " bytes"));
  const ReplayResult r = replay_trace(spec, e.policy, Capacity{.amount = e.capacity, .count_objects = objects});
  CHECK(r.totals.reads == 113872);
  CHECK(r.totals.misses == e.misses);
  if (!objects) CHECK(r.totals.read_bytes - r.totals.hit_bytes == e.missed_bytes);
}

}  // namespace

TEST_CASE("libCacheSim figures, object mode, both files", "[sim][libcachesim]") {
  const Expected rows[] = {
      {"lru", 48, 102823, 0}, {"lru", 489, 95420, 0}, {"lru", 4897, 91657, 0},
      {"fifo", 48, 103859, 0}, {"fifo", 489, 96518, 0}, {"fifo", 4897, 91716, 0},
      {"lfu", 48, 103311, 0}, {"lfu", 489, 96765, 0}, {"lfu", 4897, 90040, 0},
  };
  for (const auto& e : rows) {
    check(cloud_physics_bin(), true, e);
    check(cloud_physics_csv(), true, e);
  }
}

TEST_CASE("libCacheSim figures, byte mode, oracleGeneral", "[sim][libcachesim]") {
  const Expected rows[] = {
      {"lru", 2029769, 96932, 4296723968}, {"lru", 20297697, 94956, 4280799744}, {"lru", 202976972, 92200, 4157572608},
      {"fifo", 2029769, 98168, 4302205952}, {"fifo", 20297697, 95293, 4282329600}, {"fifo", 202976972, 91954, 4153497088},
      {"lfu", 2029769, 95587, 4290952704}, {"lfu", 20297697, 93724, 4270392832}, {"lfu", 202976972, 89993, 4060649472},
  };
  for (const auto& e : rows) check(cloud_physics_bin(), false, e);
}

TEST_CASE("libCacheSim figures, byte mode, csv", "[sim][libcachesim]") {
  const Expected rows[] = {
      {"lru", 2029769, 96825, 4119283200}, {"lru", 20297697, 94876, 4103620608}, {"lru", 202976972, 91531, 3968691200},
      {"fifo", 2029769, 98106, 4125111296}, {"fifo", 20297697, 95207, 4105031168}, {"fifo", 202976972, 91083, 3962163200},
      {"lfu", 2029769, 95132, 4111888896}, {"lfu", 20297697, 93680, 4097241088}, {"lfu", 202976972, 89340, 3897663488},
  };
  for (const auto& e : rows) check(cloud_physics_csv(), false, e);
}

TEST_CASE("libCacheSim figures: belady from the binary's next accesses and from a backward pass on the csv",
          "[sim][libcachesim]") {
  for (const TraceSpec& spec : {cloud_physics_bin(), cloud_physics_csv()}) {
    for (auto [capacity, misses] : {std::pair<std::uint64_t, std::uint64_t>{48, 96517}, {489, 90263}, {4897, 71620}}) {
      Scenario s;
      s.name = "belady";
      s.trace = spec;
      s.cache.policy = "belady";
      s.cache.capacity = Capacity{.amount = capacity, .count_objects = true};
      INFO(spec.path << " capacity " << capacity);
      CHECK(run_scenario(s).totals.misses == misses);
    }
  }
}
