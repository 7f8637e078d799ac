#pragma once
// Draws a scenario's `plots:` from the results.csv a run has written (through plot.h).
#include <string>
#include <vector>

#include "cachelab/sim/scenario.h"

namespace cachelab::sim {

// Each plot's file is written into `out_dir`. Short column names: `ttl` -> ttl_s, `capacity` ->
// capacity_bytes (capacity_objects when the results are in object mode), `policy` etc. as they
// are. Throws PlotUsageError (unknown column) or PlotError (gnuplot failed).
void draw_scenario_plots(const std::vector<PlotRequest>& plots, const std::string& results_csv,
                         const std::string& out_dir);

}  // namespace cachelab::sim
