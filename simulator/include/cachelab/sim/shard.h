#pragma once
// Sweeps across machines: `cachelab sim --shard I/N` runs the cells whose index is I mod N and
// writes, beside its partial results, a manifest (shard.json) saying which cells they are and how
// many rows each wrote to each file; `cachelab merge` puts the rows of every part back in cell
// order, so the merged files are byte for byte those of the whole run. No scheduler here: any
// that can start N copies of a command with I = 0..N-1 (Slurm arrays, Kubernetes indexed Jobs,
// GNU parallel) runs the parts.
#include <cstdint>
#include <string>
#include <vector>

#include "cachelab/sim/runner.h"

namespace cachelab::sim {

inline constexpr const char* kShardManifest = "shard.json";

struct ShardSpec {
  std::string scenario_path;           // as given; made absolute in the manifest
  std::vector<std::string> overrides;  // --set, in order
  std::uint64_t timeline_ms = 0;
  std::size_t index = 0;
  std::size_t count = 1;
  std::size_t total_cells = 0;
};

// "I/N" with 0 <= I < N. False for anything else.
bool parse_shard(const std::string& text, std::size_t* index, std::size_t* count);

// Writes DIR/shard.json for the runs of one shard (their results files are written by the caller
// with the usual writers).
void write_shard_manifest(const std::string& dir, const ShardSpec& spec, const std::vector<SimRun>& runs);

struct MergeSummary {
  std::size_t cells = 0;
  std::size_t parts = 0;
  std::string scenario_path;
  std::vector<std::string> overrides;
  bool timeline = false;
};

// Joins the parts in `dirs` into `out_dir` (results.csv, results_by_class.csv, results.json, and
// timeline.csv when the parts have it). Throws InputError when a part is missing, repeated,
// unreadable, or from another sweep.
MergeSummary merge_shards(const std::vector<std::string>& dirs, const std::string& out_dir);

}  // namespace cachelab::sim
