#include "cachelab/protocol/stats.h"

namespace cachelab::protocol {

std::string_view counter_name(Counter c) noexcept {
#define CACHELAB_COUNTER_NAME(id, name, group) name,
  static constexpr std::string_view kNames[] = {CACHELAB_COUNTERS(CACHELAB_COUNTER_NAME)};
#undef CACHELAB_COUNTER_NAME
  return kNames[static_cast<std::size_t>(c)];
}

CounterGroup counter_group(Counter c) noexcept {
#define CACHELAB_COUNTER_GROUP(id, name, group) CounterGroup::group,
  static constexpr CounterGroup kGroups[] = {CACHELAB_COUNTERS(CACHELAB_COUNTER_GROUP)};
#undef CACHELAB_COUNTER_GROUP
  return kGroups[static_cast<std::size_t>(c)];
}

}  // namespace cachelab::protocol
