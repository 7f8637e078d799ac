#pragma once
// What Redis's approximated LRU and LFU share (src/evict.c): no ordering at all, only random
// samples. Items sit in a dense array so a random one is O(1); each eviction samples a few and
// merges them into a 16-entry pool of the best candidates seen so far, then evicts the best.
// Scores are computed at sampling time and not refreshed, as in Redis.
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "cachelab/item.h"

namespace cachelab {

// splitmix64: small, fast, and deterministic from its seed, so runs are reproducible.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

class SampledEviction {
 public:
  static constexpr std::size_t kPoolSize = 16;

  SampledEviction(std::size_t samples, std::uint64_t seed) : samples_(samples), rng_(seed) {}

  // The item's slot in the array lives in its `prev` hook (this policy threads no list).
  void add(Item* it) {
    it->prev = reinterpret_cast<Item*>(static_cast<std::uintptr_t>(items_.size()));
    items_.push_back(it);
  }
  void remove(Item* it) {
    const auto slot = reinterpret_cast<std::uintptr_t>(it->prev);
    Item* last = items_.back();
    items_[slot] = last;
    last->prev = reinterpret_cast<Item*>(slot);
    items_.pop_back();
    auto pos = std::find_if(pool_.begin(), pool_.begin() + pool_size_, [it](const Entry& e) { return e.item == it; });
    if (pos != pool_.begin() + pool_size_) {
      std::move(pos + 1, pool_.begin() + pool_size_, pos);
      --pool_size_;
    }
  }
  // Samples, merges into the pool, returns the best candidate (highest score).
  template <class Score>
  Item* victim(Score&& score) {
    if (items_.empty()) return nullptr;
    for (std::size_t i = 0; i < samples_; ++i) offer(items_[rng_.next() % items_.size()], score);
    return pool_[pool_size_ - 1].item;
  }
  SplitMix64& rng() noexcept { return rng_; }

 private:
  struct Entry {
    std::uint64_t score;
    Item* item;
  };
  template <class Score>
  void offer(Item* it, Score& score) {
    const std::uint64_t s = score(it);
    auto end = pool_.begin() + pool_size_;
    if (std::any_of(pool_.begin(), end, [it](const Entry& e) { return e.item == it; })) return;
    if (pool_size_ == kPoolSize) {
      if (s <= pool_[0].score) return;  // worse than every candidate held
      std::move(pool_.begin() + 1, end, pool_.begin());
      --pool_size_;
      end = pool_.begin() + pool_size_;
    }
    auto pos = std::upper_bound(pool_.begin(), end, s, [](std::uint64_t v, const Entry& e) { return v < e.score; });
    std::move_backward(pos, end, end + 1);
    *pos = {s, it};
    ++pool_size_;
  }

  std::size_t samples_;
  SplitMix64 rng_;
  std::vector<Item*> items_;
  std::array<Entry, kPoolSize> pool_{};  // ascending score: the back is the best victim
  std::size_t pool_size_ = 0;
};

}  // namespace cachelab
