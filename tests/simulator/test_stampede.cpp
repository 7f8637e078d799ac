// Fills that take time and the protections against stampedes (simulator/src/fill_model.cpp),
// against closed forms. One key read as a Poisson process at lambda per second, TTL T, every fill
// taking L (fixed). A "cycle" is one copy's life: the fill that starts it is the one started while
// no other fill of the key was under way, so cycles = origin reads - duplicate fills.
//
// The replay's clock counts whole ms and the workload floors its continuous arrival times to ms,
// so a fill started by an arrival at s (in ms, t0 = floor(s)) completes at t0 + L: the window in
// which later arrivals find it under way is L - frac(s) long, L - 0.5 ms on average. The expected
// figures below use that window, L' = L - 0.5 ms; its effect is well inside the tolerances anyway.
// Tolerances are 4 standard deviations of the estimate, from the variance of the quantity
// counted (Poisson counts per cycle: variance lambda L'), so the tests do not flake; they are
// deterministic from the seed in any case.
#include <catch2/catch.hpp>
#include <cmath>

#include "cachelab/sim/runner.h"
#include "sim_test_util.h"

using namespace cachelab::sim;

namespace {

Scenario hot_key(double lambda, double ttl_s, double fill_ms, Protection protection, double duration_s) {
  Scenario s;
  s.name = "stampede";
  s.seed = 19;
  s.cache.capacity = Capacity{.amount = 1000, .count_objects = true};
  WorkloadClass c;
  c.name = "hot";
  c.keys = 1;
  c.reads_per_s = lambda;
  c.ttl_ms = static_cast<std::int64_t>(ttl_s * 1000);
  c.fills.latency.kind = FillLatency::Kind::kFixed;
  c.fills.latency.fixed_ms = fill_ms;
  c.fills.protection = protection;
  c.fills.grace_ms = 10'000;
  s.classes.push_back(c);
  s.duration_ms = static_cast<std::uint64_t>(duration_s * 1000);
  return s;
}

constexpr double kLambda = 100, kTtl = 5, kFillMs = 200, kDuration = 4000;
const double kWindowS = (kFillMs - 0.5) / 1000;  // L': see the top of the file

}  // namespace

TEST_CASE("protection none: a hot key's expiry costs 1 + lambda L fills per TTL cycle", "[sim][stampede]") {
  const ReplayCounts t = run_scenario(hot_key(kLambda, kTtl, kFillMs, Protection::kNone, kDuration)).totals;
  const double cycles = double(t.origin_reads - t.duplicate_fills);
  REQUIRE(cycles > 700);  // 4000 s / (T + L + 1/lambda)
  const double sigma = std::sqrt(kLambda * kWindowS / cycles);
  const double fills_per_cycle = double(t.origin_reads) / cycles;
  INFO("fills per cycle " << fills_per_cycle << ", expected " << 1 + kLambda * kWindowS << " +- " << 4 * sigma);
  CHECK(std::abs(fills_per_cycle - (1 + kLambda * kWindowS)) < 4 * sigma);
  // Every read of the stampede reads the origin and waits its own fill.
  CHECK(t.misses == t.origin_reads);
  CHECK(t.wait_p50_ms == kFillMs);
  CHECK(t.wait_p99_ms == kFillMs);
  // All of a cycle's fills start within L of each other: the database sees them in one second
  // or two, so its peak is at least half of them.
  CHECK(double(t.peak_origin_reads_per_s) >= fills_per_cycle / 2);
}

TEST_CASE("protection lease: exactly one fill per TTL cycle, waiting readers wait L/2 on average", "[sim][stampede]") {
  const ReplayCounts t = run_scenario(hot_key(kLambda, kTtl, kFillMs, Protection::kLease, kDuration)).totals;
  CHECK(t.duplicate_fills == 0);
  // One fill per cycle, and a cycle lasts T + L + 1/lambda (the copy's life, its fill, the
  // next read): up to one cycle either way.
  const double cycle_s = kTtl + kFillMs / 1000 + 1 / kLambda;
  CHECK(std::abs(double(t.origin_reads) - kDuration / cycle_s) < 2);
  const double waiters = double(t.misses - t.origin_reads);
  REQUIRE(waiters > 10000);
  // Fillers wait L each; the others wait for the fill under way: uniform over it, mean L/2 (plus
  // 0.25 ms from the ms clock), standard deviation L / sqrt(12).
  const double mean_wait = (t.wait_ms_sum - kFillMs * double(t.origin_reads)) / waiters;
  const double sigma = kFillMs / std::sqrt(12.0 * waiters);
  INFO("mean wait of waiting readers " << mean_wait << " ms, expected " << kFillMs / 2 << " +- " << 4 * sigma + 0.25);
  CHECK(std::abs(mean_wait - kFillMs / 2) < 4 * sigma + 0.25);
  CHECK(t.peak_origin_reads_per_s == 1);
  CHECK(t.stale_hits == 0);
}

TEST_CASE("protection serve-stale: nobody waits, about lambda L stale reads per refresh", "[sim][stampede]") {
  const ReplayCounts t = run_scenario(hot_key(kLambda, kTtl, kFillMs, Protection::kServeStale, kDuration)).totals;
  CHECK(t.duplicate_fills == 0);
  // Only the cold start waits: the first read fills, those during its fill have no old copy yet.
  CHECK(t.waits == t.misses);
  CHECK(double(t.misses) < 1 + kLambda * kWindowS + 5 * std::sqrt(kLambda * kWindowS));
  const double refreshes = double(t.origin_reads - 1);
  REQUIRE(refreshes > 700);
  // The refresher is served the old copy too: 1 + lambda L' stale reads per refresh.
  const double stale_per_refresh = double(t.stale_hits) / refreshes;
  const double sigma = std::sqrt(kLambda * kWindowS / refreshes);
  INFO("stale reads per refresh " << stale_per_refresh << ", expected " << 1 + kLambda * kWindowS);
  CHECK(std::abs(stale_per_refresh - (1 + kLambda * kWindowS)) < 4 * sigma);
  CHECK(t.peak_origin_reads_per_s == 1);
  // Served past the TTL by at most L (plus the gap to the first read after it).
  CHECK(t.mean_stale_age_s() < kFillMs / 1000);
}

TEST_CASE("protection early-refresh (XFetch): the expected early refresh time", "[sim][stampede]") {
  // Each hit at remaining time r refreshes with probability e^(-r / (delta beta)), so with Poisson
  // reads the first refresh's lead R has P(R > r) = 1 - exp(-lambda delta beta (e^(-r/(delta
  // beta)) - e^(-T/(delta beta)))); E[R] = integral of that over [0, T] (about delta beta
  // (ln(lambda delta beta) + 0.5772) when T >> delta beta: Vattani et al., VLDB 2015, section 4).
  const double lambda = 200, ttl = 2, delta_ms = 100, beta = 1;
  Scenario s = hot_key(lambda, ttl, delta_ms, Protection::kEarlyRefresh, 2000);
  s.classes[0].fills.beta = beta;
  const ReplayCounts t = run_scenario(s).totals;
  REQUIRE(t.early_refreshes > 1000);
  const double db = delta_ms * beta, ttl_ms = ttl * 1000;
  double expected = 0;
  const int steps = 200000;
  for (int i = 0; i < steps; ++i) {
    const double r = (i + 0.5) * ttl_ms / steps;
    expected += (1 - std::exp(-lambda / 1000 * db * (std::exp(-r / db) - std::exp(-ttl_ms / db)))) * ttl_ms / steps;
  }
  const double mean_lead = t.early_refresh_lead_ms_sum / double(t.early_refreshes);
  // R is Gumbel-like: standard deviation about pi / sqrt(6) delta beta.
  const double sigma = M_PI / std::sqrt(6.0) * db / std::sqrt(double(t.early_refreshes));
  INFO("mean lead " << mean_lead << " ms, expected " << expected << " +- " << 4 * sigma);
  CHECK(std::abs(mean_lead - expected) < 4 * sigma + 1);
  CHECK(expected == Approx(db * (std::log(lambda / 1000 * db) + 0.5772156649)).epsilon(0.01));
  // The copy is refreshed before it expires: almost no read misses it.
  CHECK(double(t.misses) / double(t.reads) < 0.01);
}

TEST_CASE("instant fills through the fill path give the fast path's counts", "[sim][stampede]") {
  // A lease with fill_latency 0 decides every read one at a time (lookup, then store); the fast
  // path does it in batches (read-and-fill): the counts must be the same, evictions included.
  Scenario s;
  s.name = "instant";
  s.seed = 3;
  s.duration_ms = 200'000;
  s.cache.capacity = Capacity{.amount = 300, .count_objects = true};
  s.invalidation = Invalidation::kDeleteOnWrite;
  WorkloadClass c;
  c.name = "items";
  c.keys = 2000;
  c.popularity = Popularity{.kind = Popularity::Kind::kZipf, .zipf_a = 0.9};
  c.reads_per_s = 500;
  c.writes_per_s = 20;
  c.ttl_ms = 30'000;
  s.classes.push_back(c);
  const ReplayResult fast = run_scenario(s);
  s.classes[0].fills.protection = Protection::kLease;
  const ReplayResult filled = run_scenario(s);
  CHECK(filled.totals.hits == fast.totals.hits);
  CHECK(filled.totals.misses == fast.totals.misses);
  CHECK(filled.totals.origin_reads == fast.totals.origin_reads);
  CHECK(filled.totals.stale_hits == fast.totals.stale_hits);
  CHECK(filled.store.evictions == fast.store.evictions);
  CHECK(filled.totals.duplicate_fills == 0);
  CHECK(filled.totals.waits == 0);
}

TEST_CASE("peak origin reads per second: the busiest whole second", "[sim][stampede]") {
  // Misses at 0.1 s, 1.0-1.2 s (three) and 2.5 s; reads of a cached key do not count.
  std::vector<Request> requests;
  for (std::uint64_t t : {100, 1000, 1100, 1200, 1300, 2500})
    requests.push_back(Request{.time_ms = t, .key = t == 1300 ? 1000u : t, .size = 1});
  test::VectorSource source(requests);
  const ReplayResult r = replay(source, ReplayConfig{});
  CHECK(r.totals.origin_reads == 5);
  CHECK(r.totals.peak_origin_reads_per_s == 3);
}

TEST_CASE("clock: seconds expires at floor(t) + TTL, as the server does", "[sim][stampede]") {
  // Stored at 0.9 s with a 2 s TTL: the server keeps it until 2.0 s, the exact clock until 2.9 s.
  auto run = [](bool whole_seconds) {
    std::vector<Request> requests;
    for (std::uint64_t t : {900, 1999, 2000, 2899})
      requests.push_back(Request{.time_ms = t, .key = 7, .size = 1, .ttl_ms = 2000});
    test::VectorSource source(requests);
    ReplayConfig config;
    config.whole_second_clock = whole_seconds;
    return replay(source, config).totals;
  };
  const ReplayCounts seconds = run(true), exact = run(false);
  CHECK(seconds.hits == 2);  // 1.999 s hits; 2.0 s misses and refills until 4.0 s, so 2.899 s hits
  CHECK(seconds.misses == 2);
  CHECK(exact.hits == 3);
  CHECK(exact.misses == 1);
}

TEST_CASE("a write during a fill: leases revoke it, unprotected fills store an outdated copy", "[sim][stampede]") {
  // delete-on-write, a write every 2 s on average during 200 ms fills: some writes land while a
  // fill is under way. Without a token the fill then stores the version it read, outdated until
  // the TTL ends (the classic race); with a lease (or serve-stale's token) the store fails and the
  // next read fills anew, so nothing outdated is served.
  auto run = [](Protection p) {
    Scenario s = hot_key(kLambda, kTtl, kFillMs, p, 1000);
    s.invalidation = Invalidation::kDeleteOnWrite;
    s.classes[0].writes_per_s = 0.5;
    return run_scenario(s).totals;
  };
  const ReplayCounts none = run(Protection::kNone), lease = run(Protection::kLease), stale = run(Protection::kServeStale);
  CHECK(none.stale_hits > 1000);
  CHECK(lease.stale_hits == 0);
  CHECK(lease.duplicate_fills == 0);
  // serve-stale serves the invalidated copy during the refresh on purpose, never for long.
  CHECK(stale.mean_stale_age_s() < 2 * kFillMs / 1000);
}

TEST_CASE("lognormal fill latency: the readers' wait quantiles are the latency's", "[sim][stampede]") {
  // Without protection every read that waits, waits its own fill, an independent draw: p50 and
  // p99 of the waits are the latency's median and p99. (Fewer than 1 + lambda E[L] fills per
  // cycle: a later fill that draws a shorter latency lands first and ends the stampede.) About
  // 10,500 waits: the p99's standard error is sqrt(0.99 * 0.01 / n) / density(p99) = 7 ms (3.6%),
  // so 12% is 3.3 sigma.
  Scenario s = hot_key(200, 2, 0, Protection::kNone, 6000);
  s.classes[0].fills.latency = *parse_fill_latency("lognormal(20ms, 200ms)");
  const ReplayCounts t = run_scenario(s).totals;
  REQUIRE(t.waits > 9000);
  CHECK(t.waits == t.origin_reads);
  CHECK(t.wait_p50_ms == Approx(20).margin(2));
  CHECK(t.wait_p99_ms == Approx(200).epsilon(0.12));
}

TEST_CASE("fills that take time need a shared cache: local and two-tier are refused", "[sim][stampede]") {
  for (TopologyKind kind : {TopologyKind::kLocal, TopologyKind::kTwoTier}) {
    Scenario s = hot_key(kLambda, kTtl, kFillMs, Protection::kLease, 10);
    s.topology.kind = kind;
    s.topology.processes = 2;
    s.topology_given = true;
    CHECK_THROWS_WITH(run_scenario(s), Catch::Contains("replay through a shared cache"));
  }
  Scenario cluster = hot_key(kLambda, kTtl, kFillMs, Protection::kLease, 100);
  cluster.cluster = ClusterSpec{};
  cluster.cluster->servers = {"node1", "node2", "node3"};
  cluster.topology_given = true;
  CHECK(run_scenario(cluster).totals.duplicate_fills == 0);
}
