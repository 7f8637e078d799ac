#pragma once
// Small helpers for engine tests: an object-counting simulator-mode store driven by ids.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "cachelab/store.h"

namespace cachelab::test {

struct ObjectCache {
  std::unique_ptr<Store> store;
  std::vector<std::uint64_t> seen;
  Tick now = 1;

  ObjectCache(const char* policy, std::uint64_t objects)
      : store(make_store(policy, StoreConfig{.capacity = objects, .count_objects = true, .store_values = false})) {}

  bool read(std::uint64_t key, Tick exptime = kNever) {
    Access a{};
    a.key = key;
    a.size = 1;
    a.now = now;
    a.exptime = exptime;
    a.op = Access::Op::kRead;
    store->access_batch({&a, 1});
    if (std::find(seen.begin(), seen.end(), key) == seen.end()) seen.push_back(key);
    return a.hit;
  }
  bool contains(std::uint64_t key) const {
    const std::string_view k(reinterpret_cast<const char*>(&key), sizeof key);
    return store->peek({k, hash_id(key)}, now, [](const Item&) {});
  }
  // The keys present, in ascending order.
  std::vector<std::uint64_t> contents() const {
    std::vector<std::uint64_t> out;
    for (auto k : seen)
      if (contains(k)) out.push_back(k);
    std::sort(out.begin(), out.end());
    return out;
  }
};

inline KeyRef key_of(const std::string& k) { return {k, hash_key(k)}; }

// A server-mode store (values kept, the real per-item overhead charged) with a 1 KiB -I.
inline std::unique_ptr<Store> value_store(std::uint64_t capacity = 1 << 20, const char* policy = "lru") {
  return make_store(policy, StoreConfig{.capacity = capacity, .overhead_bytes = kItemOverheadBytes,
                                        .max_item_size = 1024});
}

// The same with evictions disabled (memcached's -M).
inline std::unique_ptr<Store> store_without_evictions(std::uint64_t capacity) {
  return make_store("lru", StoreConfig{.capacity = capacity, .overhead_bytes = kItemOverheadBytes,
                                       .evictions_enabled = false});
}

// The key's value through get() (a counted read), or "<miss>".
inline std::string get_value(Store& s, const std::string& key, Tick now) {
  std::string out = "<miss>";
  s.get(key_of(key), now, [&](const Item& it) { out = std::string(it.value()); });
  return out;
}

}  // namespace cachelab::test
