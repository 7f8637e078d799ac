#pragma once
// The caches one replay drives and which of them a request meets (topology.h): first one cache
// per application process (local caches, or two-tier's near caches), then one per node of the
// shared cache. Private to the simulator; replay.cpp decides what each request does to them.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "cachelab/sim/ketama.h"
#include "cachelab/sim/replay.h"
#include "cachelab/store.h"

namespace cachelab::sim {

class CacheTopology {
 public:
  // Builds every cache (std::invalid_argument for an unknown policy, PolicyModuleError for a bad
  // module). SHARDS sampling (sample_rate, presampled) scales every capacity.
  explicit CacheTopology(const ReplayConfig& config);

  std::size_t size() const noexcept { return lanes_.size(); }
  Store& store(std::size_t lane) noexcept { return *lanes_[lane].store; }
  bool two_tier() const noexcept { return two_tier_; }
  // Local or two-tier: each process has a cache of its own.
  bool has_process_caches() const noexcept { return process_lanes_ > 0; }

  // The application process that issues the request_index-th request of the workload: a load
  // balancer spreads requests at random; the draw depends only on the seed and the index.
  std::uint32_t process_for(std::uint64_t request_index) const noexcept;
  // The lane of the shared-cache node that holds the key; nullopt when that node is down and
  // clients do not eject it (the request goes to the origin, nothing is cached).
  std::optional<std::uint32_t> node_lane(const Request& r) const noexcept;

  // Node outages in time order: when the next one falls due (UINT64_MAX: none left), and applying
  // it (down: the node loses its contents; up: it comes back empty; the ring follows if clients
  // eject dead nodes).
  std::uint64_t next_event_ms() const noexcept;
  void apply_next_event();

  void flush();                    // a restart: every cache loses everything
  void reclaim_expired(Tick now);  // once per virtual second
  void shift_time(Tick delta);     // every cache's times move back (Store::shift_time)
  StoreStats stats() const;        // summed over the caches

 private:
  struct Lane {
    std::unique_ptr<Store> store;
    // Index buckets scanned for expired items each virtual second: the scan is shared out by
    // capacity, so that N caches cost what one cache of their total size costs.
    std::size_t reclaim_buckets = 0;
  };
  struct NodeEvent {
    std::uint64_t at_ms;
    std::size_t node;
    bool up;
  };

  const ReplayConfig& config_;
  std::vector<Lane> lanes_;
  std::uint32_t processes_ = 1;
  std::size_t process_lanes_ = 0;
  bool two_tier_ = false;
  std::optional<KetamaRing> ring_;  // more than one node
  std::vector<bool> live_;          // per node
  std::vector<NodeEvent> events_;
  std::size_t next_event_ = 0;
};

}  // namespace cachelab::sim
