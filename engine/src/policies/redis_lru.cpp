// redis-lru: Redis's approximated LRU (allkeys-lru). Each item carries a 24-bit access clock;
// eviction samples `samples` items (default 5, Redis's maxmemory-samples) into a 16-entry pool
// and evicts the one idle longest. Costs 3 bytes per item and no list moves on a hit. The clock
// counts accesses rather than Redis's seconds, which only removes ties Redis would have.
//
// Arguments: samples=5, seed=1.
#include "policy_args.h"
#include "sampled_eviction.h"
#include "store_impl.h"

namespace cachelab {
namespace {

class RedisLruPolicy {
 public:
  // Charged per item in the server: one slot in the sampling array.
  static constexpr std::uint64_t kExtraBytesPerItem = 8;
  RedisLruPolicy(const StoreConfig&, const PolicyArgs& args)
      : sampler_(static_cast<std::size_t>(policy_arg("redis-lru", args, "samples", 5, 1, 64)),
                 static_cast<std::uint64_t>(policy_arg("redis-lru", args, "seed", 1, 0, 1e18))) {
    check_policy_args("redis-lru", args, {"samples", "seed"});
  }
  void on_insert(Item* it, Tick) {
    stamp(it);
    sampler_.add(it);
  }
  void on_hit(Item* it, Tick) noexcept { stamp(it); }
  void on_update(Item* old, Item* replacement, Tick, Tick) {
    if (old != replacement) {
      sampler_.remove(old);
      sampler_.add(replacement);
    }
    stamp(replacement);
  }
  void on_remove(Item* it) { sampler_.remove(it); }
  Item* victim() {
    return sampler_.victim([this](const Item* it) { return (clock_ - stamp_of(it)) & kClockMask; });
  }

 private:
  static constexpr std::uint32_t kClockMask = (1u << 24) - 1;  // wraps like Redis's LRU clock
  static std::uint32_t stamp_of(const Item* it) noexcept {
    return it->policy_u16 | (static_cast<std::uint32_t>(it->policy_u8) << 16);
  }
  void stamp(Item* it) noexcept {
    clock_ = (clock_ + 1) & kClockMask;
    it->policy_u16 = static_cast<std::uint16_t>(clock_);
    it->policy_u8 = static_cast<std::uint8_t>(clock_ >> 16);
  }

  SampledEviction sampler_;
  std::uint32_t clock_ = 0;
};

}  // namespace
CACHELAB_REGISTER_POLICY(RedisLruPolicy, "redis-lru", "Redis's sampled LRU: 5 samples into a 16-entry pool (Redis src/evict.c); args samples=5 seed=1");
}  // namespace cachelab
