// The simulator against closed-form results, on runs long enough for the stated tolerance.
// With n ~ 1e5 reads a ratio's standard error is about sqrt(p(1-p)/n) ~ 0.0016 (a little more
// for correlated hits), so 1% absolute is above 5 sigma and the tests do not flake; they are
// deterministic from the seed anyway.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>

#include "cachelab/sim/key_sampler.h"
#include "cachelab/sim/runner.h"
#include "sim_test_util.h"

using namespace cachelab::sim;

namespace {

// One class of `keys` keys read uniformly at `lambda` per key per second (and written at `mu`).
Scenario poisson_scenario(double lambda, double mu, double ttl_s, Invalidation mode) {
  Scenario s;
  s.name = "analytical";
  s.seed = 7;
  s.cache.capacity = Capacity{.amount = 1000000, .count_objects = true};  // never full
  s.invalidation = mode;
  WorkloadClass c;
  c.name = "items";
  c.keys = 500;
  c.reads_per_s = lambda * double(c.keys);
  c.writes_per_s = mu * double(c.keys);
  c.ttl_ms = static_cast<std::int64_t>(ttl_s * 1000);
  s.classes.push_back(c);
  s.duration_ms = 3000 * 1000;  // 150,000 reads at lambda = 0.1
  return s;
}

}  // namespace

TEST_CASE("TTL cache under Poisson reads: hit ratio = lambda T / (1 + lambda T)", "[sim][analytical]") {
  const double lambda = 0.1, ttl = 10;
  const ReplayResult r = run_scenario(poisson_scenario(lambda, 0, ttl, Invalidation::kTtlOnly));
  CHECK(r.totals.reads > 140000);
  CHECK(r.totals.hit_ratio() == Approx(lambda * ttl / (1 + lambda * ttl)).margin(0.01));
  CHECK(r.totals.stale_hits == 0);
}

TEST_CASE("ttl-only under Poisson writes: stale hits / hits = 1 - (1 - e^-muT) / (muT)", "[sim][analytical]") {
  const double lambda = 0.1, mu = 0.1, ttl = 10;
  const ReplayResult r = run_scenario(poisson_scenario(lambda, mu, ttl, Invalidation::kTtlOnly));
  const double mt = mu * ttl;
  CHECK(r.totals.hit_ratio() == Approx(lambda * ttl / (1 + lambda * ttl)).margin(0.01));
  CHECK(double(r.totals.stale_hits) / double(r.totals.hits) == Approx(1 - (1 - std::exp(-mt)) / mt).margin(0.01));
  CHECK(r.totals.writes > 140000);
}

TEST_CASE("delete-on-write: no stale hits, hit ratio = lambda tau / (1 + lambda tau)", "[sim][analytical]") {
  const double lambda = 0.1, mu = 0.1, ttl = 10;
  const ReplayResult r = run_scenario(poisson_scenario(lambda, mu, ttl, Invalidation::kDeleteOnWrite));
  const double tau = (1 - std::exp(-mu * ttl)) / mu;
  CHECK(r.totals.stale_hits == 0);
  CHECK(r.totals.hit_ratio() == Approx(lambda * tau / (1 + lambda * tau)).margin(0.01));
}

TEST_CASE("lru under zipf matches Che's approximation within 2%", "[sim][analytical]") {
  const std::uint64_t n = 10000, capacity = 1000;
  const double a = 0.8;
  Scenario s;
  s.name = "che";
  s.seed = 11;
  s.cache.capacity = Capacity{.amount = capacity, .count_objects = true};
  WorkloadClass c;
  c.keys = n;
  c.popularity = Popularity{.kind = Popularity::Kind::kZipf, .zipf_a = a};
  c.reads_per_s = 1000;
  s.classes.push_back(c);
  s.requests = 300000;
  const ReplayResult r = run_scenario(s);
  CHECK(r.totals.reads == 300000);

  // Che: the characteristic time T solves sum_i (1 - e^(-p_i T)) = C; hit ratio = sum_i p_i (1 - e^(-p_i T)).
  std::vector<double> p(n);
  double norm = 0;
  for (std::uint64_t i = 0; i < n; ++i) norm += p[i] = std::pow(double(i + 1), -a);
  for (double& x : p) x /= norm;
  auto occupancy = [&](double t) {
    double sum = 0;
    for (double x : p) sum += 1 - std::exp(-x * t);
    return sum;
  };
  double lo = 0, hi = 1e9;
  for (int i = 0; i < 200; ++i) ((occupancy((lo + hi) / 2) < double(capacity)) ? lo : hi) = (lo + hi) / 2;
  double che = 0;
  for (double x : p) che += x * (1 - std::exp(-x * lo));
  INFO("simulated " << r.totals.hit_ratio() << " Che " << che);
  CHECK(r.totals.hit_ratio() == Approx(che).margin(0.02));
}

TEST_CASE("zipf sampler (rejection-inversion) follows the zipf pmf", "[sim][workload]") {
  for (double a : {0.5, 0.99, 1.0, 1.5}) {
    const std::uint64_t n = 50;
    auto sampler = make_key_sampler(Popularity{.kind = Popularity::Kind::kZipf, .zipf_a = a}, n);
    Rng rng(3);
    std::vector<double> counts(n + 1, 0);  // counts[n]: out of range
    const int draws = 200000;
    for (int i = 0; i < draws; ++i) counts[std::min(sampler->sample(rng), n)] += 1;
    REQUIRE(counts[n] == 0);
    double norm = 0;
    for (std::uint64_t k = 1; k <= n; ++k) norm += std::pow(double(k), -a);
    for (std::uint64_t k = 0; k < n; ++k) {
      const double expected = std::pow(double(k + 1), -a) / norm;
      const double sigma = std::sqrt(expected * (1 - expected) / draws);
      INFO("a=" << a << " rank " << k);
      CHECK(std::abs(counts[k] / draws - expected) < 5 * sigma);
    }
  }
}

TEST_CASE("zipf sampler is O(1) in the number of keys", "[sim][workload]") {
  // A billion keys: no table is built, draws stay in range.
  auto sampler = make_key_sampler(Popularity{.kind = Popularity::Kind::kZipf, .zipf_a = 0.9}, 1000000000);
  Rng rng(1);
  std::uint64_t largest = 0;
  for (int i = 0; i < 10000; ++i) largest = std::max(largest, sampler->sample(rng));
  CHECK(largest < 1000000000);
}

TEST_CASE("hotspot and sequential popularity", "[sim][workload]") {
  auto hot = make_key_sampler(Popularity{.kind = Popularity::Kind::kHotspot, .key_fraction = 0.1, .traffic_fraction = 0.9}, 1000);
  Rng rng(5);
  int in_hot = 0;
  for (int i = 0; i < 100000; ++i) in_hot += hot->sample(rng) < 100;
  CHECK(in_hot / 100000.0 == Approx(0.9).margin(0.01));
  auto seq = make_key_sampler(Popularity{.kind = Popularity::Kind::kSequential}, 3);
  std::vector<std::uint64_t> got;
  for (int i = 0; i < 5; ++i) got.push_back(seq->sample(rng));
  CHECK(got == std::vector<std::uint64_t>{0, 1, 2, 0, 1});
}
