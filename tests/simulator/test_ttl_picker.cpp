// cachelab ttl's search, checked against the analytical TTL cache: Poisson reads λ and writes μ
// per key, ttl-only: hit ratio h = λT/(1+λT), stale share of hits s = 1 − (1−e^(−μT))/(μT), so
// the stale ratio (stale hits / reads) is h·s. With λ = 1/s and μ = 0.1/s:
//   T = 1s: 0.024   2s: 0.062   5s: 0.178   10s: 0.334   (margins far above the sampling noise)
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "cachelab/sim/scenario.h"
#include "cachelab/sim/ttl_picker.h"

using namespace cachelab::sim;

namespace {
std::string write_scenario(const std::string& name, const std::string& classes) {
  const auto path = std::filesystem::temp_directory_path() / ("cachelab-ttl-" + std::to_string(::getpid()) + "-" + name + ".yaml");
  std::ofstream(path) << "name: " << name << "\nseed: 7\nduration: 150s\n"
                      << "cache: {capacity: 1GiB, policy: lru}\ninvalidation: ttl-only\nclasses:\n" << classes;
  return path.string();
}
const std::string kOneClass =
    "  - {name: items, keys: 1000, popularity: uniform, size: fixed(100), reads_per_s: 1000, writes_per_s: 100}\n";
}  // namespace

TEST_CASE("ttl: picks the longest TTL whose stale ratio fits the budget, as the model predicts", "[simulator][ttl]") {
  const std::string path = write_scenario("one", kOneClass);
  TtlOptions options;
  options.max_stale_ratio = 0.1;
  options.candidates_ms = {5000, 1000, 10000, 2000};  // any order
  options.jobs = 2;
  const auto choices = pick_ttls(load_scenario(path), options);
  std::filesystem::remove(path);
  REQUIRE(choices.size() == 1);
  const TtlChoice& c = choices[0];
  CHECK(c.group == "items");
  REQUIRE(c.trials.size() == 4);
  CHECK(c.trials[0].ttl_ms == 1000);
  CHECK(c.trials[0].hit_ratio == Approx(0.5).margin(0.02));
  CHECK(c.trials[1].stale_ratio == Approx(0.0624).margin(0.01));
  CHECK(c.trials[2].stale_ratio == Approx(0.1776).margin(0.015));
  REQUIRE(c.chosen.has_value());
  CHECK(c.trials[*c.chosen].ttl_ms == 2000);
  CHECK(c.delete_on_write.empty());
}

TEST_CASE("ttl: when no TTL meets the budget it says so and shows delete-on-write", "[simulator][ttl]") {
  const std::string path = write_scenario("none", kOneClass);
  TtlOptions options;
  options.max_stale_ratio = 0.001;
  options.candidates_ms = {2000, 5000};
  const auto choices = pick_ttls(load_scenario(path), options);
  std::filesystem::remove(path);
  REQUIRE(choices.size() == 1);
  CHECK_FALSE(choices[0].chosen.has_value());
  REQUIRE(choices[0].delete_on_write.size() == 2);
  CHECK(choices[0].delete_on_write[1].stale_ratio == 0.0);
  // Delete-on-write keeps a copy for τ = (1−e^(−μT))/μ on average: hit ratio λτ/(1+λτ) = 0.797 at 5s.
  CHECK(choices[0].delete_on_write[1].hit_ratio == Approx(0.797).margin(0.02));
}

TEST_CASE("ttl: each class is judged on its own reads", "[simulator][ttl]") {
  // Same reads, but prices change ten times as often as descriptions: a shorter TTL for prices.
  const std::string path = write_scenario(
      "two",
      "  - {name: descriptions, keys: 1000, popularity: uniform, size: fixed(100), reads_per_s: 1000, writes_per_s: 10}\n"
      "  - {name: prices, keys: 1000, popularity: uniform, size: fixed(100), reads_per_s: 1000, writes_per_s: 100}\n");
  TtlOptions options;
  options.max_stale_ratio = 0.1;
  options.candidates_ms = {1000, 2000, 5000, 10000, 20000};
  options.jobs = 2;
  const auto choices = pick_ttls(load_scenario(path), options);
  std::filesystem::remove(path);
  REQUIRE(choices.size() == 2);
  REQUIRE(choices[0].chosen.has_value());
  REQUIRE(choices[1].chosen.has_value());
  CHECK(choices[1].trials[*choices[1].chosen].ttl_ms == 2000);
  // descriptions, μ = 0.01/s: stale ratio at 20s = 0.952 × 0.0967 = 0.092 (within 0.1).
  CHECK(choices[0].trials[*choices[0].chosen].ttl_ms == 20000);
}

TEST_CASE("ttl --max-db-peak: tries each protection, keeps the database's busiest second in budget", "[simulator][ttl][stampede]") {
  // One hot key, 100 reads/s, 200 ms fills: with no protection an expiry sends about 1 + 20
  // reads to the database in one second; a lease or serve-stale sends one.
  const std::string path = write_scenario(
      "peak", "  - {name: hot, keys: 1, reads_per_s: 100, fill_latency: 200ms, protection: none, grace: 10s}\n");
  TtlOptions options;
  options.max_stale_ratio = 1;
  options.max_db_peak = 5;
  options.candidates_ms = {2000, 5000};
  options.jobs = 2;
  const Scenario s = load_scenario(path);
  const auto choices = pick_ttls(s, options);
  REQUIRE(choices.size() == 1);
  const TtlChoice& c = choices[0];
  REQUIRE(c.trials.size() == 8);  // 4 protections x 2 TTLs
  CHECK(c.trials[0].protection == Protection::kNone);
  CHECK(c.trials[0].peak_origin_reads_per_s >= 15);
  CHECK_FALSE(c.trials[0].within_budget);
  CHECK(c.trials[2].protection == Protection::kLease);
  CHECK(c.trials[2].peak_origin_reads_per_s == 1);
  CHECK(c.trials[2].within_budget);
  // The best hit ratio within budget: serve-stale (nobody misses after the cold start), 5 s.
  REQUIRE(c.chosen.has_value());
  CHECK(c.trials[*c.chosen].protection == Protection::kServeStale);
  CHECK(c.trials[*c.chosen].ttl_ms == 5000);

  // A stale budget too: serve-stale's ~21 stale reads per 5 s cycle (4%) are over 1%, so a lease.
  options.max_stale_ratio = 0.01;
  const auto strict = pick_ttls(s, options);
  std::filesystem::remove(path);
  REQUIRE(strict[0].chosen.has_value());
  CHECK(strict[0].trials[*strict[0].chosen].protection == Protection::kLease);
  CHECK(strict[0].trials[*strict[0].chosen].ttl_ms == 5000);
}
