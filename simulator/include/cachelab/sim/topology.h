#pragma once
// Where the cache sits (SPEC section 4, `topology:` and `cluster:`).
//
//   shared    one cache for every application process (memcached): cache.capacity in all, split
//             evenly over the cluster's nodes when there is a cluster.
//   local     each of N application processes keeps its own cache of cache.capacity / N
//             (functools.lru_cache): nothing is shared, and a write reaches only the writer's copy.
//   two-tier  each process keeps a small near cache (near.capacity, its own TTL and policy) in
//             front of the shared cache; a near miss asks the shared cache, a shared miss the
//             origin, and the copy fills both.
// Requests are spread over the processes at random (a load balancer), deterministically by seed.
// A write changes the origin; what the caches see of it is the invalidation mode, applied to the
// shared cache and to the writing process's own near or local copy: the other processes cannot
// be told, so their copies may be served stale until their TTL ends.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cachelab/sim/ketama.h"
#include "cachelab/sim/request.h"
#include "cachelab/sim/units.h"

namespace cachelab::sim {

enum class TopologyKind { kShared, kLocal, kTwoTier };
std::optional<TopologyKind> parse_topology_kind(std::string_view name);
std::string_view topology_kind_name(TopologyKind kind);

struct TopologySpec {
  TopologyKind kind = TopologyKind::kShared;
  std::uint32_t processes = 1;
  // two-tier: each process's near cache.
  Capacity near_capacity{.amount = 1ull << 20};
  std::string near_policy = "lru";
  std::int64_t near_ttl_ms = kTtlUnset;  // unset: the request's own TTL; 0: no expiry
};

// A node of the cluster is down from down_ms (it loses its contents) until up_ms, when it comes
// back empty (0: it stays down). Times are ms since the start of the run.
struct NodeOutage {
  std::size_t node = 0;  // index in ClusterSpec::servers
  std::uint64_t down_ms = 0;
  std::uint64_t up_ms = 0;
};

// The shared cache as a cluster of memcached nodes that clients spread keys over by ketama.
struct ClusterSpec {
  std::vector<std::string> servers;  // as the client lists them ("host" or "host:port")
  KetamaVariant hashing = KetamaVariant::kLibmemcached;
  // While a node is down: true (`on_down: rehash`) = clients eject it and its keys go to the next
  // node on the ring (libmemcached's auto-eject, twemproxy's auto_eject_hosts); false (`miss`) =
  // its keys miss and read the origin, and nothing is cached for them.
  bool eject_down = true;
  std::vector<NodeOutage> outages;

  std::size_t nodes() const noexcept { return servers.empty() ? 1 : servers.size(); }
};

}  // namespace cachelab::sim
