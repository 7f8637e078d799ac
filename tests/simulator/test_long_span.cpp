// Replays of any span: the engine's 32-bit clock moves its epoch (Store::shift_time) and the
// results are those of a 64-bit clock. Checked against references written here with 64-bit time,
// and against the same replay with the epoch never moved.
#include <catch2/catch.hpp>

#include <list>
#include <unordered_map>

#include "sim_test_util.h"

using namespace cachelab::sim;
using namespace cachelab::sim::test;

namespace {

constexpr std::uint64_t kDayMs = 86'400'000;

ReplayResult run(std::vector<Request> requests, ReplayConfig config) {
  VectorSource source(std::move(requests));
  return replay(source, config);
}

// Keys skewed toward small ids (a product of two uniforms), reproducible.
std::vector<Request> skewed_stream(std::size_t n, std::uint64_t spacing_ms, std::uint64_t keys, std::uint32_t seed) {
  std::vector<Request> out;
  std::uint64_t x = seed;
  auto next = [&x] {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x >> 33;
  };
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t k = (next() % keys) * (next() % keys) / keys;
    out.push_back(Request{.time_ms = i * spacing_ms, .key = k, .size = 1});
  }
  return out;
}

// LRU and FIFO by the book, counting objects: the hits a 64-bit clock gives (time plays no part).
std::uint64_t reference_hits(const std::vector<Request>& requests, std::size_t capacity, bool lru) {
  std::list<std::uint64_t> order;  // front: next to evict
  std::unordered_map<std::uint64_t, std::list<std::uint64_t>::iterator> where;
  std::uint64_t hits = 0;
  for (const Request& r : requests) {
    auto found = where.find(r.key);
    if (found != where.end()) {
      ++hits;
      if (lru) order.splice(order.end(), order, found->second);
      continue;
    }
    if (order.size() == capacity) {
      where.erase(order.front());
      order.pop_front();
    }
    where[r.key] = order.insert(order.end(), r.key);
  }
  return hits;
}

ReplayConfig objects(const char* policy, std::uint64_t n) {
  ReplayConfig c;
  c.policy = policy;
  c.capacity = Capacity{.amount = n, .count_objects = true};
  return c;
}

}  // namespace

TEST_CASE("long span: 139 days of requests, lru and fifo as a 64-bit clock gives them", "[sim][long_span]") {
  // 300,000 requests 40 s apart: 139 days, past the 49.7 days 32-bit ms reach.
  const auto requests = skewed_stream(300'000, 40'000, 20'000, 7);
  for (const bool lru : {true, false}) {
    const ReplayResult r = run(requests, objects(lru ? "lru" : "fifo", 1000));
    CHECK(r.totals.hits == reference_hits(requests, 1000, lru));
    CHECK(r.totals.requests == 300'000);
    CHECK(r.span_ms == 299'999ull * 40'000);
    CHECK(r.clock_shifts >= 40);  // every 3.1 days
  }
}

TEST_CASE("long span: TTLs across epoch moves and a 200-day gap", "[sim][long_span]") {
  // Keys with TTLs from 1 hour to 45 days, each read on its own period over 300 days, then a
  // 200-day silence, then once more. Infinite capacity: a read hits iff its copy has not expired,
  // which a 64-bit reference computes here.
  const std::int64_t ttls_ms[] = {3'600'000, 2 * kDayMs, 10 * kDayMs, 30 * kDayMs, 45 * kDayMs};
  const std::uint64_t periods_ms[] = {1'000'000, 7'000'000, 2 * kDayMs + 5, 11 * kDayMs + 3, 17 * kDayMs};
  std::vector<Request> requests;
  for (std::uint64_t t = 0; t < 300 * kDayMs; t += 500'000)
    for (std::uint64_t k = 0; k < 5; ++k)
      for (std::uint64_t p = 0; p < 5; ++p)
        if (t % periods_ms[p] < 500'000)
          requests.push_back(Request{.time_ms = t, .key = k * 10 + p, .size = 1, .ttl_ms = ttls_ms[k]});
  for (std::uint64_t k = 0; k < 5; ++k)
    requests.push_back(Request{.time_ms = 500 * kDayMs, .key = k * 10, .size = 1, .ttl_ms = ttls_ms[k]});
  std::unordered_map<std::uint64_t, std::uint64_t> expiry;
  std::uint64_t hits = 0;
  for (const Request& r : requests) {
    auto e = expiry.find(r.key);
    if (e != expiry.end() && r.time_ms < e->second) {
      ++hits;
      continue;
    }
    expiry[r.key] = r.time_ms + static_cast<std::uint64_t>(r.ttl_ms);
  }
  const ReplayResult r = run(requests, objects("lru", 1'000'000));
  CHECK(r.totals.hits == hits);
  CHECK(r.totals.misses == requests.size() - hits);
  CHECK(hits > requests.size() / 2);  // the check means something: most reads hit
  CHECK(r.clock_shifts >= 100);       // 500 days: every 3.1 days, and the gap in 49-day steps
}

TEST_CASE("long span: moving the epoch changes nothing, whatever the policy", "[sim][long_span]") {
  // 20 days with TTLs and writes, small enough for one epoch: the same replay with the epoch moved
  // every 3.1 days (the default) and with it never moved must agree on every figure. ttl orders
  // by expiry, redis-lfu decays by minutes: both keep time in their own state.
  std::vector<Request> requests = skewed_stream(50'000, 34'560, 5'000, 3);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    requests[i].ttl_ms = static_cast<std::int64_t>((1 + i % 7) * 3 * kDayMs / 7);  // 0.4 to 3 days
    if (i % 11 == 0) requests[i].op = RequestOp::kWrite;
  }
  for (const char* policy : {"lru", "ttl", "redis-lfu", "s3fifo"}) {
    INFO(policy);
    ReplayConfig moved = objects(policy, 600);
    // A slow decay (10 hours a step), so that counters live across epoch moves.
    if (std::string_view(policy) == "redis-lfu") moved.policy_args["decay_time"] = "600";
    moved.invalidation = Invalidation::kDeleteOnWrite;
    ReplayConfig fixed = moved;
    fixed.clock_shift_at_ms = std::uint64_t{1} << 40;
    const ReplayResult a = run(requests, moved);
    const ReplayResult b = run(requests, fixed);
    CHECK(a.clock_shifts >= 5);
    CHECK(b.clock_shifts == 0);
    CHECK(a.totals.hits == b.totals.hits);
    CHECK(a.totals.stale_hits == b.totals.stale_hits);
    CHECK(a.store.evictions == b.store.evictions);
    CHECK(a.store.expirations == b.store.expirations);
    CHECK(a.totals.hits > 0);
  }
}
