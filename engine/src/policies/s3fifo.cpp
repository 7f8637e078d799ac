// s3fifo (Yang et al., SOSP'23): three FIFO queues. New keys enter a small queue (10% of the
// budget); most are one-hit wonders and leave it quickly, remembered only by key in a ghost
// queue. An item hit at least twice while in the small queue moves to the main queue (90%), as
// does a key that returns while its ghost is remembered. The main queue is a CLOCK with a 2-bit
// counter (capped at 3): an item with hits goes around again, one count less.
//
// Arguments: small=0.1 (the small queue's share), threshold=2 (hits to graduate from small).
#include "cachelab/intrusive_list.h"
#include "ghost_queue.h"
#include "policy_args.h"
#include "store_impl.h"

namespace cachelab {
namespace {

class S3FifoPolicy {
 public:
  // Charged per item in the server: ghost entries: up to one per main-queue item, ~56 bytes each (deque slot + hash node).
  static constexpr std::uint64_t kExtraBytesPerItem = 56;
  S3FifoPolicy(const StoreConfig& config, const PolicyArgs& args)
      : config_(config),
        small_capacity_(static_cast<std::uint64_t>(static_cast<double>(config.capacity) *
                                                   policy_arg("s3fifo", args, "small", 0.1, 0.01, 0.9))),
        threshold_(static_cast<std::uint8_t>(policy_arg("s3fifo", args, "threshold", 2, 1, 3))),
        // The ghost remembers as many keys as the main queue holds (libCacheSim's 0.9).
        ghost_(config.capacity - small_capacity_) {
    check_policy_args("s3fifo", args, {"small", "threshold"});
  }

  void on_insert(Item* it, Tick) {
    it->policy_u16 = 0;  // hit count, capped at 3
    if (ghost_.erase(hash_key(it->key()))) {
      push(it, kMain);
    } else {
      push(it, kSmall);
    }
  }
  void on_hit(Item* it, Tick) noexcept {
    if (it->policy_u16 < 3) ++it->policy_u16;
  }
  void on_update(Item* old, Item* replacement, Tick, Tick) {
    const std::uint16_t hits = old->policy_u16;
    const std::uint8_t queue = old->policy_u8;
    erase(old);
    push(replacement, queue);
    replacement->policy_u16 = hits;
  }
  void on_remove(Item* it) { erase(it); }
  // An item evicted from small is remembered in the ghost (a quick return goes to main).
  void on_evict(Item* it) {
    if (it->policy_u8 == kSmall) ghost_.add(hash_key(it->key()), charge_of(config_, it));
    erase(it);
  }
  // Moves items between queues as the algorithm says until one must go; that one is returned
  // (the store then removes it with on_evict). The moves are the algorithm's own reordering:
  // they stand even when the store does not evict the victim (-M refuses instead).
  Item* victim() {
    for (;;) {
      if (small_.empty() && main_.empty()) return nullptr;
      const bool from_main = small_.empty() || main_bytes() > config_.capacity - small_capacity_;
      if (from_main) {
        Item* it = main_.head();
        if (it->policy_u16 > 0) {
          --it->policy_u16;
          main_.move_to_back(it);
          continue;
        }
        return it;
      }
      Item* it = small_.head();
      if (it->policy_u16 >= threshold_) {
        erase(it);
        push(it, kMain);
        it->policy_u16 = 0;
        continue;
      }
      return it;
    }
  }

 private:
  static constexpr std::uint8_t kSmall = 0, kMain = 1;
  std::uint64_t main_bytes() const noexcept { return main_used_; }
  void push(Item* it, std::uint8_t queue) {
    it->policy_u8 = queue;
    (queue == kSmall ? small_ : main_).push_back(it);
    (queue == kSmall ? small_used_ : main_used_) += charge_of(config_, it);
  }
  void erase(Item* it) {
    (it->policy_u8 == kSmall ? small_ : main_).erase(it);
    (it->policy_u8 == kSmall ? small_used_ : main_used_) -= charge_of(config_, it);
  }

  StoreConfig config_;
  std::uint64_t small_capacity_;
  std::uint8_t threshold_;
  IntrusiveList small_, main_;
  std::uint64_t small_used_ = 0, main_used_ = 0;
  GhostQueue ghost_;
};

}  // namespace
CACHELAB_REGISTER_POLICY(S3FifoPolicy, "s3fifo", "S3-FIFO: small FIFO + ghost + main CLOCK (Yang et al., SOSP'23); args small=0.1 threshold=2");
}  // namespace cachelab
