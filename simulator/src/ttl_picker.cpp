#include "cachelab/sim/ttl_picker.h"

#include <algorithm>
#include <atomic>
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

TtlTrial trial_of(const ReplayResult& result, std::size_t source, std::uint64_t ttl_ms, double budget) {
  const ReplayCounts c = source < result.per_source.size() ? result.per_source[source] : ReplayCounts{};
  TtlTrial t;
  t.ttl_ms = ttl_ms;
  t.hit_ratio = c.hit_ratio();
  t.stale_ratio = c.stale_ratio();
  t.mean_stale_age_s = c.mean_stale_age_s();
  const double span_s = static_cast<double>(std::max<std::uint64_t>(result.span_ms, 1)) / 1000.0;
  t.origin_reads_per_s = static_cast<double>(c.origin_reads) / span_s;
  t.within_budget = t.stale_ratio <= budget;
  return t;
}

Scenario with_ttl(const Scenario& base, std::size_t group, std::uint64_t ttl_ms, Invalidation mode) {
  Scenario s = base;
  s.sweep.clear();
  s.invalidation = mode;
  if (s.classes.empty()) {
    s.cache.ttl_ms = static_cast<std::int64_t>(ttl_ms);
  } else {
    s.classes[group].ttl_ms = static_cast<std::int64_t>(ttl_ms);
  }
  return s;
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

  std::vector<TtlChoice> choices(groups);
  for (std::size_t g = 0; g < groups; ++g) {
    choices[g].group = scenario.classes.empty() ? "all" : scenario.classes[g].name;
    choices[g].trials.resize(ttls.size());
  }
  std::vector<std::function<void()>> work;
  for (std::size_t g = 0; g < groups; ++g)
    for (std::size_t i = 0; i < ttls.size(); ++i)
      work.push_back([&, g, i] {
        const ReplayResult r = run_scenario(with_ttl(scenario, g, ttls[i], scenario.invalidation));
        choices[g].trials[i] = trial_of(r, scenario.classes.empty() ? 0 : g, ttls[i], options.max_stale_ratio);
      });
  run_all(work, options.jobs);

  work.clear();
  for (std::size_t g = 0; g < groups; ++g) {
    TtlChoice& c = choices[g];
    for (std::size_t i = 0; i < c.trials.size(); ++i) {
      if (!c.trials[i].within_budget) continue;
      // The best hit ratio; on a tie the shorter TTL (fresher for the same hits).
      if (!c.chosen || c.trials[i].hit_ratio > c.trials[*c.chosen].hit_ratio) c.chosen = i;
    }
    if (!c.chosen && scenario.invalidation != Invalidation::kDeleteOnWrite) {
      c.delete_on_write.resize(ttls.size());
      for (std::size_t i = 0; i < ttls.size(); ++i)
        work.push_back([&, g, i] {
          const ReplayResult r = run_scenario(with_ttl(scenario, g, ttls[i], Invalidation::kDeleteOnWrite));
          choices[g].delete_on_write[i] = trial_of(r, scenario.classes.empty() ? 0 : g, ttls[i], options.max_stale_ratio);
        });
    }
  }
  run_all(work, options.jobs);
  return choices;
}

}  // namespace cachelab::sim
