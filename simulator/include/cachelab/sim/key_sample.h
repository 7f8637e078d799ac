#pragma once
// SHARDS spatial sampling (Waldspurger et al., FAST'15): a key is followed when its 64-bit hash
// falls under rate × 2^64, so a sampled key keeps every one of its requests. One definition for
// the replay and the miss-ratio curve, so both follow the same keys.
#include <cmath>
#include <cstdint>

#include "cachelab/types.h"

namespace cachelab::sim {

class KeySample {
 public:
  explicit KeySample(double rate)
      : all_(rate >= 1), threshold_(all_ ? UINT64_MAX : static_cast<std::uint64_t>(std::ldexp(rate, 64))) {}
  bool keeps(std::uint64_t key) const noexcept { return all_ || hash_id(key) < threshold_; }

 private:
  bool all_;
  std::uint64_t threshold_;
};

}  // namespace cachelab::sim
