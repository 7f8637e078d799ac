#include "cachelab/sim/ttl_picker.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <thread>

#include "cachelab/sim/errors.h"
#include "cachelab/sim/runner.h"

namespace cachelab::sim {
namespace {

// One replay per (group, candidate, mode), run on `jobs` threads; results land in their slot so
// the answer does not depend on the number of threads.
void run_all(std::vector<std::function<void()>>& work, unsigned jobs) {
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < work.size();) work[i]();
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < std::max(1u, jobs); ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
}

TtlTrial trial_of(const ReplayResult& result, std::size_t source, std::uint64_t ttl_ms, const TtlOptions& options,
                  Protection protection) {
  const ReplayCounts c = source < result.per_source.size() ? result.per_source[source] : ReplayCounts{};
  TtlTrial t;
  t.ttl_ms = ttl_ms;
  t.hit_ratio = c.hit_ratio();
  t.stale_ratio = c.stale_ratio();
  t.mean_stale_age_s = c.mean_stale_age_s();
  const double span_s = static_cast<double>(std::max<std::uint64_t>(result.span_ms, 1)) / 1000.0;
  t.origin_reads_per_s = static_cast<double>(c.origin_reads) / span_s;
  t.protection = protection;
  t.peak_origin_reads_per_s = c.peak_origin_reads_per_s;
  t.wait_p99_ms = c.wait_p99_ms;
  t.within_budget = t.stale_ratio <= options.max_stale_ratio &&
                    (!options.max_db_peak || double(t.peak_origin_reads_per_s) <= *options.max_db_peak);
  return t;
}

// One trial's scenario: the group's TTL (and protection, when one is tried) changed.
Scenario with_ttl(const Scenario& base, std::size_t group, std::uint64_t ttl_ms, Invalidation mode,
                  std::optional<Protection> protection) {
  Scenario s = base;
  s.sweep.clear();
  s.invalidation = mode;
  if (s.classes.empty()) {
    s.cache.ttl_ms = static_cast<std::int64_t>(ttl_ms);
  } else {
    s.classes[group].ttl_ms = static_cast<std::int64_t>(ttl_ms);
    if (protection) s.classes[group].fills.protection = *protection;
  }
  return s;
}

// The protections a group's trials use: its own (nullopt), or all four under a database budget.
std::vector<std::optional<Protection>> protections_to_try(const Scenario& s, const TtlOptions& options) {
  if (!options.max_db_peak || s.classes.empty()) return {std::nullopt};
  return {Protection::kNone, Protection::kLease, Protection::kServeStale, Protection::kEarlyRefresh};
}

Protection protection_of(const Scenario& s, std::size_t group, std::optional<Protection> tried) {
  if (tried) return *tried;
  return s.classes.empty() ? Protection::kNone : s.classes[group].fills.protection;
}

// Is `a` a better choice than `b` (both within budget)? The best hit ratio; on a tie the shorter
// TTL (fresher for the same hits; trials come in ascending TTL). With a database budget, hit
// ratios equal to the 4 digits the table prints tie, and the lower database peak wins, then the
// lower stale ratio: a protection that buys a hit in 10,000 should not cost more load or staleness.
bool better(const TtlTrial& a, const TtlTrial& b, const TtlOptions& options) {
  if (!options.max_db_peak) return a.hit_ratio > b.hit_ratio;
  const auto digits = [](double r) { return std::llround(r * 1e4); };
  if (digits(a.hit_ratio) != digits(b.hit_ratio)) return digits(a.hit_ratio) > digits(b.hit_ratio);
  if (a.peak_origin_reads_per_s != b.peak_origin_reads_per_s) return a.peak_origin_reads_per_s < b.peak_origin_reads_per_s;
  return a.stale_ratio < b.stale_ratio;
}

}  // namespace

std::vector<std::uint64_t> default_ttl_candidates_ms() {
  return {1'000, 5'000, 10'000, 30'000, 60'000, 300'000, 600'000, 1'800'000, 3'600'000, 21'600'000, 86'400'000};
}

std::vector<TtlChoice> pick_ttls(const Scenario& scenario, const TtlOptions& options) {
  std::vector<std::uint64_t> ttls = options.candidates_ms.empty() ? default_ttl_candidates_ms() : options.candidates_ms;
  std::sort(ttls.begin(), ttls.end());
  ttls.erase(std::unique(ttls.begin(), ttls.end()), ttls.end());
  if (!scenario.classes.empty() && scenario.cache.ttl_ms != kTtlUnset)
    throw InputError(scenario.file + ": cache.ttl: set, so it overrides every class's TTL; remove it (or "
                     "--set cache.ttl=null) to let `cachelab ttl` choose one per class");
  const std::size_t groups = scenario.classes.empty() ? 1 : scenario.classes.size();

  const auto protections = protections_to_try(scenario, options);
  const std::size_t per_group = protections.size() * ttls.size();
  // Trial k of a group: protection k / ttls, TTL k % ttls.
  auto trial_work = [&](std::vector<std::function<void()>>& work, std::size_t g, Invalidation mode,
                        std::vector<TtlTrial>& into) {
    into.resize(per_group);
    for (std::size_t k = 0; k < per_group; ++k)
      work.push_back([&, g, k, mode] {
        const auto tried = protections[k / ttls.size()];
        const std::uint64_t ttl = ttls[k % ttls.size()];
        const ReplayResult r = run_scenario(with_ttl(scenario, g, ttl, mode, tried));
        into[k] = trial_of(r, scenario.classes.empty() ? 0 : g, ttl, options, protection_of(scenario, g, tried));
      });
  };

  std::vector<TtlChoice> choices(groups);
  for (std::size_t g = 0; g < groups; ++g) choices[g].group = scenario.classes.empty() ? "all" : scenario.classes[g].name;
  std::vector<std::function<void()>> work;
  for (std::size_t g = 0; g < groups; ++g) trial_work(work, g, scenario.invalidation, choices[g].trials);
  run_all(work, options.jobs);

  work.clear();
  for (std::size_t g = 0; g < groups; ++g) {
    TtlChoice& c = choices[g];
    for (std::size_t i = 0; i < c.trials.size(); ++i) {
      if (!c.trials[i].within_budget) continue;
      if (!c.chosen || better(c.trials[i], c.trials[*c.chosen], options)) c.chosen = i;
    }
    if (!c.chosen && scenario.invalidation != Invalidation::kDeleteOnWrite)
      trial_work(work, g, Invalidation::kDeleteOnWrite, c.delete_on_write);
  }
  run_all(work, options.jobs);
  return choices;
}

}  // namespace cachelab::sim
