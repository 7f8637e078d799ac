#pragma once
// A hash map from 64-bit keys to small values, open addressing with linear probing: one array of
// {key, value} slots, no node per entry. For the hot per-request maps of the simulator and the
// policies (MRC last accesses, ghost queues), where std::unordered_map's node chase was the
// profile's top cost (one cache miss per lookup, plus a malloc per insert).
//
// Any key is allowed: UINT64_MAX marks an empty slot, and the key UINT64_MAX itself lives in a
// side slot. Erase shifts later entries of the probe run back (no tombstones), so lookups never
// slow down with churn. Pointers to values are valid until the next insert or erase.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace cachelab {

template <class V>
class FlatU64Map {
 public:
  explicit FlatU64Map(std::size_t expected = 0) { rehash(capacity_for(expected)); }

  std::size_t size() const noexcept { return size_ + (extra_ ? 1 : 0); }
  bool empty() const noexcept { return size() == 0; }

  V* find(std::uint64_t key) noexcept {
    if (key == kEmpty) return extra_ ? &*extra_ : nullptr;
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == kEmpty) return nullptr;
    }
  }
  const V* find(std::uint64_t key) const noexcept { return const_cast<FlatU64Map*>(this)->find(key); }
  bool contains(std::uint64_t key) const noexcept { return find(key) != nullptr; }

  // Inserts {key, value} unless the key is present; returns its value and whether it was inserted.
  std::pair<V*, bool> try_emplace(std::uint64_t key, const V& value) {
    if (key == kEmpty) {
      if (extra_) return {&*extra_, false};
      extra_ = value;
      return {&*extra_, true};
    }
    if ((size_ + 1) * 4 > slots_.size() * 3) rehash(slots_.size() * 2);
    std::size_t i = home(key);
    for (; slots_[i].key != kEmpty; i = (i + 1) & mask_)
      if (slots_[i].key == key) return {&slots_[i].value, false};
    slots_[i] = {key, value};
    ++size_;
    return {&slots_[i].value, true};
  }
  V& operator[](std::uint64_t key) { return *try_emplace(key, V{}).first; }

  // Starts loading the key's home slot: call a few requests ahead of find/try_emplace when the
  // keys are known in advance (a batch), so that the cache misses of a large map overlap.
  void prefetch(std::uint64_t key) const noexcept { __builtin_prefetch(&slots_[home(key)]); }

  bool erase(std::uint64_t key) noexcept {
    if (key == kEmpty) {
      const bool had = extra_.has_value();
      extra_.reset();
      return had;
    }
    std::size_t i = home(key);
    for (;; i = (i + 1) & mask_) {
      if (slots_[i].key == kEmpty) return false;
      if (slots_[i].key == key) break;
    }
    // Backward-shift deletion: move each later entry of the run into the hole when its home
    // position does not lie (cyclically) between the hole and itself. The table grows past 3/4 full
// (a successful lookup then probes ~2.5 slots, 4 to a cache line with 16-byte slots).
    std::size_t hole = i;
    for (std::size_t j = (i + 1) & mask_; slots_[j].key != kEmpty; j = (j + 1) & mask_) {
      const std::size_t h = home(slots_[j].key);
      const bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
      if (stays) continue;
      slots_[hole] = slots_[j];
      hole = j;
    }
    slots_[hole].key = kEmpty;
    --size_;
    return true;
  }

  void clear() noexcept {
    for (auto& s : slots_) s.key = kEmpty;
    size_ = 0;
    extra_.reset();
  }

  // Calls f(key, value&) for every entry, in no particular order.
  template <class F>
  void for_each(F&& f) {
    for (auto& s : slots_)
      if (s.key != kEmpty) f(s.key, s.value);
    if (extra_) f(kEmpty, *extra_);
  }

 private:
  static constexpr std::uint64_t kEmpty = UINT64_MAX;
  struct Slot {
    std::uint64_t key = kEmpty;
    V value{};
  };

  static std::size_t capacity_for(std::size_t expected) {
    std::size_t n = 16;
    while (n * 3 < expected * 4) n *= 2;
    return n;
  }
  // Fibonacci hashing: the high bits of key × 2^64/φ, so sequential ids spread over the table.
  std::size_t home(std::uint64_t key) const noexcept {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  void rehash(std::size_t n) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(n, Slot{});
    mask_ = n - 1;
    shift_ = 64;
    for (std::size_t m = n; m > 1; m >>= 1) --shift_;
    for (const Slot& s : old) {
      if (s.key == kEmpty) continue;
      std::size_t i = home(s.key);
      while (slots_[i].key != kEmpty) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::size_t size_ = 0;
  std::optional<V> extra_;
};

}  // namespace cachelab
