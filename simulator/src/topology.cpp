#include "cachelab/sim/topology.h"

namespace cachelab::sim {

std::optional<TopologyKind> parse_topology_kind(std::string_view name) {
  if (name == "shared") return TopologyKind::kShared;
  if (name == "local") return TopologyKind::kLocal;
  if (name == "two-tier") return TopologyKind::kTwoTier;
  return std::nullopt;
}

std::string_view topology_kind_name(TopologyKind kind) {
  switch (kind) {
    case TopologyKind::kShared: return "shared";
    case TopologyKind::kLocal: return "local";
    case TopologyKind::kTwoTier: return "two-tier";
  }
  return "?";
}

}  // namespace cachelab::sim
