// The synthetic workload: rates, determinism, sizes, and the events (restart, popularity shift)
// visible in the timeline.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>

#include "cachelab/sim/runner.h"
#include "cachelab/sim/workload.h"
#include "sim_test_util.h"

using namespace cachelab::sim;
using namespace cachelab::sim::test;

namespace {

Scenario one_class(double reads_per_s, double writes_per_s, std::uint64_t keys = 1000) {
  Scenario s;
  s.name = "w";
  s.seed = 99;
  s.duration_ms = 100 * 1000;
  s.cache.capacity = Capacity{.amount = 100, .count_objects = true};
  WorkloadClass c;
  c.name = "c";
  c.keys = keys;
  c.popularity = Popularity{.kind = Popularity::Kind::kZipf, .zipf_a = 1.0};
  c.reads_per_s = reads_per_s;
  c.writes_per_s = writes_per_s;
  s.classes.push_back(c);
  return s;
}

}  // namespace

TEST_CASE("workload: Poisson counts match the rates, same seed, same stream", "[sim][workload]") {
  const Scenario s = one_class(500, 100);
  SyntheticWorkload a(s), b(s);
  const auto ra = read_all(a), rb = read_all(b);
  std::uint64_t reads = 0, writes = 0;
  bool same = ra.size() == rb.size();
  bool ordered = true;
  for (std::size_t i = 0; i < ra.size(); ++i) {
    reads += ra[i].op == RequestOp::kRead;
    writes += ra[i].op == RequestOp::kWrite;
    same = same && i < rb.size() && ra[i].key == rb[i].key && ra[i].time_ms == rb[i].time_ms;
    ordered = ordered && (i == 0 || ra[i].time_ms >= ra[i - 1].time_ms);
  }
  CHECK(same);
  CHECK(ordered);
  // 50,000 and 10,000 expected; a Poisson count's sigma is its square root (224 and 100).
  CHECK(std::abs(double(reads) - 50000) < 5 * 224);
  CHECK(std::abs(double(writes) - 10000) < 5 * 100);
  CHECK(ra.back().time_ms < 100000);

  Scenario other = s;
  other.seed = 100;
  SyntheticWorkload c(other);
  const auto rc = read_all(c);
  CHECK((rc.size() != ra.size() || rc[10].key != ra[10].key || rc[10].time_ms != ra[10].time_ms));
}

TEST_CASE("workload: one size per key, from its distribution", "[sim][workload]") {
  const SizeDistribution logn{.kind = SizeDistribution::Kind::kLognormal, .a = 6, .b = 0.5};
  const SizeDistribution unif{.kind = SizeDistribution::Kind::kUniform, .a = 100, .b = 200};
  double sum = 0;
  const int n = 100000;
  std::uint32_t lo = UINT32_MAX, hi = 0;
  for (int k = 0; k < n; ++k) {
    sum += SyntheticWorkload::key_size(1, 0, logn, k);
    const auto u = SyntheticWorkload::key_size(1, 0, unif, k);
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  // E[size] = e^(mu + sigma^2/2) = 457.1; the sample mean's sigma is about 0.2%.
  CHECK(sum / n == Approx(std::exp(6 + 0.125)).epsilon(0.01));
  CHECK(lo == 100);
  CHECK(hi == 200);
  CHECK(SyntheticWorkload::key_size(1, 0, logn, 42) == SyntheticWorkload::key_size(1, 0, logn, 42));
}

TEST_CASE("restart: the warm-up shows in the timeline", "[sim][workload]") {
  Scenario s = one_class(1000, 0);
  s.restarts_ms = {50000};
  const ReplayResult r = run_scenario(s, 10000);
  REQUIRE(r.timeline.size() == 10);
  const double before = r.timeline[4].counts.hit_ratio();
  const double just_after = r.timeline[5].counts.hit_ratio();
  CHECK(just_after < before);
  CHECK(r.timeline[5].counts.origin_reads > r.timeline[4].counts.origin_reads);
  CHECK(r.timeline[9].counts.hit_ratio() == Approx(before).margin(0.02));  // warm again
}

TEST_CASE("popularity shift: the hot keys change at the event", "[sim][workload]") {
  Scenario s = one_class(1000, 0, 100000);
  s.shifts = {ShiftEvent{.at_ms = 50000, .class_name = "c", .fraction = 0.5}};
  SyntheticWorkload w(s);
  std::map<std::uint64_t, int> before, after;
  for (const Request& r : read_all(w)) (r.time_ms < 50000 ? before : after)[r.key]++;
  auto top = [](const std::map<std::uint64_t, int>& m) {
    return std::max_element(m.begin(), m.end(), [](auto& x, auto& y) { return x.second < y.second; })->first;
  };
  const std::uint64_t mask = (1ull << SyntheticWorkload::kClassShift) - 1;
  CHECK((top(before) & mask) == 0);      // rank 0 is key 0...
  CHECK((top(after) & mask) == 50000);   // ...then the key half the key space away
  // And the cache sees it: lfu, holding on to the old favourites, loses hits after the shift.
  s.cache.policy = "lfu";
  const ReplayResult r = run_scenario(s, 10000);
  CHECK(r.timeline[5].counts.hit_ratio() < r.timeline[4].counts.hit_ratio());
}
