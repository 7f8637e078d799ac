#pragma once
// `cachelab trace analyze`: what a trace is like before choosing sizes and TTLs. One streamed pass;
// memory grows with the distinct objects (one 32-byte slot each), and `sample` follows only the
// keys whose hash falls under that share (SHARDS-style spatial sampling: a followed key keeps all
// its requests) for traces with too many objects for that.
#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "cachelab/sim/trace_reader.h"

namespace cachelab::sim {

// Counts in power-of-two buckets: bucket 0 holds 0, bucket i >= 1 holds [2^(i-1), 2^i).
struct Log2Histogram {
  std::vector<std::uint64_t> counts;
  void add(std::uint64_t value, std::uint64_t n = 1);
  static std::uint64_t low(std::size_t bucket) noexcept { return bucket == 0 ? 0 : std::uint64_t{1} << (bucket - 1); }
  static std::uint64_t high(std::size_t bucket) noexcept { return bucket == 0 ? 0 : (std::uint64_t{1} << bucket) - 1; }
};

struct TraceAnalysisOptions {
  double sample = 1.0;                      // share of the keys followed, in (0, 1]
  std::uint64_t window_requests = 100'000;  // one-hit wonders per window of this many requests
  std::function<void(std::uint64_t requests)> progress;  // every 2^20 requests read
};

struct TraceAnalysis {
  double sample = 1.0;
  // Of the followed keys (all keys without sampling).
  std::uint64_t requests = 0, reads = 0, writes = 0, deletes = 0;
  std::uint64_t objects = 0;
  std::uint64_t request_bytes = 0;
  std::uint64_t object_bytes = 0;  // each object at its first size
  std::uint64_t first_time_ms = 0, last_time_ms = 0;
  std::uint64_t one_hit_wonders = 0;  // objects requested exactly once
  // Popularity: requests per object, most popular first; the fitted zipf exponent (least squares
  // of log frequency on log rank, over geometrically spaced ranks whose frequency is at least 5,
  // so the flat tail of rare objects does not pull it), and the share of requests that go to the
  // most popular 1% and 10% of objects.
  std::vector<std::uint64_t> frequencies;
  double zipf_alpha = 0;
  double top1_share = 0, top10_share = 0;
  // One-hit wonders per window of window_requests requests (each window on its own).
  struct Window {
    std::uint64_t first_request = 0, requests = 0, objects = 0, one_hit_wonders = 0;
  };
  std::vector<Window> windows;
  // Reuse: for every request to an object seen before, the requests in between (reuse distance
  // in virtual time, as libCacheSim's analyzer counts it) and the seconds in between.
  Log2Histogram reuse_distance, reuse_time_s;
  // Object sizes: per request, per object (first size), and per request by op.
  Log2Histogram size_requests, size_objects, size_reads, size_writes, size_deletes;
  std::map<std::int64_t, std::uint64_t> ttl_ms;  // requests per TTL, where one is given
  std::uint64_t no_ttl = 0;
  // Requests over time in buckets of bucket_ms from first_time_ms (widened as the trace runs).
  struct Bucket {
    std::uint64_t requests = 0, reads = 0, writes = 0, deletes = 0, bytes = 0;
  };
  std::vector<Bucket> rate;
  std::uint64_t bucket_ms = 1000;
};

TraceAnalysis analyze_trace(TraceReader& reader, const TraceAnalysisOptions& options);

// The summary: requests, objects, bytes, span and rate, op mix, one-hit wonders, `zipf alpha`,
// top shares, reuse and size medians, TTLs. With sampling, counts are estimates (scaled by 1/rate).
void print_trace_analysis(std::ostream& out, const std::string& path, const TraceAnalysis& a);

// DIR/summary.txt, popularity.csv, one_hit_wonders.csv, reuse_distance.csv, reuse_time.csv,
// sizes.csv, ttl.csv, rate.csv and a PNG plot of each (gnuplot). Returns the files written.
std::vector<std::string> write_trace_analysis(const std::string& dir, const std::string& path, const TraceAnalysis& a);

}  // namespace cachelab::sim
