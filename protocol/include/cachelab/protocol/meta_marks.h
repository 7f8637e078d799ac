#pragma once
// The meta protocol's per-item marks: "stale" (md I, ms I) and "a recache token was sent"
// (mg N, R: the W and Z reply flags). memcached keeps them as item flag bits; the engine's
// 48-byte item has none to spare, so they live here, keyed by key and tied to one version of
// the item by its CAS: any change to the item gives it a new CAS and so drops its marks.
//
// Bounded: past `capacity` entries the table is cleared, which loses marks (a stale item then
// reads as fresh, and a second client may also win a recache) but never grows without end.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cachelab::protocol {

struct MetaMark {
  bool stale = false;
  bool token_sent = false;
};

class MetaMarks {
 public:
  explicit MetaMarks(std::size_t capacity = 1 << 16) : capacity_(capacity) {}

  // The marks of `key` at version `cas` (none if it was marked at another version).
  MetaMark get(std::string_view key, std::uint64_t cas) const;
  void set(std::string_view key, std::uint64_t cas, MetaMark mark);

 private:
  struct Entry {
    std::uint64_t cas;
    MetaMark mark;
  };
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::atomic<std::size_t> size_{0};  // lets get() skip the lock while nothing is marked
};

}  // namespace cachelab::protocol
