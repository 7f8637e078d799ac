#pragma once
// Draws key ranks (0 = most popular) from a Popularity over n keys, in O(1) per draw and O(1)
// memory: zipf by rejection-inversion (Hormann and Derflinger, "Rejection-inversion to generate
// variates from monotone discrete distributions", 1996), never a table of n weights.
#include <cstdint>
#include <memory>

#include "cachelab/sim/distributions.h"
#include "cachelab/sim/rng.h"

namespace cachelab::sim {

class KeySampler {
 public:
  virtual ~KeySampler() = default;
  // A rank in [0, n).
  virtual std::uint64_t sample(Rng& rng) = 0;
};

std::unique_ptr<KeySampler> make_key_sampler(const Popularity& popularity, std::uint64_t n);

}  // namespace cachelab::sim
