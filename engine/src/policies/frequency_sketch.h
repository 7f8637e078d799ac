#pragma once
// TinyLFU's popularity estimate (Einziger et al.): a count-min sketch of small counters behind a
// doorkeeper bit array. A key's first sighting only sets doorkeeper bits, so one-hit wonders
// never reach the counters; after `10 × width` additions every counter is halved and the
// doorkeeper cleared, so the estimate follows recent popularity rather than all history.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace cachelab {

class FrequencySketch {
 public:
  explicit FrequencySketch(std::size_t expected_keys) { resize(expected_keys); }

  // Grows with the cache (the width should be about the number of items held).
  void ensure_capacity(std::size_t keys) {
    if (keys > width_) resize(keys);
  }
  void add(std::uint64_t hash) {
    if (!doorkeeper_test_and_set(hash)) {
      tick();
      return;
    }
    for (int row = 0; row < kRows; ++row) {
      std::uint8_t& c = counters_[index(hash, row)];
      if (c < kMaxCount) ++c;
    }
    tick();
  }
  std::uint32_t estimate(std::uint64_t hash) const {
    std::uint32_t lowest = kMaxCount;
    for (int row = 0; row < kRows; ++row) lowest = std::min<std::uint32_t>(lowest, counters_[index(hash, row)]);
    return lowest + (doorkeeper_test(hash) ? 1 : 0);
  }

 private:
  static constexpr int kRows = 4;
  static constexpr std::uint8_t kMaxCount = 15;  // 4-bit counters, as Caffeine's

  void resize(std::size_t keys) {
    width_ = 64;
    while (width_ < keys) width_ *= 2;
    counters_.assign(width_ * kRows, 0);
    doorkeeper_.assign(width_ / 8 + 1, 0);  // 8 bits per expected key
    additions_ = 0;
  }
  std::size_t index(std::uint64_t hash, int row) const noexcept {
    const std::uint64_t h = (hash ^ (0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(row + 1))) * 0xff51afd7ed558ccdULL;
    return static_cast<std::size_t>(row) * width_ + static_cast<std::size_t>((h >> 32) & (width_ - 1));
  }
  std::size_t door_bit(std::uint64_t hash, int k) const noexcept {
    return static_cast<std::size_t>((hash >> (k * 21)) % (doorkeeper_.size() * 64));
  }
  bool doorkeeper_test(std::uint64_t hash) const noexcept {
    for (int k = 0; k < 2; ++k) {
      const std::size_t b = door_bit(hash, k);
      if (!(doorkeeper_[b / 64] >> (b % 64) & 1)) return false;
    }
    return true;
  }
  // Returns whether the key had been seen already.
  bool doorkeeper_test_and_set(std::uint64_t hash) noexcept {
    bool seen = true;
    for (int k = 0; k < 2; ++k) {
      const std::size_t b = door_bit(hash, k);
      if (!(doorkeeper_[b / 64] >> (b % 64) & 1)) {
        seen = false;
        doorkeeper_[b / 64] |= std::uint64_t{1} << (b % 64);
      }
    }
    return seen;
  }
  void tick() {
    if (++additions_ < 10 * width_) return;
    for (auto& c : counters_) c /= 2;
    std::fill(doorkeeper_.begin(), doorkeeper_.end(), 0);
    additions_ = 0;
  }

  std::size_t width_ = 0;
  std::vector<std::uint8_t> counters_;
  std::vector<std::uint64_t> doorkeeper_;
  std::size_t additions_ = 0;
};

}  // namespace cachelab
