// redis-lfu: Redis's approximated LFU (allkeys-lfu). Each item has an 8-bit logarithmic counter
// (new keys start at 5 so they are not evicted before they had a chance; each hit increments it
// with probability 1/((counter-5)*log_factor+1)) and a 16-bit minute stamp; the counter loses one
// per decay_time minutes without access. Eviction samples into a 16-entry pool like redis-lru
// and evicts the lowest counter. 24 bits per item.
//
// Arguments: samples=5, log_factor=10, decay_time=1 (minutes), seed=1.
#include "policy_args.h"
#include "sampled_eviction.h"
#include "store_impl.h"

namespace cachelab {
namespace {

class RedisLfuPolicy {
 public:
  // Charged per item in the server: one slot in the sampling array.
  static constexpr std::uint64_t kExtraBytesPerItem = 8;
  RedisLfuPolicy(const StoreConfig& config, const PolicyArgs& args)
      : sampler_(static_cast<std::size_t>(policy_arg("redis-lfu", args, "samples", 5, 1, 64)),
                 static_cast<std::uint64_t>(policy_arg("redis-lfu", args, "seed", 1, 0, 1e18))),
        log_factor_(policy_arg("redis-lfu", args, "log_factor", 10, 0, 1e6)),
        decay_minutes_(static_cast<std::uint32_t>(policy_arg("redis-lfu", args, "decay_time", 1, 0, 65535))),
        ticks_per_minute_(std::uint64_t{config.ticks_per_second} * 60) {
    check_policy_args("redis-lfu", args, {"samples", "log_factor", "decay_time", "seed"});
  }
  void on_insert(Item* it, Tick now) {
    now_for_scoring_ = now;
    it->policy_u8 = kInitialCounter;
    it->policy_u16 = minutes(now);
    sampler_.add(it);
  }
  void on_hit(Item* it, Tick now) {
    now_for_scoring_ = now;
    std::uint8_t counter = decayed(it, now);
    if (counter < 255) {
      const double base = counter > kInitialCounter ? counter - kInitialCounter : 0;
      if (sampler_.rng().uniform() < 1.0 / (base * log_factor_ + 1)) ++counter;
    }
    it->policy_u8 = counter;
    it->policy_u16 = minutes(now);
  }
  // Store::shift_time: the clock moves back a whole number of minutes; so do the stamps.
  void shift_item_time(Item* it, Tick delta) noexcept {
    it->policy_u16 = static_cast<std::uint16_t>(it->policy_u16 - minutes(delta));
  }
  void shift_time(Tick delta) noexcept { now_for_scoring_ = now_for_scoring_ > delta ? now_for_scoring_ - delta : 0; }
  void on_update(Item* old, Item* replacement, Tick, Tick) {
    if (old == replacement) return;
    replacement->policy_u8 = old->policy_u8;
    replacement->policy_u16 = old->policy_u16;
    sampler_.remove(old);
    sampler_.add(replacement);
  }
  void on_remove(Item* it) { sampler_.remove(it); }
  Item* victim() {
    return sampler_.victim([this](const Item* it) { return 255u - decayed(it, now_for_scoring_); });
  }

 private:
  static constexpr std::uint8_t kInitialCounter = 5;
  std::uint16_t minutes(Tick now) const noexcept { return static_cast<std::uint16_t>(now / ticks_per_minute_); }
  std::uint8_t decayed(const Item* it, Tick now) const noexcept {
    if (decay_minutes_ == 0) return it->policy_u8;
    const std::uint16_t elapsed = static_cast<std::uint16_t>(minutes(now) - it->policy_u16);  // wraps as Redis's
    const std::uint32_t periods = elapsed / decay_minutes_;
    return periods >= it->policy_u8 ? 0 : static_cast<std::uint8_t>(it->policy_u8 - periods);
  }

  SampledEviction sampler_;
  double log_factor_;
  std::uint32_t decay_minutes_;
  std::uint64_t ticks_per_minute_;
  Tick now_for_scoring_ = 0;  // the latest request's time: the pool scores decay up to it
};

}  // namespace
CACHELAB_REGISTER_POLICY(RedisLfuPolicy, "redis-lfu", "Redis's sampled LFU: 8-bit log counter, 1-minute decay (Redis 4.0 src/evict.c); args samples=5 log_factor=10 decay_time=1");
}  // namespace cachelab
