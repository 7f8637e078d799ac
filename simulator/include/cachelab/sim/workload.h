#pragma once
// The synthetic workload of a scenario's classes, as a request stream in time order.
//
// Each class has a Poisson stream of reads and one of writes at its total rates; a request's key is
// drawn from the class's popularity, so every key gets its own Poisson process (rate = total rate
// times its probability). The streams are merged by superposition: one exponential clock at the
// sum of the rates, each event going to a stream with probability rate / sum.
//
// Key ids: class i (from 0) key k is (i + 1) << 40 | k. Each key has one size for the run, drawn
// from the class's size distribution by hashing (seed, class, key). Popularity shifts rotate the
// rank -> key mapping by a fraction of the key space at their time. Same seed, same stream.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "cachelab/sim/key_sampler.h"
#include "cachelab/sim/rng.h"
#include "cachelab/sim/scenario.h"
#include "cachelab/sim/trace_reader.h"

namespace cachelab::sim {

class SyntheticWorkload final : public TraceReader {
 public:
  // Runs until the scenario's duration (or forever if it has none: the replay stops it by count).
  explicit SyntheticWorkload(const Scenario& scenario);
  std::size_t read(std::span<Request> out) override;

  static constexpr int kClassShift = 40;
  // The size of a class's key, as the workload gives it.
  static std::uint32_t key_size(std::uint64_t seed, std::size_t class_index, const SizeDistribution& d,
                                std::uint64_t key);

 private:
  struct Stream {
    std::size_t class_index;
    bool write;
    double rate;
    std::unique_ptr<KeySampler> sampler;
  };
  struct PendingShift {
    std::uint64_t at_ms;
    std::size_t class_index;
    double fraction;
  };

  void apply_shifts(std::uint64_t now_ms);

  std::uint64_t seed_;
  std::uint64_t duration_ms_;
  std::vector<WorkloadClass> classes_;
  std::vector<std::uint64_t> offsets_;  // per class: the current popularity rotation
  std::vector<Stream> streams_;
  std::vector<PendingShift> shifts_;    // sorted by time
  std::size_t next_shift_ = 0;
  double total_rate_ = 0;
  double now_s_ = 0;
  bool done_ = false;
  Rng rng_;
};

}  // namespace cachelab::sim
