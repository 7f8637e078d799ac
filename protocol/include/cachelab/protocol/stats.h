#pragma once
// Counters for `stats`. Each worker thread owns one CommandStats and is its only writer; `stats`
// sums them all. Relaxed atomics: exact totals, no ordering needed, and no data race under TSan.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cachelab::protocol {

enum class Counter : std::uint8_t {
  kCmdGet, kCmdSet, kCmdFlush, kCmdTouch, kCmdMeta,
  kGetHits, kGetMisses,
  kDeleteMisses, kDeleteHits, kIncrMisses, kIncrHits, kDecrMisses, kDecrHits,
  kCasMisses, kCasHits, kCasBadval, kTouchHits, kTouchMisses,
  kStoreTooLarge, kStoreNoMemory,
  kBytesRead, kBytesWritten,
  kCount
};

// memcached's names, indexed by Counter.
std::string_view counter_name(Counter c) noexcept;

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
