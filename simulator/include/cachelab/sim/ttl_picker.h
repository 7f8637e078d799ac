#pragma once
// `cachelab ttl`: for each class of a scenario, the TTL with the best hit ratio whose stale
// ratio stays within a budget. Each candidate TTL is tried for one class at a time, the other
// classes keeping their scenario TTLs (they still share the cache), and judged on that class's
// own reads. A trace-driven scenario is one group ("all"), its TTL set through cache.ttl.
// With a database budget (max_db_peak) each class's TTL is tried with each protection (fills.h),
// and a choice must also keep the class's busiest second of origin reads within the budget.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cachelab/sim/scenario.h"

namespace cachelab::sim {

struct TtlTrial {
  std::uint64_t ttl_ms = 0;
  double hit_ratio = 0;
  double stale_ratio = 0;        // stale hits / reads of the class
  double mean_stale_age_s = 0;
  double origin_reads_per_s = 0;
  Protection protection = Protection::kNone;  // the class's, or the one tried (max_db_peak)
  std::uint64_t peak_origin_reads_per_s = 0;  // the class's busiest second
  double wait_p99_ms = 0;
  bool within_budget = false;
};

struct TtlChoice {
  std::string group;                // the class name, or "all" for a trace
  std::vector<TtlTrial> trials;     // one per candidate, in ascending TTL (per protection, in
                                    // the order of TtlOptions::protections, with max_db_peak)
  std::optional<std::size_t> chosen;  // index in trials; empty when no TTL meets the budget
  // When none does: the same sweep under delete-on-write (which serves nothing stale).
  std::vector<TtlTrial> delete_on_write;
};

struct TtlOptions {
  double max_stale_ratio = 0.01;
  // The most origin reads a class may cause in one second; unset: no database budget, and each
  // class keeps the scenario's protection.
  std::optional<double> max_db_peak;
  std::vector<std::uint64_t> candidates_ms;  // empty: the default ladder, 1s .. 1d
  unsigned jobs = 1;
};

std::vector<std::uint64_t> default_ttl_candidates_ms();

// Throws InputError for a scenario it cannot judge (e.g. no reads).
std::vector<TtlChoice> pick_ttls(const Scenario& scenario, const TtlOptions& options);

}  // namespace cachelab::sim
