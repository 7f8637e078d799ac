#pragma once
// The store's hash index (private to the engine): buckets of intrusive chains threaded through
// Item::chain, so that indexing an item allocates nothing. It finds, links and unlinks items and
// doubles itself as they come; it never frees one (the store decides what leaves and why).
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "cachelab/item.h"
#include "cachelab/types.h"

namespace cachelab {

class HashIndex {
 public:
  // `id_keys`: keys are 8-byte ids hashed with hash_id (the simulator), not bytes (the server).
  // `items_per_bucket`: how full the index may get before it doubles.
  HashIndex(bool id_keys, std::size_t items_per_bucket)
      : id_keys_(id_keys), items_per_bucket_(items_per_bucket), buckets_(kInitialBuckets, nullptr) {
    publish();
  }
  HashIndex(const HashIndex&) = delete;
  HashIndex& operator=(const HashIndex&) = delete;

  // What points at an item in its chain: the bucket's head, or the previous item's link (which
  // shares its word with that item's last-access time, so it is not an Item**).
  struct Link {
    Item** head;
    Item* prev;
    Item* get() const noexcept { return prev ? prev->hnext() : *head; }
    void set(Item* it) const noexcept {
      if (prev) prev->set_hnext(it);
      else *head = it;
    }
  };

  // The link to the key's item, or (get() == nullptr) the end of its chain.
  Link find(std::string_view key, std::uint64_t hash) noexcept {
    Link link{&buckets_[hash & (buckets_.size() - 1)], nullptr};
    while (Item* it = link.get()) {
      if (it->key_len == key.size() && std::memcmp(it->key_data(), key.data(), key.size()) == 0) return link;
      link.prev = it;
    }
    return link;
  }

  // Callable from any thread without the store's lock: starts loading the bucket a lookup of
  // `hash` reads first. Base and mask may come from either side of a concurrent grow(): the
  // address is then merely useless, and a prefetch never faults.
  void prefetch(std::uint64_t hash) const noexcept {
    Item* const* base = base_.load(std::memory_order_relaxed);
    __builtin_prefetch(base + (hash & mask_.load(std::memory_order_relaxed)));
  }

  void insert(Item* it, std::uint64_t hash) {
    if (count_ >= buckets_.size() * items_per_bucket_) grow();
    Item*& head = buckets_[hash & (buckets_.size() - 1)];
    it->set_hnext(head);
    head = it;
    ++count_;
  }
  // Puts `it` where `old` (same key) is; `old` leaves the index.
  void replace(Item* old, Item* it, std::uint64_t hash) noexcept {
    find(old->key(), hash).set(it);
    it->set_hnext(old->hnext());
  }
  void erase(Item* it, std::uint64_t hash) noexcept {
    find(it->key(), hash).set(it->hnext());
    --count_;
  }
  // Unlinks the item `link` points at (found by find() or sweep()).
  void erase_at(const Link& link) noexcept {
    link.set(link.get()->hnext());
    --count_;
  }

  std::uint64_t hash_of(const Item* it) const noexcept {
    if (!id_keys_) return hash_key(it->key());
    std::uint64_t id;
    std::memcpy(&id, it->key_data(), sizeof id);
    return hash_id(id);
  }

  // Visits up to `max_buckets` buckets from a rolling cursor; an item for which `leaves(it)` is
  // true is unlinked, then handed to `release` (which may free it). Returns how many left.
  template <class Pred, class F>
  std::size_t sweep(std::size_t max_buckets, Pred&& leaves, F&& release) {
    std::size_t removed = 0;
    const std::size_t n = std::min(max_buckets, buckets_.size());
    for (std::size_t step = 0; step < n; ++step) {
      cursor_ = (cursor_ + 1) & (buckets_.size() - 1);
      Link link{&buckets_[cursor_], nullptr};
      while (Item* it = link.get()) {
        if (leaves(it)) {
          erase_at(link);
          release(it);
          ++removed;
        } else {
          link.prev = it;
        }
      }
    }
    return removed;
  }

  template <class F>
  void for_each(F&& visit) const {
    for (Item* head : buckets_)
      for (Item* it = head; it; it = it->hnext()) visit(it);
  }

  // Empties the index, handing each item to `release` (which may free it).
  template <class F>
  void clear(F&& release) {
    for (Item*& head : buckets_) {
      while (head) {
        Item* next = head->hnext();
        release(head);
        head = next;
      }
    }
    count_ = 0;
  }

  std::size_t size() const noexcept { return count_; }

 private:
  static constexpr std::size_t kInitialBuckets = 1024;

  // Doubles the index. Done at once (not incrementally): a pause of a few ms per million items.
  void grow() {
    std::vector<Item*> bigger(buckets_.size() * 2, nullptr);
    const std::size_t mask = bigger.size() - 1;
    for (Item* head : buckets_) {
      while (head) {
        Item* next = head->hnext();
        Item*& slot = bigger[hash_of(head) & mask];
        head->set_hnext(slot);
        slot = head;
        head = next;
      }
    }
    buckets_.swap(bigger);
    publish();
    cursor_ &= buckets_.size() - 1;
  }

  void publish() noexcept {
    base_.store(buckets_.data(), std::memory_order_relaxed);
    mask_.store(buckets_.size() - 1, std::memory_order_relaxed);
  }

  bool id_keys_;
  std::size_t items_per_bucket_;
  std::vector<Item*> buckets_;
  // Where buckets_ lives, for prefetch() without the lock (atomics: read by other threads).
  std::atomic<Item* const*> base_{nullptr};
  std::atomic<std::size_t> mask_{0};
  std::size_t count_ = 0;
  std::size_t cursor_ = 0;
};

}  // namespace cachelab
