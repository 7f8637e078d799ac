#pragma once
// The outputs of `cachelab sim` (SPEC section 4): results.csv (the fixed columns first, in order),
// results.json, timeline.csv and the table on stdout.
#include <ostream>
#include <string>
#include <vector>

#include "cachelab/sim/runner.h"

namespace cachelab::sim {

// The SPEC's columns, in order; `invalidation` and one column per extra sweep path follow.
void write_results_csv(std::ostream& out, const std::vector<SimRun>& runs);
// One row per run and class (a trace is one class, "all"): `class`, then results.csv's columns
// computed on that class's reads (evictions and expirations empty: the cache is shared).
void write_results_by_class_csv(std::ostream& out, const std::vector<SimRun>& runs);
// How many rows of results_by_class.csv one run writes.
std::size_t rows_by_class(const SimRun& run);
void write_results_json(std::ostream& out, const std::vector<SimRun>& runs);
// One row per run and interval: run (the results.csv row of the whole sweep, from 1), interval start and end in
// seconds, reads, writes, hits, hit_ratio, stale_hits, stale_ratio, origin_reads.
void write_timeline_csv(std::ostream& out, const std::vector<SimRun>& runs);
void print_results_table(std::ostream& out, const std::vector<SimRun>& runs);

}  // namespace cachelab::sim
