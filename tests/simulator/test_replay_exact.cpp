// Exact outcomes of the replay on small hand-written traces: hits and misses per policy, the
// origin model's stale hits and ages per invalidation mode, TTLs, restarts, the timeline.
#include <catch2/catch.hpp>

#include "sim_test_util.h"

using namespace cachelab::sim;
using namespace cachelab::sim::test;

namespace {

ReplayResult run(std::vector<Request> requests, ReplayConfig config) {
  VectorSource source(std::move(requests));
  return replay(source, config);
}

ReplayConfig objects(const char* policy, std::uint64_t n) {
  ReplayConfig c;
  c.policy = policy;
  c.capacity = Capacity{.amount = n, .count_objects = true};
  return c;
}

Request read(std::uint64_t t_ms, std::uint64_t key, std::int64_t ttl_ms = kTtlUnset) {
  return Request{.time_ms = t_ms, .key = key, .size = 1, .op = RequestOp::kRead, .ttl_ms = ttl_ms};
}
Request write(std::uint64_t t_ms, std::uint64_t key) {
  return Request{.time_ms = t_ms, .key = key, .size = 1, .op = RequestOp::kWrite};
}

}  // namespace

TEST_CASE("lru and fifo: exact hits on a hand-written key stream", "[sim][replay]") {
  // capacity 2: lru  1m 2m 1h 3m(evicts 2) 2m(evicts 1) 1m(evicts 3)      -> 1 hit
  //             fifo 1m 2m 1h 3m(evicts 1) 2h          1m(evicts 2)      -> 2 hits
  const auto keys = key_stream({1, 2, 1, 3, 2, 1});
  const ReplayResult lru = run(keys, objects("lru", 2));
  CHECK(lru.totals.hits == 1);
  CHECK(lru.totals.misses == 5);
  CHECK(lru.store.evictions == 3);
  const ReplayResult fifo = run(keys, objects("fifo", 2));
  CHECK(fifo.totals.hits == 2);
  CHECK(fifo.totals.misses == 4);
  CHECK(fifo.totals.origin_reads == 4);
  CHECK(fifo.totals.reads == 6);
  CHECK(fifo.totals.writes == 0);
}

TEST_CASE("lru: a scan of one-time keys flushes the hot set", "[sim][replay]") {
  std::vector<std::uint64_t> keys;
  for (int round = 0; round < 3; ++round) keys.insert(keys.end(), {1, 2, 3});
  for (std::uint64_t k = 100; k < 104; ++k) keys.push_back(k);  // the scan
  keys.insert(keys.end(), {1, 2, 3});
  const ReplayResult r = run(key_stream(keys), objects("lru", 3));
  CHECK(r.totals.hits == 6);  // rounds 2 and 3; all three misses after the scan
  CHECK(r.totals.misses == 10);
}

TEST_CASE("byte mode: a too-large object is never cached, overhead counts per item", "[sim][replay]") {
  ReplayConfig c;
  c.capacity = Capacity{.amount = 100};
  std::vector<Request> big{{.time_ms = 0, .key = 1, .size = 150}, {.time_ms = 1, .key = 1, .size = 150}};
  CHECK(run(big, c).totals.hits == 0);

  c.overhead_bytes = 50;  // each 30-byte object now costs 80: only one fits
  std::vector<Request> two{{.time_ms = 0, .key = 1, .size = 30}, {.time_ms = 1, .key = 2, .size = 30},
                           {.time_ms = 2, .key = 1, .size = 30}};
  CHECK(run(two, c).totals.hits == 0);
  c.overhead_bytes = 0;
  const ReplayResult r = run(two, c);
  CHECK(r.totals.hits == 1);
  CHECK(r.totals.hit_bytes == 30);
  CHECK(r.totals.read_bytes == 90);
}

TEST_CASE("ttl-only: a copy outdated by writes is served stale, aged from the first write", "[sim][staleness]") {
  const std::vector<Request> reqs{read(0, 1), write(1000, 1), read(3000, 1), write(4000, 1), read(5000, 1)};
  const ReplayResult r = run(reqs, objects("lru", 10));
  CHECK(r.totals.reads == 3);
  CHECK(r.totals.writes == 2);
  CHECK(r.totals.hits == 2);
  CHECK(r.totals.stale_hits == 2);
  // Both hits serve the copy filled at t=0, outdated since the write at t=1s: ages 2s and 4s.
  CHECK(r.totals.mean_stale_age_s() == Approx(3.0));
  CHECK(r.totals.stale_ratio() == Approx(2.0 / 3.0));
}

TEST_CASE("ttl-only: a refill after expiry is fresh again", "[sim][staleness]") {
  const std::vector<Request> reqs{read(0, 1, 2000), write(1000, 1), read(1500, 1, 2000),  // stale
                                  read(2500, 1, 2000),                                     // expired: refill v1
                                  read(2600, 1, 2000)};                                    // fresh hit
  const ReplayResult r = run(reqs, objects("lru", 10));
  CHECK(r.totals.hits == 2);
  CHECK(r.totals.stale_hits == 1);
  CHECK(r.totals.mean_stale_age_s() == Approx(0.5));
  CHECK(r.store.expirations == 1);
}

TEST_CASE("delete-on-write and update-on-write never serve stale copies", "[sim][staleness]") {
  const std::vector<Request> reqs{read(0, 1), write(1000, 1), read(3000, 1), write(4000, 1), read(5000, 1)};
  ReplayConfig c = objects("lru", 10);
  c.invalidation = Invalidation::kDeleteOnWrite;
  const ReplayResult del = run(reqs, c);
  CHECK(del.totals.hits == 0);
  CHECK(del.totals.misses == 3);
  CHECK(del.totals.stale_hits == 0);

  c.invalidation = Invalidation::kUpdateOnWrite;
  const ReplayResult upd = run(reqs, c);
  CHECK(upd.totals.hits == 2);
  CHECK(upd.totals.stale_hits == 0);

  // update-on-write replaces only cached copies: a write to an uncached key inserts nothing.
  const ReplayResult cold = run({write(0, 7), read(1, 7)}, c);
  CHECK(cold.totals.hits == 0);
}

TEST_CASE("TTL: a copy lives exactly ttl ms after its fill, cache.ttl overrides", "[sim][replay]") {
  const std::vector<Request> reqs{read(0, 1, 1000), read(999, 1, 1000), read(1000, 1, 1000)};
  const ReplayResult r = run(reqs, objects("lru", 10));
  CHECK(r.totals.hits == 1);
  CHECK(r.totals.misses == 2);

  ReplayConfig c = objects("lru", 10);
  c.ttl_override_ms = 0;  // no expiry
  CHECK(run(reqs, c).totals.hits == 2);
}

TEST_CASE("restart empties the cache, the timeline shows each interval", "[sim][replay]") {
  ReplayConfig c = objects("lru", 10);
  c.restarts_ms = {2000};
  c.timeline_interval_ms = 1000;
  const std::vector<Request> reqs{read(0, 1), read(500, 1), read(1500, 1), read(3500, 1), read(3600, 1)};
  const ReplayResult r = run(reqs, c);
  CHECK(r.totals.hits == 3);  // 500, 1500, 3600; 3500 misses after the restart
  REQUIRE(r.timeline.size() == 4);
  CHECK(r.timeline[0].counts.reads == 2);
  CHECK(r.timeline[0].counts.hits == 1);
  CHECK(r.timeline[1].counts.hits == 1);
  CHECK(r.timeline[2].counts.reads == 0);
  CHECK(r.timeline[3].start_ms == 3000);
  CHECK(r.timeline[3].counts.origin_reads == 1);
}

TEST_CASE("the clock is rebased on the first request and runs past 49.7 days", "[sim][replay]") {
  const std::uint64_t day = 86400000;
  CHECK(run({read(1000 * day, 1), read(1000 * day + 49 * day, 1)}, objects("lru", 10)).totals.hits == 1);
  // 32-bit ms end at 49.7 days: the replay goes on (tests/simulator/test_long_span.cpp).
  const ReplayResult r = run({read(0, 1), read(50 * day, 1), read(5000 * day, 2, 1000), read(5000 * day + 999, 2),
                              read(5000 * day + 1000, 2)},
                             objects("lru", 10));
  CHECK(r.totals.hits == 2);  // key 1 at 50 days; key 2 999 ms into its 1 s TTL, not at 1000 ms
  CHECK(r.span_ms == 5000 * day + 1000);
}

TEST_CASE("proactive expiry: dead items are reclaimed before they push out live ones", "[sim][replay]") {
  // lru, 4 objects: A1 A2 (no expiry), then B1 B2 (1 s TTL, more recent). At 5 s, C1 C2 arrive:
  // without proactive expiry lru would evict A1 and A2 (least recent) and keep the dead B's.
  const std::vector<Request> reqs{read(0, 1), read(0, 2), read(1, 11, 1000), read(1, 12, 1000),
                                  read(5000, 21), read(5000, 22), read(5001, 1), read(5001, 2)};
  const ReplayResult r = run(reqs, objects("lru", 4));
  CHECK(r.totals.hits == 2);
  CHECK(r.store.expirations == 2);
  CHECK(r.store.evictions == 0);
}
