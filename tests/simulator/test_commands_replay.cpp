// `replay: commands`: a capture of cache commands replays as the clients drove the cache: a get
// only looks up, a set stores, a delete removes; a sampled capture scales the cache and the counts.
#include <catch2/catch.hpp>

#include "cachelab/sim/runner.h"
#include "sim_test_util.h"

using namespace cachelab::sim;
using namespace cachelab::sim::test;

namespace {
Request cmd(std::uint64_t t, std::uint64_t key, RequestOp op, std::uint32_t size = 10, std::int64_t ttl_ms = 0) {
  return Request{.time_ms = t, .key = key, .size = size, .op = op, .ttl_ms = ttl_ms};
}
}  // namespace

TEST_CASE("commands replay: a get miss stores nothing, sets and deletes act as sent", "[simulator][commands]") {
  using enum RequestOp;
  VectorSource source({cmd(0, 1, kRead), cmd(1, 1, kRead),             // two misses: nothing filled
                       cmd(2, 1, kWrite), cmd(3, 1, kRead),            // set, then a hit
                       cmd(4, 1, kDelete), cmd(5, 1, kRead),           // deleted: a miss
                       cmd(6, 2, kWrite, 10, 1000), cmd(500, 2, kRead), cmd(1500, 2, kRead)});  // ttl 1 s
  ReplayConfig config;
  config.commands = true;
  config.capacity = Capacity{.amount = 100, .count_objects = true};
  const ReplayResult r = replay(source, config);
  CHECK(r.totals.reads == 6);
  CHECK(r.totals.hits == 2);
  CHECK(r.totals.misses == 4);
  CHECK(r.totals.writes == 3);
  CHECK(r.totals.stale_hits == 0);
  CHECK(r.store.curr_items == 0);
}

TEST_CASE("commands replay: a capture sampled at F runs in a cache F times smaller, counts scaled back",
          "[simulator][commands]") {
  using enum RequestOp;
  std::vector<Request> requests;
  for (std::uint64_t i = 0; i < 40; ++i) requests.push_back(cmd(i, i % 4, i < 4 ? kWrite : kRead));
  ReplayConfig config;
  config.commands = true;
  config.capacity = Capacity{.amount = 8, .count_objects = true};
  config.presampled = 0.5;  // a cache of 4 objects holds the 4 keys
  VectorSource source(requests);
  const ReplayResult r = replay(source, config);
  CHECK(r.totals.reads == 72);
  CHECK(r.totals.hits == 72);
  CHECK(r.totals.writes == 8);
  config.presampled = 0.25;  // 2 objects: the last two sets stay; misses fill nothing
  VectorSource again(requests);
  const ReplayResult small = replay(again, config);
  CHECK(small.totals.reads == 144);
  CHECK(small.totals.hits == 72);
}
