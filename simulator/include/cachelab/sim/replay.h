#pragma once
// The replay: drives a stream of requests through the engine (sizes-only mode, virtual clock in
// ms) together with the origin model, and counts hits, stale hits and origin work.
//
// Virtual clock: ms since the first request (64 bits: any span). The engine's 32-bit Tick is ms
// since a moving epoch + 1 (0 means "never" to the engine): every 3.1 days of virtual time the
// epoch moves forward and the caches' times with it (Store::shift_time), so the results are those
// of a 64-bit clock. TTLs up to 46 days are exact; a longer one is kept as no expiry.
//
// Origin model: each key has a version; a write bumps it. A read miss fills the cache with the
// origin's current version; a read hit on a copy older than the origin's version is a stale hit,
// whose age is the time since the first write after the copy was filled (when the copy became
// outdated). Invalidation modes say what the cache sees of a write:
//   ttl-only         nothing: the copy lives until it expires or is evicted;
//   delete-on-write  the copy is deleted;
//   update-on-write  a cached copy is replaced by the new version (new size, new TTL); a key that
//                    is not cached is not inserted (replace, not set): the cache stays demand-filled,
//                    so the modes differ only in freshness, not in what they choose to cache.
// A delete at the origin drops the copy in both delete-on-write and update-on-write.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachelab/store.h"
#include "cachelab/sim/fills.h"
#include "cachelab/sim/request.h"
#include "cachelab/sim/topology.h"
#include "cachelab/sim/trace_reader.h"
#include "cachelab/sim/units.h"

namespace cachelab::sim {

enum class Invalidation { kTtlOnly, kDeleteOnWrite, kUpdateOnWrite };
std::optional<Invalidation> parse_invalidation(std::string_view name);
std::string_view invalidation_name(Invalidation mode);

struct ReplayConfig {
  std::string policy = "lru";
  std::string policy_module;  // when set, the policy is this shared object (policy_module.h)
  PolicyArgs policy_args;
  Capacity capacity{.amount = 64ull << 20};
  std::uint64_t overhead_bytes = 0;
  Invalidation invalidation = Invalidation::kTtlOnly;
  // cache.ttl: replaces every request's TTL (0 = no expiry). kTtlUnset: requests keep theirs.
  std::int64_t ttl_override_ms = kTtlUnset;
  // For requests that carry no TTL (kTtlUnset) when there is no override. 0 = no expiry.
  std::int64_t default_ttl_ms = 0;
  std::vector<std::uint64_t> restarts_ms;  // ms since the start; the cache is emptied then
  std::uint64_t timeline_interval_ms = 0;  // 0 = no timeline
  // The engine's clock moves its epoch each time this much virtual time passed since the last
  // move (see above). Tests lower or raise it to compare runs with and without moves.
  std::uint64_t clock_shift_at_ms = std::uint64_t{1} << 28;
  std::uint64_t duration_ms = 0;           // stop at the first request at or after this; 0 = all
  std::uint64_t max_requests = 0;          // 0 = all
  // SHARDS: replay only keys with hash_id(key) / 2^64 < rate, in a cache scaled by the rate, and
  // scale the counts back by 1/rate. 1 = every key.
  double sample_rate = 1.0;
  // The source is a capture of cache commands (TraceSpec::commands), and holds only keys sampled
  // at `presampled` (TraceSpec::sampled): capacity scaled by it, counts by its inverse.
  bool commands = false;
  double presampled = 1.0;
  // Where the cache sits (topology.h): the default is one shared cache, a single node.
  TopologySpec topology;
  ClusterSpec cluster;
  std::uint64_t seed = 1;  // spreads requests over application processes
  // Per class (Request::source): fill latency and protection (fills.h). Empty, or all inactive:
  // instant fills, the batched fast path.
  std::vector<FillPolicy> fills;
  // `clock: seconds`: expiry on the server's whole-second clock, an item stored at t lives until
  // floor(t) + TTL (t in the trace's own seconds). false: until t + TTL exactly.
  bool whole_second_clock = false;
  // Called every 2^20 requests with the requests so far and the virtual time covered (ms).
  std::function<void(std::uint64_t requests, std::uint64_t span_ms)> progress;
};

struct ReplayCounts {
  std::uint64_t requests = 0;
  std::uint64_t reads = 0;
  std::uint64_t writes = 0;  // origin writes and deletes
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t read_bytes = 0;
  std::uint64_t hit_bytes = 0;
  std::uint64_t stale_hits = 0;
  double stale_age_ms_sum = 0;
  std::uint64_t origin_reads = 0;  // read misses: each one reads the origin to fill the cache
  std::uint64_t near_hits = 0;     // two-tier: hits served by the process's near cache
  // Fills that take time (ReplayConfig::fills). origin_reads counts every fill started; a read
  // that waited for another's fill (lease) is a miss without an origin read.
  std::uint64_t duplicate_fills = 0;  // fills started while another fill of the key was under way
  std::uint64_t waits = 0;            // reads that had no value until a fill completed
  double wait_ms_sum = 0;
  std::uint64_t early_refreshes = 0;  // XFetch refreshes started before the expiry, no fill under way
  double early_refresh_lead_ms_sum = 0;  // ...and how long before the expiry they started
  // Whole-run figures, set at the end of the run (not summed over timeline intervals):
  std::uint64_t peak_origin_reads_per_s = 0;  // max over 1-second windows of the virtual clock
  double wait_p50_ms = 0;  // over the reads that waited (nearest rank)
  double wait_p99_ms = 0;
  double wait_max_ms = 0;

  double hit_ratio() const noexcept { return reads ? double(hits) / double(reads) : 0.0; }
  double byte_hit_ratio() const noexcept { return read_bytes ? double(hit_bytes) / double(read_bytes) : 0.0; }
  double stale_ratio() const noexcept { return reads ? double(stale_hits) / double(reads) : 0.0; }
  double mean_stale_age_s() const noexcept { return stale_hits ? stale_age_ms_sum / 1000.0 / double(stale_hits) : 0.0; }
};

struct TimelineRow {
  std::uint64_t start_ms = 0;
  ReplayCounts counts;
};

struct ReplayResult {
  ReplayCounts totals;
  std::vector<ReplayCounts> per_source;  // by Request::source (one entry for a trace)
  StoreStats store;  // evictions, expirations...
  std::vector<TimelineRow> timeline;
  std::uint64_t timeline_interval_ms = 0;
  std::uint64_t span_ms = 0;  // virtual time covered
  std::uint64_t clock_shifts = 0;  // times the engine's 32-bit clock moved its epoch (tests read it)
  bool has_peak = true;       // false: answered without a replay (the one-pass LRU curve)
};

// Runs the requests of `source` through a fresh store built from `config`. Throws
// std::invalid_argument for an unknown policy, InputError for a trace too long for the clock.
ReplayResult replay(TraceReader& source, const ReplayConfig& config);

}  // namespace cachelab::sim
