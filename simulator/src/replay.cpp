#include "cachelab/sim/replay.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <unordered_map>

#include "cachelab/module_loader.h"
#include "cachelab/sim/errors.h"
#include "cachelab/sim/key_sample.h"

namespace cachelab::sim {

std::optional<Invalidation> parse_invalidation(std::string_view name) {
  if (name == "ttl-only") return Invalidation::kTtlOnly;
  if (name == "delete-on-write") return Invalidation::kDeleteOnWrite;
  if (name == "update-on-write") return Invalidation::kUpdateOnWrite;
  return std::nullopt;
}

std::string_view invalidation_name(Invalidation mode) {
  switch (mode) {
    case Invalidation::kTtlOnly: return "ttl-only";
    case Invalidation::kDeleteOnWrite: return "delete-on-write";
    case Invalidation::kUpdateOnWrite: return "update-on-write";
  }
  return "?";
}

namespace {

constexpr std::size_t kBatch = 4096;
// Proactive expiry: each virtual second, this many index buckets are scanned for expired items.
constexpr std::size_t kReclaimBucketsPerSecond = 16384;
constexpr std::size_t kMaxTimelineRows = 10'000'000;
constexpr std::uint64_t kProgressMask = (1u << 20) - 1;
constexpr std::uint64_t kMaxSpanMs = std::numeric_limits<Tick>::max() - 2;

// What the origin knows of a key that has been written at least once (keys never written are at
// version 0 and need no entry: read-only traces never touch this map).
struct OriginState {
  std::uint64_t version = 0;
  std::uint64_t filled_version = 0;        // version of the copy last put in the cache
  std::uint64_t outdated_since_ms = 0;     // first write after that fill: when the copy went stale
};

// One request in the batch being replayed, remembered for the in-order accounting afterwards.
struct Pending {
  OriginState* origin;   // null: the key had never been written when the request was built
  std::uint64_t version; // the origin's version at the request (after the bump, for a write)
  std::uint64_t time_ms;
  std::uint32_t size;
  RequestOp op;
  std::int32_t access;   // index in the access batch, -1 when the cache is not involved
  std::uint16_t source;  // the request's class
};

std::unique_ptr<Store> make_replay_store(const ReplayConfig& config) {
  // SHARDS: a sample of the keys sees a cache scaled down by the same rate.
  const auto capacity = config.sample_rate < 1
                            ? std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::llround(
                                                             static_cast<double>(config.capacity.amount) * config.sample_rate)))
                            : config.capacity.amount;
  const StoreConfig store{.capacity = capacity,
                          .count_objects = config.capacity.count_objects,
                          .store_values = false,
                          .overhead_bytes = config.overhead_bytes,
                          .ticks_per_second = 1000};  // the virtual clock counts milliseconds
  if (!config.policy_module.empty()) return make_module_store(config.policy_module, store, config.policy_args);
  return make_store(config.policy, store, config.policy_args);
}

class Replayer {
 public:
  explicit Replayer(const ReplayConfig& config)
      : config_(config), store_(make_replay_store(config)) {
    accesses_.reserve(kBatch);
    pending_.reserve(kBatch);
  }

  ReplayResult run(TraceReader& source) {
    std::vector<Request> requests(kBatch);
    bool done = false;
    while (!done) {
      const std::size_t n = source.read(requests);
      if (n == 0) break;
      for (std::size_t i = 0; i < n; ++i) {
        if (!admit(requests[i])) {
          done = true;
          break;
        }
      }
    }
    run_batch();
    if (config_.timeline_interval_ms && started_) close_interval();
    result_.store = store_->stats();
    result_.span_ms = last_ms_;
    if (config_.sample_rate < 1) scale_to_full_trace();
    result_.timeline_interval_ms = config_.timeline_interval_ms;
    return std::move(result_);
  }

 private:
  // Places one request on the virtual clock, handles what falls due before it, and queues it.
  // Returns false when the run is over (duration or request limit reached).
  bool admit(const Request& r) {
    if (!started_) {
      started_ = true;
      base_ms_ = r.time_ms;
      interval_end_ms_ = config_.timeline_interval_ms;
    }
    // Traces may step back a little (merged clients): time never runs backwards here.
    const std::uint64_t rel = std::max(last_ms_, r.time_ms >= base_ms_ ? r.time_ms - base_ms_ : 0);
    if (config_.duration_ms && rel >= config_.duration_ms) return false;
    if (config_.max_requests && result_.totals.requests + unsampled_ >= config_.max_requests) return false;
    if (rel > kMaxSpanMs)
      throw InputError("the workload spans more than 49.7 days of virtual time (the engine's clock counts "
                       "32-bit milliseconds): shorten it or split the trace");
    last_ms_ = rel;

    while (next_restart_ < config_.restarts_ms.size() && rel >= config_.restarts_ms[next_restart_]) {
      run_batch();
      store_->flush();
      ++next_restart_;
    }
    if (config_.timeline_interval_ms) {
      while (rel >= interval_end_ms_) {
        run_batch();
        close_interval();
      }
    }
    if (ttls_seen_ && rel >= next_reclaim_ms_) {
      run_batch();
      store_->reclaim_expired(tick(rel), kReclaimBucketsPerSecond);
      next_reclaim_ms_ = rel - rel % 1000 + 1000;
    }
    if (!sample_.keeps(r.key)) {
      ++unsampled_;
      if (r.op == RequestOp::kRead) ++unsampled_reads_;
      return true;
    }
    queue(r, rel);
    if (pending_.size() == kBatch) run_batch();
    if (config_.progress && (result_.totals.requests & kProgressMask) == 0) config_.progress(result_.totals.requests, rel);
    return true;
  }

  static Tick tick(std::uint64_t rel_ms) noexcept { return static_cast<Tick>(rel_ms + 1); }

  Tick exptime_for(const Request& r, std::uint64_t rel) {
    std::int64_t ttl = config_.ttl_override_ms != kTtlUnset ? config_.ttl_override_ms
                       : r.ttl_ms != kTtlUnset              ? r.ttl_ms
                                                            : config_.default_ttl_ms;
    if (ttl <= 0) return kNever;
    ttls_seen_ = true;
    // Clamp: an expiry beyond the clock's range is as good as never within this replay.
    const std::uint64_t at = rel + 1 + static_cast<std::uint64_t>(ttl);
    return at >= std::numeric_limits<Tick>::max() ? std::numeric_limits<Tick>::max() : static_cast<Tick>(at);
  }

  void queue(const Request& r, std::uint64_t rel) {
    ++result_.totals.requests;
    Pending p{nullptr, 0, rel, r.size, r.op, -1, r.source};
    Access a{};
    a.key = r.key;
    a.now = tick(rel);
    a.size = r.size;
    a.next_access = r.next_access;
    if (r.op == RequestOp::kRead) {
      if (!origin_.empty()) {
        auto found = origin_.find(r.key);
        if (found != origin_.end()) {
          p.origin = &found->second;
          p.version = found->second.version;
        }
      }
      a.op = Access::Op::kRead;
      a.version = p.version;
      a.exptime = exptime_for(r, rel);
    } else {
      OriginState& o = origin_[r.key];
      p.origin = &o;
      p.version = ++o.version;
      if (config_.invalidation == Invalidation::kTtlOnly) {
        pending_.push_back(p);
        return;
      }
      const bool replace = config_.invalidation == Invalidation::kUpdateOnWrite && r.op == RequestOp::kWrite;
      a.op = replace ? Access::Op::kUpdate : Access::Op::kDelete;
      a.version = p.version;
      a.exptime = replace ? exptime_for(r, rel) : kNever;
    }
    p.access = static_cast<std::int32_t>(accesses_.size());
    accesses_.push_back(a);
    pending_.push_back(p);
  }

  // Runs the queued accesses through the engine, then accounts for them in order.
  void run_batch() {
    if (pending_.empty()) return;
    if (!accesses_.empty()) store_->access_batch(accesses_);
    for (const Pending& p : pending_) account(p);
    accesses_.clear();
    pending_.clear();
  }

  void account(const Pending& p) {
    ReplayCounts& total = result_.totals;
    if (p.source >= result_.per_source.size()) result_.per_source.resize(p.source + 1u);
    ReplayCounts& source = result_.per_source[p.source];
    ++source.requests;
    if (p.op != RequestOp::kRead) {
      ++total.writes;
      ++interval_.writes;
      ++source.writes;
      // The first write since the cached copy was filled is when that copy became outdated.
      if (p.origin->filled_version == p.version - 1) p.origin->outdated_since_ms = p.time_ms;
      if (p.access >= 0 && accesses_[p.access].hit && accesses_[p.access].op == Access::Op::kUpdate)
        p.origin->filled_version = p.version;
      return;
    }
    const Access& a = accesses_[p.access];
    for (ReplayCounts* c : {&total, &interval_, &source}) {
      ++c->reads;
      c->read_bytes += p.size;
    }
    if (!a.hit) {
      for (ReplayCounts* c : {&total, &interval_, &source}) {
        ++c->misses;
        ++c->origin_reads;
      }
      if (p.origin) p.origin->filled_version = p.version;
      return;
    }
    const bool stale = p.origin && a.copy_version < p.version;
    const double age = stale ? double(p.time_ms - p.origin->outdated_since_ms) : 0.0;
    for (ReplayCounts* c : {&total, &interval_, &source}) {
      ++c->hits;
      c->hit_bytes += p.size;
      if (stale) {
        ++c->stale_hits;
        c->stale_age_ms_sum += age;
      }
    }
  }

  // A sampled run's counts stand for 1/rate as many: report them as estimates for the whole trace.
  void scale_to_full_trace() {
    // SHARDS-adj: the sample drew more or fewer reads than rate × reads by chance, mostly through
    // a few hot keys; the difference is credited as hits (the shortest reuse distances), as the
    // SHARDS paper does, so that ratios are taken over the expected sample size.
    const double expected_reads =
        std::round(static_cast<double>(result_.totals.reads + unsampled_reads_) * config_.sample_rate);
    const double adjustment = expected_reads - static_cast<double>(result_.totals.reads);
    const double adjusted_hits = std::max(0.0, static_cast<double>(result_.totals.hits) + adjustment);
    result_.totals.hits = static_cast<std::uint64_t>(adjusted_hits);
    result_.totals.reads = static_cast<std::uint64_t>(std::max(0.0, expected_reads));
    result_.totals.misses = result_.totals.reads - std::min(result_.totals.reads, result_.totals.hits);
    result_.totals.origin_reads = result_.totals.misses;
    result_.totals.requests = result_.totals.reads + result_.totals.writes;
    const double f = 1.0 / config_.sample_rate;
    auto scale = [f](std::uint64_t& v) { v = static_cast<std::uint64_t>(std::llround(static_cast<double>(v) * f)); };
    auto scale_counts = [&](ReplayCounts& c) {
      for (std::uint64_t* v : {&c.requests, &c.reads, &c.writes, &c.hits, &c.misses, &c.read_bytes, &c.hit_bytes,
                               &c.stale_hits, &c.origin_reads})
        scale(*v);
      c.stale_age_ms_sum *= f;
    };
    scale_counts(result_.totals);
    for (auto& c : result_.per_source) scale_counts(c);
    for (auto& row : result_.timeline) scale_counts(row.counts);
    for (std::uint64_t* v : {&result_.store.evictions, &result_.store.expirations, &result_.store.curr_items,
                             &result_.store.bytes, &result_.store.total_items})
      scale(*v);
  }

  void close_interval() {
    if (result_.timeline.size() >= kMaxTimelineRows)
      throw InputError("the timeline interval is too small for this workload (more than " +
                       std::to_string(kMaxTimelineRows) + " intervals): choose a longer one");
    result_.timeline.push_back({interval_end_ms_ - config_.timeline_interval_ms, interval_});
    result_.timeline.back().counts.requests = interval_.reads + interval_.writes;
    interval_ = ReplayCounts{};
    interval_end_ms_ += config_.timeline_interval_ms;
  }

  const ReplayConfig& config_;
  std::unique_ptr<Store> store_;
  std::vector<Access> accesses_;
  std::vector<Pending> pending_;
  std::unordered_map<std::uint64_t, OriginState> origin_;
  ReplayResult result_;
  ReplayCounts interval_;
  bool started_ = false;
  bool ttls_seen_ = false;
  std::uint64_t base_ms_ = 0;
  std::uint64_t last_ms_ = 0;
  std::uint64_t interval_end_ms_ = 0;
  std::uint64_t next_reclaim_ms_ = 0;
  std::size_t next_restart_ = 0;
  std::uint64_t unsampled_ = 0;  // requests skipped by SHARDS sampling
  std::uint64_t unsampled_reads_ = 0;
  const KeySample sample_{config_.sample_rate};
};

}  // namespace

ReplayResult replay(TraceReader& source, const ReplayConfig& config) {
  ReplayConfig sorted = config;
  std::sort(sorted.restarts_ms.begin(), sorted.restarts_ms.end());
  Replayer replayer(sorted);
  return replayer.run(source);
}

}  // namespace cachelab::sim
