#pragma once
// What the database sees and what readers wait, counted as the replay goes: the peak of origin
// reads per second (issue 19's "database peak") and the distribution of readers' waits.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>

namespace cachelab::sim {

// The largest number of origin reads in one 1-second window (windows start at the source's whole
// seconds). Origin reads arrive in time order.
class PeakRate {
 public:
  void add(std::uint64_t time_ms) noexcept {
    const std::uint64_t second = time_ms / 1000;
    if (second != second_) {
      peak_ = std::max(peak_, count_);
      second_ = second;
      count_ = 0;
    }
    ++count_;
  }
  std::uint64_t peak() const noexcept { return std::max(peak_, count_); }

 private:
  std::uint64_t second_ = UINT64_MAX;
  std::uint64_t count_ = 0;
  std::uint64_t peak_ = 0;
};

// Waits in whole ms (the replay's clock), exact: a map from wait to count. Only reads that waited
// for a fill are recorded, so it stays as small as the number of distinct waits.
class WaitHistogram {
 public:
  void add(std::uint64_t wait_ms) { ++counts_[wait_ms], ++n_; }
  std::uint64_t count() const noexcept { return n_; }
  // Nearest rank: the smallest wait w with at least ceil(q n) waits <= w; 0 when none.
  double quantile(double q) const {
    if (n_ == 0) return 0;
    const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(n_))));
    std::uint64_t seen = 0;
    for (const auto& [wait, count] : counts_)
      if ((seen += count) >= rank) return static_cast<double>(wait);
    return static_cast<double>(counts_.rbegin()->first);
  }
  double max() const noexcept { return n_ ? static_cast<double>(counts_.rbegin()->first) : 0; }

 private:
  std::map<std::uint64_t, std::uint64_t> counts_;
  std::uint64_t n_ = 0;
};

}  // namespace cachelab::sim
