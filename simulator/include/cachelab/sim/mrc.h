#pragma once
// One-pass miss-ratio curves for LRU (Mattson's stack distances): every capacity from one pass
// over the trace, O(log D) per request with a Fenwick tree over last-access positions (compacted,
// so D is about twice the distinct objects, not the trace length) and a flat hash map. With a
// sample rate below 1, SHARDS spatial sampling (Waldspurger et al., FAST'15): only keys whose
// hash falls under the rate are followed, and their distances are scaled by 1/rate.
//
// Semantics are libCacheSim's for a key stream: every request is an access, a miss inserts the
// object, a hit keeps the cached size. In byte mode a request hits when the sizes of the distinct
// objects used since its previous access, plus its own, fit the capacity (LRU always holds such a
// most-recent prefix). Exact when an object keeps its size; objects larger than the capacity are
// counted as misses but still weigh in others' distances (the replay would not cache them).
#include <cstdint>
#include <vector>

#include "cachelab/sim/trace_reader.h"

namespace cachelab::sim {

// Counts are exact, or estimated from the sample and scaled to the whole trace.
struct MrcPoint {
  std::uint64_t capacity = 0;  // objects or bytes, as asked
  std::uint64_t requests = 0;  // requests in the trace
  std::uint64_t misses = 0;
  std::uint64_t read_bytes = 0;
  std::uint64_t hit_bytes = 0;
  std::uint64_t inserted = 0;          // misses that fit the cache (an object larger is not cached)
  std::uint64_t resident_objects = 0;  // in the cache at the end
  std::uint64_t resident_bytes = 0;    // their charge (objects, or bytes with overhead)
  std::uint64_t span_ms = 0;           // the trace's time span
  double miss_ratio() const noexcept { return requests ? double(misses) / double(requests) : 0.0; }
};

struct MrcOptions {
  bool bytes = false;           // capacities in bytes (else objects)
  double sample_rate = 1.0;     // SHARDS rate in (0, 1]
  std::uint64_t overhead = 0;   // charged per object in byte mode, as the replay's overhead_bytes
};

// The LRU miss ratio at each capacity, in the order given.
std::vector<MrcPoint> lru_miss_ratio_curve(TraceReader& trace, const std::vector<std::uint64_t>& capacities,
                                           const MrcOptions& options);

}  // namespace cachelab::sim
