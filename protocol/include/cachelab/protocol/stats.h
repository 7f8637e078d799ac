#pragma once
// Counters for `stats`. Each worker thread owns one CommandStats and is its only writer; `stats`
// sums them all. Relaxed atomics: exact totals, no ordering needed, and no data race under TSan.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cachelab::protocol {

// Every per-command (and per-connection) counter, once: its id, memcached's name for it, and where `stats` prints it
// (memcached's order puts get_expired and get_flushed, which come from the store, between the
// two groups). The enum, the names and the stats output are expanded from this list: a counter
// added here is counted, named and printed, with nothing else to change.
#define CACHELAB_COUNTERS(X)                     \
  X(kCmdGet, "cmd_get", kBeforeExpired)          \
  X(kCmdSet, "cmd_set", kBeforeExpired)          \
  X(kCmdFlush, "cmd_flush", kBeforeExpired)      \
  X(kCmdTouch, "cmd_touch", kBeforeExpired)      \
  X(kCmdMeta, "cmd_meta", kBeforeExpired)        \
  X(kGetHits, "get_hits", kBeforeExpired)        \
  X(kGetMisses, "get_misses", kBeforeExpired)    \
  X(kDeleteMisses, "delete_misses", kAfterExpired) \
  X(kDeleteHits, "delete_hits", kAfterExpired)   \
  X(kIncrMisses, "incr_misses", kAfterExpired)   \
  X(kIncrHits, "incr_hits", kAfterExpired)       \
  X(kDecrMisses, "decr_misses", kAfterExpired)   \
  X(kDecrHits, "decr_hits", kAfterExpired)       \
  X(kCasMisses, "cas_misses", kAfterExpired)     \
  X(kCasHits, "cas_hits", kAfterExpired)         \
  X(kCasBadval, "cas_badval", kAfterExpired)     \
  X(kTouchHits, "touch_hits", kAfterExpired)     \
  X(kTouchMisses, "touch_misses", kAfterExpired) \
  X(kStoreTooLarge, "store_too_large", kAfterExpired) \
  X(kStoreNoMemory, "store_no_memory", kAfterExpired) \
  X(kAuthCmds, "auth_cmds", kAfterExpired)       \
  X(kAuthErrors, "auth_errors", kAfterExpired)   \
  X(kIdleKicks, "idle_kicks", kAfterExpired)     \
  X(kBytesRead, "bytes_read", kAfterExpired)     \
  X(kBytesWritten, "bytes_written", kAfterExpired) \
  X(kSslHandshakeErrors, "ssl_handshake_errors", kTls) \
  X(kSslNewSessions, "ssl_new_sessions", kTls)

#define CACHELAB_COUNTER_ID(id, name, group) id,
enum class Counter : std::uint8_t { CACHELAB_COUNTERS(CACHELAB_COUNTER_ID) kCount };
#undef CACHELAB_COUNTER_ID

// kTls: printed only with -Z, as memcached does (idle_kicks, only with idle_timeout, is skipped
// by `stats` otherwise).
enum class CounterGroup : std::uint8_t { kBeforeExpired, kAfterExpired, kTls };

// memcached's names, indexed by Counter.
std::string_view counter_name(Counter c) noexcept;
CounterGroup counter_group(Counter c) noexcept;

class CommandStats {
 public:
  void add(Counter c, std::uint64_t n = 1) noexcept {
    values_[static_cast<std::size_t>(c)].fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t get(Counter c) const noexcept {
    return values_[static_cast<std::size_t>(c)].load(std::memory_order_relaxed);
  }
  void reset() noexcept {
    for (auto& v : values_) v.store(0, std::memory_order_relaxed);
  }

 private:
  std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(Counter::kCount)> values_{};
};

struct ConnectionStats {
  std::atomic<std::uint64_t> current{0};
  std::atomic<std::uint64_t> total{0};
  std::atomic<std::uint64_t> rejected{0};
  std::atomic<std::uint64_t> write_stalled{0};  // closed for not reading their replies
};

}  // namespace cachelab::protocol
