#pragma once
// Runs a scenario file: expands its sweep into cells (one scenario per cell, --set overrides
// applied first; a path given with --set is not swept), replays each cell through a fresh cache, and returns the results in cell order
// whatever the number of parallel jobs.
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "cachelab/sim/replay.h"
#include "cachelab/sim/scenario.h"

namespace cachelab::sim {

struct SimRun {
  Scenario scenario;                                       // the cell's scenario
  std::vector<std::pair<std::string, std::string>> cell;   // its sweep assignments, in axis order
  ReplayResult result;
  std::size_t index = 0;  // the cell's place in the whole sweep (from 0), also when sharded
};

struct SimProgress {
  std::size_t cells_done = 0;
  std::size_t cells_total = 0;
  std::uint64_t requests = 0;  // of the single running cell
  double fraction = -1;        // of the single running cell, when its length is known; else -1
};

struct SimOptions {
  std::vector<std::string> overrides;  // --set PATH=VALUE, in order
  std::uint64_t timeline_ms = 0;       // --timeline interval, 0 = none
  unsigned jobs = 1;                   // cells run in parallel
  // Called (from the calling thread or a worker, serialized) after each finished cell and, when
  // there is one cell, during its run (every 2^20 requests).
  std::function<void(const SimProgress&)> progress;
  // --shard I/N: run only the cells whose index is I mod N (`cachelab merge` joins the parts).
  std::size_t shard_index = 0;
  std::size_t shard_count = 1;
};

// One run of one scenario (no sweep expansion). Throws InputError for bad input.
ReplayResult run_scenario(const Scenario& scenario, std::uint64_t timeline_ms = 0,
                          std::function<void(std::uint64_t requests, std::uint64_t span_ms)> progress = {});

// Loads the file, expands the sweep, runs every cell (of the shard: `total_cells` then says how
// many cells the whole sweep has).
std::vector<SimRun> run_scenario_file(const std::string& path, const SimOptions& options,
                                      std::size_t* total_cells = nullptr);

}  // namespace cachelab::sim
