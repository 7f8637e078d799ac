#include "cache_topology.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "cachelab/module_loader.h"
#include "cachelab/sim/rng.h"

namespace cachelab::sim {
namespace {

// Proactive expiry: each virtual second, this many index buckets are scanned for expired items
// (shared out over the caches by capacity).
constexpr std::size_t kReclaimBucketsPerSecond = 16384;
constexpr std::size_t kMinReclaimBuckets = 1024;

std::unique_ptr<Store> make_replay_store(const ReplayConfig& config, const std::string& policy, Capacity capacity,
                                         const PolicyArgs& args, bool module) {
  // SHARDS: a sample of the keys sees a cache scaled down by the same rate.
  const double rate = config.sample_rate * config.presampled;
  const auto amount = rate < 1 ? std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::llround(
                                                                static_cast<double>(capacity.amount) * rate)))
                               : capacity.amount;
  const StoreConfig store{.capacity = std::max<std::uint64_t>(1, amount),
                          .count_objects = capacity.count_objects,
                          .store_values = false,
                          .overhead_bytes = config.overhead_bytes,
                          .ticks_per_second = 1000};  // the virtual clock counts milliseconds
  if (module) return make_module_store(config.policy_module, store, args);
  return make_store(policy, store, args);
}

}  // namespace

CacheTopology::CacheTopology(const ReplayConfig& config) : config_(config) {
  const TopologySpec& t = config.topology;
  const bool module = !config.policy_module.empty();
  auto add = [&](const std::string& policy, Capacity capacity, const PolicyArgs& args, bool is_module) {
    lanes_.push_back({make_replay_store(config, policy, capacity, args, is_module), 0});
  };
  processes_ = t.kind == TopologyKind::kShared ? 1 : t.processes;
  if (t.kind != TopologyKind::kShared) {
    // local: the cache's budget split over the processes; two-tier: each its own near cache.
    Capacity local = config.capacity;
    local.amount /= processes_;
    for (std::uint32_t i = 0; i < processes_; ++i) {
      if (t.kind == TopologyKind::kLocal) add(config.policy, local, config.policy_args, module);
      else add(t.near_policy, t.near_capacity, {}, false);
    }
    process_lanes_ = processes_;
  }
  if (t.kind != TopologyKind::kLocal) {
    const std::size_t nodes = config.cluster.nodes();
    Capacity per_node = config.capacity;
    per_node.amount /= nodes;
    for (std::size_t i = 0; i < nodes; ++i) add(config.policy, per_node, config.policy_args, module);
    live_.assign(nodes, true);
    if (nodes > 1) ring_.emplace(config.cluster.servers, config.cluster.hashing);
    for (const NodeOutage& o : config.cluster.outages) {
      events_.push_back({o.down_ms, o.node, false});
      if (o.up_ms) events_.push_back({o.up_ms, o.node, true});
    }
    std::stable_sort(events_.begin(), events_.end(), [](const NodeEvent& a, const NodeEvent& b) { return a.at_ms < b.at_ms; });
  }
  two_tier_ = t.kind == TopologyKind::kTwoTier;
  double total = 0;
  for (const Lane& lane : lanes_) total += static_cast<double>(lane.store->config().capacity);
  for (Lane& lane : lanes_) {
    const double share = static_cast<double>(lane.store->config().capacity) / total;
    lane.reclaim_buckets = lanes_.size() == 1 ? kReclaimBucketsPerSecond
                                              : std::max(kMinReclaimBuckets, static_cast<std::size_t>(kReclaimBucketsPerSecond * share));
  }
}

std::uint32_t CacheTopology::process_for(std::uint64_t request_index) const noexcept {
  if (processes_ == 1) return 0;
  std::uint64_t state = config_.seed ^ (request_index * 0x9e3779b97f4a7c15ull);
  return static_cast<std::uint32_t>(splitmix64(state) % processes_);
}

std::optional<std::uint32_t> CacheTopology::node_lane(const Request& r) const noexcept {
  std::size_t node = 0;
  if (ring_) {
    const std::uint32_t point = r.has_key_point ? r.key_point : ketama_id_point(config_.cluster.hashing, r.key);
    const auto owner = ring_->server_for(point);
    if (!owner) return std::nullopt;  // every node is down
    node = *owner;
  }
  if (!live_[node]) return std::nullopt;
  return static_cast<std::uint32_t>(process_lanes_ + node);
}

std::uint64_t CacheTopology::next_event_ms() const noexcept {
  return next_event_ < events_.size() ? events_[next_event_].at_ms : std::numeric_limits<std::uint64_t>::max();
}

void CacheTopology::apply_next_event() {
  const NodeEvent& e = events_[next_event_++];
  live_[e.node] = e.up;
  if (!e.up) lanes_[process_lanes_ + e.node].store->flush();
  if (ring_ && config_.cluster.eject_down) ring_.emplace(config_.cluster.servers, config_.cluster.hashing, live_);
}

void CacheTopology::flush() {
  for (Lane& lane : lanes_) lane.store->flush();
}

void CacheTopology::reclaim_expired(Tick now) {
  for (Lane& lane : lanes_) lane.store->reclaim_expired(now, lane.reclaim_buckets);
}

void CacheTopology::shift_time(Tick delta) {
  for (Lane& lane : lanes_) lane.store->shift_time(delta);
}

StoreStats CacheTopology::stats() const {
  StoreStats total;
  for (const Lane& lane : lanes_) total += lane.store->stats();
  return total;
}

}  // namespace cachelab::sim
