#pragma once
// A ghost queue: the keys (as 64-bit hashes) of recently evicted items, FIFO, bounded by the
// total charge of the items they stood for. S3-FIFO, 2Q and ARC use one to recognise a key that
// comes back soon after eviction. Entries are not items: they cost 50-80 bytes each (a 24-byte
// flat map slot at 3/8 to 3/4 load, plus a 16-byte deque entry), bounded.
#include <cstdint>
#include <deque>

#include "cachelab/flat_map.h"

namespace cachelab {

class GhostQueue {
 public:
  explicit GhostQueue(std::uint64_t capacity) : capacity_(capacity) {}

  void set_capacity(std::uint64_t capacity) {
    capacity_ = capacity;
    trim();
  }
  void add(std::uint64_t key, std::uint64_t charge) {
    erase(key);
    const std::uint64_t seq = next_seq_++;
    order_.push_back({key, seq});
    index_[key] = {seq, charge};
    used_ += charge;
    trim();
  }
  bool contains(std::uint64_t key) const { return index_.contains(key); }
  // Removes the key if present; returns whether it was.
  bool erase(std::uint64_t key) {
    const Live* live = index_.find(key);
    if (!live) return false;
    used_ -= live->charge;
    index_.erase(key);
    return true;
  }
  std::uint64_t used() const noexcept { return used_; }
  std::size_t size() const noexcept { return index_.size(); }
  // Drops the oldest entry (ARC trims its ghosts itself).
  void pop_oldest() {
    while (!order_.empty()) {
      const Entry e = order_.front();
      order_.pop_front();
      const Live* live = index_.find(e.key);
      if (live && live->seq == e.seq) {
        used_ -= live->charge;
        index_.erase(e.key);
        return;
      }
    }
  }

 private:
  struct Entry {
    std::uint64_t key;
    std::uint64_t seq;  // an entry re-added later supersedes this one
  };
  struct Live {
    std::uint64_t seq;
    std::uint64_t charge;
  };
  void trim() {
    while (used_ > capacity_ && !index_.empty()) pop_oldest();
  }

  std::uint64_t capacity_;
  std::uint64_t used_ = 0;
  std::uint64_t next_seq_ = 0;
  std::deque<Entry> order_;
  FlatU64Map<Live> index_;
};

}  // namespace cachelab
