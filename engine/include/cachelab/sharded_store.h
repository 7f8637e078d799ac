#pragma once
// N stores behind N locks, chosen by key hash, each with an equal part of the budget: the form
// the server uses across threads, so that threads rarely contend.
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "cachelab/store.h"

namespace cachelab {

class ShardedStore {
 public:
  // `shards` is an upper bound: fewer are used when a shard's part of the budget would hold
  // fewer than two maximum-size items (a small -m must still accept -I sized values).
  ShardedStore(std::string_view policy, const StoreConfig& total, const PolicyArgs& args,
               std::size_t shards);
  // The same with any store factory (e.g. make_module_store for a policy module).
  using StoreFactory = std::function<std::unique_ptr<Store>(const StoreConfig&)>;
  ShardedStore(const StoreConfig& total, std::size_t shards, const StoreFactory& make);

  static KeyRef key(std::string_view bytes) noexcept { return {bytes, hash_key(bytes)}; }

  // Runs f(Store&) on the key's shard with its lock held.
  template <class F>
  decltype(auto) with_shard(KeyRef key, F&& f) {
    Shard& s = shard_for(key.hash);
    std::lock_guard lock(s.mutex);
    return f(*s.store);
  }
  // Store::prefetch on the key's shard (no lock: the shard list never changes).
  void prefetch(KeyRef key) const noexcept { shard_for(key.hash).store->prefetch(key); }
  // Runs f(Store&) on every shard in turn, each under its lock.
  template <class F>
  void each_shard(F&& f) const {
    for (const auto& s : shards_) {
      std::lock_guard lock(s->mutex);
      f(*s->store);
    }
  }

  StoreStats stats() const;
  // Each policy counter summed over the shards, in the first shard's order.
  std::vector<std::pair<std::string, std::uint64_t>> policy_stats() const;
  std::size_t shard_count() const noexcept { return shards_.size(); }
  const StoreConfig& config() const noexcept { return total_; }
  std::string_view policy_name() const noexcept { return shards_.front()->store->policy_name(); }

 private:
  struct alignas(64) Shard {  // one cache line apart: the locks must not share a line
    mutable std::mutex mutex;
    std::unique_ptr<Store> store;
  };
  Shard& shard_for(std::uint64_t hash) const noexcept {
    // The high bits pick the shard; the store's index uses the low bits.
    return *shards_[(hash >> 40) % shards_.size()];
  }

  StoreConfig total_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace cachelab
