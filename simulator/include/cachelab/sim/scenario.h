#pragma once
// A scenario (SPEC section 4): the cache, the workload (synthetic classes or a trace), the events
// over time, and what to sweep. load_scenario() reads and validates the YAML; every error is an
// InputError "FILE:LINE: FIELD: what is wrong".
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cachelab/sim/distributions.h"
#include "cachelab/sim/fills.h"
#include "cachelab/sim/replay.h"
#include "cachelab/sim/topology.h"
#include "cachelab/sim/trace_reader.h"
#include "cachelab/sim/units.h"

namespace cachelab::sim {

struct CacheSpec {
  std::string policy = "lru";       // a registered policy, or the module's name ("module:NAME")
  std::string policy_module;        // path of a policy module (.so), when the policy is one
  PolicyArgs policy_args;
  Capacity capacity;
  std::uint64_t overhead_bytes = 0;  // `server`: what `cachelab serve` charges (kItemOverheadBytes)
  std::int64_t ttl_ms = kTtlUnset;  // cache.ttl: overrides every class's and the trace's TTL
};

// One kind of data in a synthetic workload.
struct WorkloadClass {
  std::string name;
  std::uint64_t keys = 0;
  Popularity popularity;
  std::optional<Popularity> write_popularity;  // default: the reads' popularity
  SizeDistribution size;
  double reads_per_s = 0;   // the class's total rates, shared among its keys by popularity
  double writes_per_s = 0;
  std::int64_t ttl_ms = 0;  // 0 = no expiry
  FillPolicy fills;         // fill_latency, protection, grace, beta (default: instant, none)
};

// A popularity shift: from `at_ms` on, the popularity ranks of the class (or of every class when
// class_name is empty) move by `fraction` of its key space: yesterday's hot keys go cold.
struct ShiftEvent {
  std::uint64_t at_ms = 0;
  std::string class_name;
  double fraction = 0.5;
};

struct SweepAxis {
  std::string path;                 // a --set path (policy/capacity/ttl are short names)
  std::vector<std::string> values;  // as written
  std::vector<int> lines;           // each value's line in the file (for errors)
};

// A plot drawn from results.csv after the runs (`plots:`). Column names as in results.csv; the
// short names ttl, capacity and hit/stale ratios are resolved when drawing (see sim_plots.h).
struct PlotRequest {
  std::string x;
  std::vector<std::string> y;
  std::string series;  // empty: one line per y column
  std::string file;    // .png or .svg, relative to the output directory
  std::string title;
};

struct Scenario {
  std::string file;  // where it was read from
  std::string name;
  std::uint64_t seed = 1;
  std::uint64_t duration_ms = 0;  // 0: not given
  std::uint64_t requests = 0;     // 0: not given
  // SHARDS spatial sampling: follow only the keys whose hash falls under this rate, with the
  // capacity scaled by it; counts are scaled back by 1/rate. 1 = every key.
  double sample = 1.0;
  // `clock: seconds`: the server's whole-second expiry (floor(t) + TTL); false: exact (t + TTL).
  bool whole_second_clock = false;
  CacheSpec cache;
  Invalidation invalidation = Invalidation::kTtlOnly;
  std::vector<WorkloadClass> classes;
  std::optional<TraceSpec> trace;  // instead of classes
  std::vector<std::uint64_t> restarts_ms;
  std::vector<ShiftEvent> shifts;
  std::vector<SweepAxis> sweep;
  std::vector<PlotRequest> plots;
  TopologySpec topology;
  std::optional<ClusterSpec> cluster;
  // The file says where the cache sits (topology: or cluster:): results then carry the
  // topology, nodes, processes and near_hits columns.
  bool topology_given = false;
  // Things worth a user's second look that are not errors (printed to stderr by `sim`).
  std::vector<std::string> warnings;
};

// The full --set path for a short name (policy -> cache.policy, capacity -> cache.capacity,
// ttl -> cache.ttl); other paths are returned unchanged.
std::string canonical_path(const std::string& path);

// An assignment PATH=VALUE applied over the file, and how an error in its value names its place
// (e.g. "(--set)" or ":12 (sweep)", appended to the file name).
struct Override {
  std::string assignment;
  std::string where;
};

// Reads `path`, applies the `--set path=value` overrides (in order), then `more` (a sweep
// cell's assignments), validates. Throws InputError.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {},
                       const std::vector<Override>& more = {});

// The TTL every read gets, in seconds, when one applies to all (the results' ttl_s column);
// nullopt when reads have different TTLs, none, or the trace decides.
std::optional<double> uniform_ttl_s(const Scenario& s);

// The replay settings the scenario asks for (everything but the workload itself).
ReplayConfig replay_config(const Scenario& s);

}  // namespace cachelab::sim
