#include "cachelab/protocol/stats.h"

namespace cachelab::protocol {

std::string_view counter_name(Counter c) noexcept {
  static constexpr std::array<std::string_view, static_cast<std::size_t>(Counter::kCount)> kNames{
      "cmd_get", "cmd_set", "cmd_flush", "cmd_touch", "cmd_meta",
      "get_hits", "get_misses",
      "delete_misses", "delete_hits", "incr_misses", "incr_hits", "decr_misses", "decr_hits",
      "cas_misses", "cas_hits", "cas_badval", "touch_hits", "touch_misses",
      "store_too_large", "store_no_memory",
      "bytes_read", "bytes_written"};
  return kNames[static_cast<std::size_t>(c)];
}

}  // namespace cachelab::protocol
