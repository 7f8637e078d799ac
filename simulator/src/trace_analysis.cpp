// One pass over a trace for `cachelab trace analyze` (the figures; files and plots are in
// trace_analysis_output.cpp).
#include "cachelab/sim/trace_analysis.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "cachelab/flat_map.h"

#include "cachelab/sim/key_sample.h"

namespace cachelab::sim {

void Log2Histogram::add(std::uint64_t value, std::uint64_t n) {
  const std::size_t bucket = value == 0 ? 0 : static_cast<std::size_t>(std::bit_width(value));
  if (counts.size() <= bucket) counts.resize(bucket + 1, 0);
  counts[bucket] += n;
}

namespace {

constexpr std::size_t kMaxBuckets = 1024;  // rate buckets before their width doubles

struct ObjectState {
  std::uint64_t last_request;  // index of its latest request
  std::uint64_t last_time_ms;
  std::uint64_t requests;
};

// Least squares of log(frequency) on log(rank) over ranks 1, 2, ... spaced by 5% in log scale,
// while the frequency is at least 5: the slope's negative is zipf's alpha.
double fit_zipf_alpha(const std::vector<std::uint64_t>& frequencies) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  std::size_t n = 0;
  std::uint64_t last_rank = 0;
  for (double r = 1; r <= static_cast<double>(frequencies.size()); r *= 1.05) {
    const auto rank = static_cast<std::uint64_t>(r);
    if (rank == last_rank) continue;
    last_rank = rank;
    const std::uint64_t f = frequencies[rank - 1];
    if (f < 5) break;
    const double x = std::log(static_cast<double>(rank)), y = std::log(static_cast<double>(f));
    sx += x, sy += y, sxx += x * x, sxy += x * y, ++n;
  }
  if (n < 3) return 0;
  const double denominator = static_cast<double>(n) * sxx - sx * sx;
  return denominator > 0 ? -(static_cast<double>(n) * sxy - sx * sy) / denominator : 0;
}

class Analyzer {
 public:
  explicit Analyzer(const TraceAnalysisOptions& options) : options_(options), sample_(options.sample) {
    a_.sample = options.sample;
  }

  void add(const Request& r) {
    if (!sample_.keeps(r.key)) return;
    const std::uint64_t index = a_.requests++;
    if (index == 0) a_.first_time_ms = r.time_ms;
    const std::uint64_t time_ms = std::max(r.time_ms, a_.last_time_ms);
    a_.last_time_ms = time_ms;
    a_.request_bytes += r.size;
    a_.size_requests.add(r.size);
    switch (r.op) {
      case RequestOp::kRead: ++a_.reads, a_.size_reads.add(r.size); break;
      case RequestOp::kWrite: ++a_.writes, a_.size_writes.add(r.size); break;
      case RequestOp::kDelete: ++a_.deletes, a_.size_deletes.add(r.size); break;
    }
    if (r.ttl_ms > 0) ++a_.ttl_ms[r.ttl_ms];
    else ++a_.no_ttl;
    count_rate(time_ms - a_.first_time_ms, r);

    auto [state, fresh] = objects_.try_emplace(r.key, ObjectState{index, time_ms, 0});
    if (fresh) {
      a_.object_bytes += r.size;
      a_.size_objects.add(r.size);
    } else {
      a_.reuse_distance.add(index - state->last_request - 1);
      a_.reuse_time_s.add((time_ms - state->last_time_ms) / 1000);
      state->last_request = index;
      state->last_time_ms = time_ms;
    }
    ++state->requests;

    if (window_.requests == 0) window_.first_request = index;
    ++window_.requests;
    ++*window_counts_.try_emplace(r.key, 0).first;
    if (window_.requests == options_.window_requests) close_window();
    if (options_.progress && (a_.requests & ((1u << 20) - 1)) == 0) options_.progress(a_.requests);
  }

  TraceAnalysis finish() {
    if (window_.requests > 0) close_window();
    a_.objects = objects_.size();
    a_.frequencies.reserve(objects_.size());
    objects_.for_each([&](std::uint64_t, ObjectState& state) {
      a_.frequencies.push_back(state.requests);
      a_.one_hit_wonders += state.requests == 1;
    });
    objects_ = FlatU64Map<ObjectState>();  // the frequencies are all that is left to need
    std::sort(a_.frequencies.rbegin(), a_.frequencies.rend());
    a_.zipf_alpha = fit_zipf_alpha(a_.frequencies);
    auto top_share = [&](double fraction) {
      const auto n = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(a_.frequencies.size())));
      std::uint64_t sum = 0;
      for (std::size_t i = 0; i < n; ++i) sum += a_.frequencies[i];
      return a_.requests ? static_cast<double>(sum) / static_cast<double>(a_.requests) : 0.0;
    };
    a_.top1_share = top_share(0.01);
    a_.top10_share = top_share(0.10);
    return std::move(a_);
  }

 private:
  void count_rate(std::uint64_t offset_ms, const Request& r) {
    std::uint64_t bucket = offset_ms / a_.bucket_ms;
    while (bucket >= kMaxBuckets) {  // widen: merge neighbours
      for (std::size_t i = 0; i < a_.rate.size(); ++i) {
        auto& to = a_.rate[i / 2];
        const auto from = a_.rate[i];
        if (i % 2 == 0) to = from;
        else to.requests += from.requests, to.reads += from.reads, to.writes += from.writes,
             to.deletes += from.deletes, to.bytes += from.bytes;
      }
      a_.rate.resize((a_.rate.size() + 1) / 2);
      a_.bucket_ms *= 2;
      bucket = offset_ms / a_.bucket_ms;
    }
    if (a_.rate.size() <= bucket) a_.rate.resize(bucket + 1);
    auto& b = a_.rate[bucket];
    ++b.requests;
    b.bytes += r.size;
    (r.op == RequestOp::kRead ? b.reads : r.op == RequestOp::kWrite ? b.writes : b.deletes) += 1;
  }

  void close_window() {
    window_.objects = window_counts_.size();
    window_counts_.for_each([&](std::uint64_t, std::uint32_t n) { window_.one_hit_wonders += n == 1; });
    a_.windows.push_back(window_);
    window_ = {};
    window_counts_.clear();
  }

  TraceAnalysisOptions options_;
  KeySample sample_;
  TraceAnalysis a_;
  // Open addressing (32-byte slots, no node per object): the per-request lookups are the pass's cost.
  FlatU64Map<ObjectState> objects_;
  TraceAnalysis::Window window_;
  FlatU64Map<std::uint32_t> window_counts_;
};

}  // namespace

TraceAnalysis analyze_trace(TraceReader& reader, const TraceAnalysisOptions& options) {
  Analyzer analyzer(options);
  std::vector<Request> batch(4096);
  while (const std::size_t n = reader.read(batch))
    for (std::size_t i = 0; i < n; ++i) analyzer.add(batch[i]);
  return analyzer.finish();
}

}  // namespace cachelab::sim
