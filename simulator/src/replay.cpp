#include "cachelab/sim/replay.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <span>
#include <unordered_map>

#include "cache_topology.h"
#include "fill_metrics.h"
#include "fill_model.h"
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
constexpr std::size_t kMaxTimelineRows = 10'000'000;
constexpr std::uint64_t kProgressMask = (1u << 20) - 1;
// The engine counts 32-bit ticks (ms here). The replay moves its epoch forward once ticks pass
// ReplayConfig::clock_shift_at_ms (3.1 days), so ticks stay below that + kTimeShiftQuantum and an
// expiry up to 2^32 - 2^28 - 2^26 ms (46 days; memcached's relative TTLs stop at 30) ahead always
// fits: a replay of any span gives what a 64-bit clock would. A longer TTL is kept as no expiry.

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
  std::uint64_t copy_version = 0;  // a read hit: the version of the copy served
  std::uint32_t size;
  RequestOp op;
  std::int32_t access = -1;  // index in its lane's access batch; -1: decided when queued
  std::uint32_t lane = 0;
  std::uint16_t source;      // the request's class
  bool hit = false;          // a read: served by a cache; a write: a cached copy was updated
  bool near_hit = false;     // two-tier: served by the process's near cache
};

bool any_active(const std::vector<FillPolicy>& fills) {
  for (const FillPolicy& f : fills)
    if (f.active()) return true;
  return false;
}

class Replayer {
 public:
  explicit Replayer(const ReplayConfig& config) : config_(config), topology_(config), accesses_(topology_.size()) {
    for (auto& batch : accesses_) batch.reserve(kBatch);
    pending_.reserve(kBatch);
    if (any_active(config.fills)) {
      // The fill model keeps one state per key (the fill under way, the copy's expiry): a key
      // has one copy only in a shared cache (one node, or the node ketama gives it).
      if (topology_.two_tier() || topology_.has_process_caches())
        throw InputError("fill_latency and protection replay through a shared cache: use topology shared "
                         "(one node or a cluster), not local or two-tier");
      fills_.emplace(config.fills, config.seed);
    }
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
    finish_whole_run_figures();
    result_.store = topology_.stats();
    result_.span_ms = last_ms_;
    if (config_.sample_rate < 1) scale_to_full_trace();
    if (config_.presampled < 1) scale_all(1.0 / config_.presampled);
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
    last_ms_ = rel;

    while (next_restart_ < config_.restarts_ms.size() && rel >= config_.restarts_ms[next_restart_]) {
      run_batch();
      settle_fills(config_.restarts_ms[next_restart_]);
      topology_.flush();
      ++next_restart_;
    }
    while (rel >= topology_.next_event_ms()) {
      run_batch();
      settle_fills(topology_.next_event_ms());
      topology_.apply_next_event();
    }
    if (config_.timeline_interval_ms) {
      while (rel >= interval_end_ms_) {
        run_batch();
        close_interval();
      }
    }
    settle_fills(rel);
    advance_clock_to(rel);
    if (ttls_seen_ && rel >= next_reclaim_ms_) {
      run_batch();
      topology_.reclaim_expired(tick(rel));
      next_reclaim_ms_ = rel - rel % 1000 + 1000;
    }
    ++admitted_;
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

  // The engine's tick for `rel_ms` (ms since the first request): ms since the epoch, plus one
  // (0 is kNever). shift_clock moves the epoch forward.
  Tick tick(std::uint64_t rel_ms) const noexcept { return static_cast<Tick>(rel_ms - epoch_ms_ + 1); }

  // Called with the time of each step that hands the engine ticks, in time order (requests, fills
  // landing): once the clock has run clock_shift_at_ms past the epoch, the epoch moves up to it.
  void advance_clock_to(std::uint64_t t) {
    if (t - epoch_ms_ >= config_.clock_shift_at_ms) shift_clock(t);
  }

  // Moves the epoch forward by whole quanta, and every tick the caches hold with it; a gap in
  // the trace longer than 32 bits of ms is crossed in steps (after two, every finite expiry is
  // already past: the steps only move the epoch and the stamps).
  void shift_clock(std::uint64_t rel) {
    run_batch();  // queued accesses carry ticks of the old epoch
    constexpr std::uint64_t kQuantum = Store::kTimeShiftQuantum;
    constexpr std::uint64_t kMaxStep = (kFarExpiry - 1) / kQuantum * kQuantum;
    while (rel - epoch_ms_ >= std::max<std::uint64_t>(config_.clock_shift_at_ms, kQuantum)) {
      const std::uint64_t delta = std::min(kMaxStep, (rel - epoch_ms_) / kQuantum * kQuantum);
      topology_.shift_time(static_cast<Tick>(delta));
      epoch_ms_ += delta;
      ++result_.clock_shifts;
    }
  }

  Tick exptime_for(const Request& r, std::uint64_t rel) { return expiry_after(rel, ttl_for(r)); }

  // The tick `ttl_ms` after `rel` (kNever for no TTL, 0 or less).
  Tick expiry_after(std::uint64_t rel, std::int64_t ttl_ms) {
    if (ttl_ms <= 0) return kNever;
    ttls_seen_ = true;
    return tick_at(expiry_ms_after(rel, ttl_ms));
  }

  // The ms (since the start) at which a copy stored at `rel` with `ttl_ms` > 0 expires: rel + TTL,
  // or on the server's whole-second clock floor(time) + TTL (time in the trace's own seconds).
  std::uint64_t expiry_ms_after(std::uint64_t rel, std::int64_t ttl_ms) const noexcept {
    const auto ttl = static_cast<std::uint64_t>(ttl_ms);
    if (!config_.whole_second_clock) return rel + ttl;
    const std::uint64_t second_start = (base_ms_ + rel) / 1000 * 1000;  // may fall before the first request
    return second_start + ttl >= base_ms_ ? second_start + ttl - base_ms_ : 0;
  }

  // The tick of an expiry at `at_ms`. One already past the epoch is 1 (expired); one further
  // ahead than 32 bits reach is kFarExpiry (no expiry: see the clock's note above).
  Tick tick_at(std::uint64_t at_ms) const noexcept {
    if (at_ms < epoch_ms_) return 1;
    const std::uint64_t at = at_ms - epoch_ms_ + 1;
    return at >= kFarExpiry ? kFarExpiry : static_cast<Tick>(at);
  }

  // The request's TTL in ms (0 = no expiry), as exptime_for resolves it.
  std::int64_t ttl_for(const Request& r) const noexcept {
    return config_.ttl_override_ms != kTtlUnset ? config_.ttl_override_ms
           : r.ttl_ms != kTtlUnset              ? r.ttl_ms
                                                : config_.default_ttl_ms;
  }

  std::uint32_t process() const noexcept { return topology_.process_for(admitted_); }

  // The cache a one-tier request meets: its process's own (local), or the key's node (shared).
  std::optional<std::uint32_t> one_tier_lane(const Request& r, std::uint32_t proc) const noexcept {
    return topology_.has_process_caches() ? std::optional<std::uint32_t>(proc) : topology_.node_lane(r);
  }

  void push(std::uint32_t lane, const Access& a, Pending& p) {
    p.lane = lane;
    p.access = static_cast<std::int32_t>(accesses_[lane].size());
    accesses_[lane].push_back(a);
  }

  // The absolute expiry of a near-cache copy: the near cache's own TTL, else the request's.
  Tick near_exptime(const Request& r, std::uint64_t rel) {
    const std::int64_t ttl = config_.topology.near_ttl_ms;
    return ttl == kTtlUnset ? exptime_for(r, rel) : expiry_after(rel, ttl);
  }

  Access make_access(const Request& r, std::uint64_t rel, Access::Op op, std::uint64_t version, Tick exptime) const {
    Access a{};
    a.key = r.key;
    a.now = tick(rel);
    a.size = r.size;
    a.next_access = r.next_access;
    a.op = op;
    a.version = version;
    a.exptime = exptime;
    return a;
  }

  // A captured cache command (replay: commands): what the client did to the cache, as it did it.
  void queue_command(const Request& r, std::uint64_t rel) {
    Pending p{.origin = nullptr, .version = 0, .time_ms = rel, .size = r.size, .op = r.op, .source = r.source};
    if (const auto lane = one_tier_lane(r, process())) {
      const Access::Op op = r.op == RequestOp::kRead    ? Access::Op::kLookup
                            : r.op == RequestOp::kWrite ? Access::Op::kSet
                                                        : Access::Op::kDelete;
      push(*lane, make_access(r, rel, op, 0, r.op == RequestOp::kWrite ? exptime_for(r, rel) : kNever), p);
    }
    pending_.push_back(p);
  }

  void queue(const Request& r, std::uint64_t rel) {
    ++result_.totals.requests;
    if (config_.commands) {
      if (topology_.two_tier()) throw InputError("a capture of cache commands replays through one tier: use topology shared or local");
      queue_command(r, rel);
      return;
    }
    Pending p{.origin = nullptr, .version = 0, .time_ms = rel, .size = r.size, .op = r.op, .source = r.source};
    const bool read = r.op == RequestOp::kRead;
    if (read) {
      if (!origin_.empty()) {
        auto found = origin_.find(r.key);
        if (found != origin_.end()) {
          p.origin = &found->second;
          p.version = found->second.version;
        }
      }
    } else {
      OriginState& o = origin_[r.key];
      p.origin = &o;
      p.version = ++o.version;
    }
    const std::uint32_t proc = process();
    if (fills_) {
      read ? read_with_fills(r, rel, proc, p) : write_with_fills(r, rel, proc, p);
      pending_.push_back(p);
      return;
    }
    if (topology_.two_tier()) {
      read ? read_two_tier(r, rel, proc, p) : write_two_tier(r, rel, proc, p);
      pending_.push_back(p);
      return;
    }
    // One tier (shared nodes or local caches): queued in the lane's batch, decided in run_batch.
    const std::optional<std::uint32_t> lane = one_tier_lane(r, proc);
    std::optional<Access> a;
    if (read) {
      a = make_access(r, rel, Access::Op::kRead, p.version, exptime_for(r, rel));
    } else if (config_.invalidation != Invalidation::kTtlOnly) {
      const bool replace = config_.invalidation == Invalidation::kUpdateOnWrite && r.op == RequestOp::kWrite;
      a = make_access(r, rel, replace ? Access::Op::kUpdate : Access::Op::kDelete, p.version,
                      replace ? exptime_for(r, rel) : kNever);
    }
    if (a && lane) push(*lane, *a, p);
    pending_.push_back(p);
  }

  Access run_one(std::uint32_t lane, Access a) {
    topology_.store(lane).access_batch(std::span<Access>(&a, 1));
    return a;
  }

  // Two-tier read: the process's near cache, then the shared cache, then the origin; a miss
  // fills the near cache with the copy the shared cache gave (which may already be outdated).
  void read_two_tier(const Request& r, std::uint64_t rel, std::uint32_t proc, Pending& p) {
    const Access near = run_one(proc, make_access(r, rel, Access::Op::kLookup, p.version, kNever));
    if (near.hit) {
      p.hit = p.near_hit = true;
      p.copy_version = near.copy_version;
      return;
    }
    std::uint64_t version = p.version;
    if (const auto lane = topology_.node_lane(r)) {
      const Access shared = run_one(*lane, make_access(r, rel, Access::Op::kRead, p.version, exptime_for(r, rel)));
      if (shared.hit) {
        p.hit = true;
        p.copy_version = version = shared.copy_version;
      }
    }
    run_one(proc, make_access(r, rel, Access::Op::kSet, version, near_exptime(r, rel)));
  }

  // Two-tier write: the shared cache and the writer's own near copy see the invalidation; the
  // other processes' near copies do not.
  void write_two_tier(const Request& r, std::uint64_t rel, std::uint32_t proc, Pending& p) {
    if (config_.invalidation == Invalidation::kTtlOnly) return;
    const bool replace = config_.invalidation == Invalidation::kUpdateOnWrite && r.op == RequestOp::kWrite;
    const Access::Op op = replace ? Access::Op::kUpdate : Access::Op::kDelete;
    run_one(proc, make_access(r, rel, op, p.version, replace ? near_exptime(r, rel) : kNever));
    if (const auto lane = topology_.node_lane(r))
      p.hit = run_one(*lane, make_access(r, rel, op, p.version, replace ? exptime_for(r, rel) : kNever)).hit;
  }

  // --- Fills that take time (fill_model.h). Every access runs at once, in request order: whether a
  // read starts a fill decides what the next read of the key meets.

  // The read's outcome goes to outcomes_, beside pending_ (kept out of Pending: the fast path's
  // batch stays as small as it was).
  void read_with_fills(const Request& r, std::uint64_t rel, std::uint32_t proc, Pending& p) {
    const std::optional<std::uint32_t> lane = one_tier_lane(r, proc);
    FillReadOutcome& o = outcomes_.emplace_back();
    if (!fills_->policy(r.source).active()) {  // this class fills at once, as on the fast path
      if (lane) {
        const Access a = run_one(*lane, make_access(r, rel, Access::Op::kRead, p.version, exptime_for(r, rel)));
        p.hit = a.hit;
        p.copy_version = a.copy_version;
      }
      o.hit = p.hit;
      o.origin_read = !p.hit;
      return;
    }
    Access a{};
    if (lane) a = run_one(*lane, make_access(r, rel, Access::Op::kLookup, p.version, kNever));
    o = fills_->read(r, rel, a.hit, p.version, proc);
    p.hit = o.hit;
    p.copy_version = a.copy_version;
    if (o.origin_read) settle_fills(rel);  // an instant fill lands now
  }

  void write_with_fills(const Request& r, std::uint64_t rel, std::uint32_t proc, Pending& p) {
    outcomes_.emplace_back();
    if (config_.invalidation == Invalidation::kTtlOnly) return;
    const std::optional<std::uint32_t> lane = one_tier_lane(r, proc);
    if (!lane) return;
    const FillPolicy& policy = fills_->policy(r.source);
    const bool serve_stale = policy.protection == Protection::kServeStale;
    if (policy.protection == Protection::kLease || serve_stale) fills_->revoke_fills(r.key);
    const bool replace = config_.invalidation == Invalidation::kUpdateOnWrite && r.op == RequestOp::kWrite;
    if (replace) {
      const std::int64_t ttl = ttl_for(r);
      const std::uint64_t fresh_until = ttl > 0 ? expiry_ms_after(rel, ttl) : kFreshForever;
      p.hit = run_one(*lane, make_access(r, rel, Access::Op::kUpdate, p.version, physical_expiry(fresh_until, policy))).hit;
      if (p.hit) fills_->updated(r.key, p.version, fresh_until);
      return;
    }
    if (serve_stale) {
      // memcached `md I`: the copy stays, marked stale, for the grace period (only if cached).
      if (const auto kept = fills_->invalidate(r.key, rel)) {
        ttls_seen_ = true;
        run_one(*lane, make_access(r, rel, Access::Op::kUpdate, *kept, tick_at(rel + policy.grace_ms)));
        return;
      }
    }
    run_one(*lane, make_access(r, rel, Access::Op::kDelete, p.version, kNever));
  }

  // The cache's own expiry for a copy fresh until fresh_until: serve-stale keeps it `grace` longer.
  Tick physical_expiry(std::uint64_t fresh_until, const FillPolicy& policy) {
    if (fresh_until == kFreshForever) return kNever;
    ttls_seen_ = true;
    return tick_at(fresh_until + (policy.protection == Protection::kServeStale ? policy.grace_ms : 0));
  }

  // Stores the copies of the fills completed by `now_ms`, in completion order.
  void settle_fills(std::uint64_t now_ms) {
    if (!fills_) return;
    while (const std::optional<Fill> f = fills_->pop_due(now_ms)) {
      const Request& r = f->request;
      const std::int64_t ttl = ttl_for(r);
      const std::uint64_t fresh_until = ttl > 0 ? expiry_ms_after(f->done_ms, ttl) : kFreshForever;
      if (!fills_->may_store(*f)) continue;
      if (const auto lane = one_tier_lane(r, f->process)) {
        advance_clock_to(f->done_ms);
        run_one(*lane, make_access(r, f->done_ms, Access::Op::kSet, f->version,
                                   physical_expiry(fresh_until, fills_->policy(r.source))));
        fills_->landed(*f, fresh_until);
      }
    }
  }

  // Runs the queued accesses through the engine, then accounts for them in order.
  void run_batch() {
    if (pending_.empty()) return;
    for (std::size_t lane = 0; lane < accesses_.size(); ++lane)
      if (!accesses_[lane].empty()) topology_.store(lane).access_batch(accesses_[lane]);
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      Pending& p = pending_[i];
      if (p.access >= 0) {
        const Access& a = accesses_[p.lane][static_cast<std::size_t>(p.access)];
        p.hit = a.hit;
        p.copy_version = a.copy_version;
      }
      account(p, fills_ ? &outcomes_[i] : nullptr);
    }
    for (auto& batch : accesses_) batch.clear();
    pending_.clear();
    outcomes_.clear();
  }

  // fill: the read's outcome when fills take time (null on the fast path).
  void account(const Pending& p, const FillReadOutcome* fill) {
    ReplayCounts& total = result_.totals;
    if (p.source >= result_.per_source.size()) {
      result_.per_source.resize(p.source + 1u);
      source_peaks_.resize(p.source + 1u);
      source_waits_.resize(p.source + 1u);
    }
    ReplayCounts& source = result_.per_source[p.source];
    ++source.requests;
    if (p.op != RequestOp::kRead) {
      ++total.writes;
      ++interval_.writes;
      ++source.writes;
      if (!p.origin) return;  // a captured set: the cache's, not the origin's
      // The first write since the cached copy was filled is when that copy became outdated.
      if (p.origin->filled_version == p.version - 1) p.origin->outdated_since_ms = p.time_ms;
      if (p.hit && config_.invalidation == Invalidation::kUpdateOnWrite && p.op == RequestOp::kWrite)
        p.origin->filled_version = p.version;
      return;
    }
    for (ReplayCounts* c : {&total, &interval_, &source}) {
      ++c->reads;
      c->read_bytes += p.size;
    }
    // Without fill latency every miss reads the origin; with it, a read that waited for another's
    // fill did not, and a serve-stale refresher did while being served.
    const bool origin_read = fill ? fill->origin_read : !p.hit;
    if (origin_read) {
      for (ReplayCounts* c : {&total, &interval_, &source}) {
        ++c->origin_reads;
        if (fill) c->duplicate_fills += fill->duplicate;
      }
      // Windows on the source's own whole seconds (a trace's timestamps, the workload's clock).
      peak_.add(base_ms_ + p.time_ms);
      source_peaks_[p.source].add(base_ms_ + p.time_ms);
      if (p.origin) p.origin->filled_version = p.version;
    }
    if (fill) account_fill_waits(p, *fill, source);
    if (!p.hit) {
      for (ReplayCounts* c : {&total, &interval_, &source}) ++c->misses;
      return;
    }
    const bool outdated = p.origin && p.copy_version < p.version;
    const std::int64_t expired_age_ms = fill ? fill->expired_age_ms : -1;
    const bool stale = outdated || expired_age_ms >= 0;
    double age = outdated ? double(p.time_ms - p.origin->outdated_since_ms) : 0.0;
    if (expired_age_ms >= 0) age = std::max(age, double(expired_age_ms));
    for (ReplayCounts* c : {&total, &interval_, &source}) {
      ++c->hits;
      c->hit_bytes += p.size;
      c->near_hits += p.near_hit;
      if (stale) {
        ++c->stale_hits;
        c->stale_age_ms_sum += age;
      }
    }
  }

  void account_fill_waits(const Pending& p, const FillReadOutcome& f, ReplayCounts& source) {
    ReplayCounts& total = result_.totals;
    if (f.waited && f.wait_ms > 0) {
      for (ReplayCounts* c : {&total, &interval_, &source}) {
        ++c->waits;
        c->wait_ms_sum += double(f.wait_ms);
      }
      waits_.add(f.wait_ms);
      source_waits_[p.source].add(f.wait_ms);
    }
    if (f.early_lead_ms >= 0) {
      for (ReplayCounts* c : {&total, &interval_, &source}) {
        ++c->early_refreshes;
        c->early_refresh_lead_ms_sum += double(f.early_lead_ms);
      }
    }
  }

  // The figures of the whole run that do not add up over intervals: peaks and wait quantiles.
  void finish_whole_run_figures() {
    auto finish = [](ReplayCounts& c, const PeakRate& peak, const WaitHistogram& waits) {
      c.peak_origin_reads_per_s = peak.peak();
      c.wait_p50_ms = waits.quantile(0.5);
      c.wait_p99_ms = waits.quantile(0.99);
      c.wait_max_ms = waits.max();
    };
    finish(result_.totals, peak_, waits_);
    for (std::size_t i = 0; i < result_.per_source.size(); ++i)
      finish(result_.per_source[i], source_peaks_[i], source_waits_[i]);
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
    if (!fills_) result_.totals.origin_reads = result_.totals.misses;
    result_.totals.requests = result_.totals.reads + result_.totals.writes;
    scale_all(1.0 / config_.sample_rate);
  }

  // Multiplies every count by f (a sample standing for the whole).
  void scale_all(double f) {
    auto scale = [f](std::uint64_t& v) { v = static_cast<std::uint64_t>(std::llround(static_cast<double>(v) * f)); };
    auto scale_counts = [&](ReplayCounts& c) {
      for (std::uint64_t* v : {&c.requests, &c.reads, &c.writes, &c.hits, &c.misses, &c.read_bytes, &c.hit_bytes,
                               &c.stale_hits, &c.origin_reads, &c.near_hits, &c.duplicate_fills, &c.waits,
                               &c.early_refreshes, &c.peak_origin_reads_per_s})
        scale(*v);
      c.stale_age_ms_sum *= f;
      c.wait_ms_sum *= f;
      c.early_refresh_lead_ms_sum *= f;
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
  CacheTopology topology_;
  std::vector<std::vector<Access>> accesses_;  // per cache of the topology: this batch's accesses
  std::uint64_t admitted_ = 0;      // requests placed on the clock so far (sampled or not)
  std::vector<Pending> pending_;
  std::vector<FillReadOutcome> outcomes_;  // fill mode: one per pending_ entry
  std::unordered_map<std::uint64_t, OriginState> origin_;
  std::optional<FillModel> fills_;  // set when some class's fills take time or are protected
  PeakRate peak_;
  std::vector<PeakRate> source_peaks_;
  WaitHistogram waits_;
  std::vector<WaitHistogram> source_waits_;
  ReplayResult result_;
  ReplayCounts interval_;
  bool started_ = false;
  bool ttls_seen_ = false;
  std::uint64_t base_ms_ = 0;
  std::uint64_t last_ms_ = 0;
  std::uint64_t epoch_ms_ = 0;  // the `rel` of tick 1 (shift_clock)
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
