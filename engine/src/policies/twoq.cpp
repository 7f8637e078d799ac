// 2q (Johnson & Shasha, VLDB'94, the full version): new keys enter A1in, a FIFO holding 25% of
// the budget; items leaving A1in are remembered by key in A1out (a ghost worth 50% of the
// budget). A key requested again while in A1out is hot: it goes to Am, an LRU. Hits in A1in do
// nothing, so a burst of correlated references does not make an item look hot.
//
// Arguments: in=0.25 (A1in's share), out=0.5 (A1out's size relative to the budget).
#include "cachelab/intrusive_list.h"
#include "ghost_queue.h"
#include "policy_args.h"
#include "store_impl.h"

namespace cachelab {
namespace {

class TwoQPolicy {
 public:
  // Charged per item in the server: A1out holds keys worth half the budget: ~0.5 ghost entry per item, ~56 bytes each.
  static constexpr std::uint64_t kExtraBytesPerItem = 32;
  TwoQPolicy(const StoreConfig& config, const PolicyArgs& args)
      : config_(config),
        in_capacity_(static_cast<std::uint64_t>(static_cast<double>(config.capacity) *
                                                policy_arg("2q", args, "in", 0.25, 0.01, 0.99))),
        out_(static_cast<std::uint64_t>(static_cast<double>(config.capacity) * policy_arg("2q", args, "out", 0.5, 0, 4))) {
    check_policy_args("2q", args, {"in", "out"});
  }

  void on_insert(Item* it, Tick) {
    if (out_.erase(hash_key(it->key()))) {
      push(it, kAm);
    } else {
      push(it, kA1in);
    }
  }
  void on_hit(Item* it, Tick) noexcept {
    if (it->policy_u8 == kAm) am_.move_to_back(it);
  }
  void on_update(Item* old, Item* replacement, Tick, Tick) {
    const std::uint8_t queue = old->policy_u8;
    erase(old);
    push(replacement, queue);
  }
  void on_remove(Item* it) { erase(it); }
  // An item evicted from A1in is remembered in A1out.
  void on_evict(Item* it) {
    if (it->policy_u8 == kA1in) out_.add(hash_key(it->key()), charge_of(config_, it));
    erase(it);
  }
  Item* victim() noexcept {
    if (!a1in_.empty() && (in_used_ > in_capacity_ || am_.empty())) return a1in_.head();
    return am_.head();
  }

 private:
  static constexpr std::uint8_t kA1in = 0, kAm = 1;
  void push(Item* it, std::uint8_t queue) {
    it->policy_u8 = queue;
    if (queue == kA1in) {
      a1in_.push_back(it);
      in_used_ += charge_of(config_, it);
    } else {
      am_.push_back(it);
    }
  }
  void erase(Item* it) {
    if (it->policy_u8 == kA1in) {
      a1in_.erase(it);
      in_used_ -= charge_of(config_, it);
    } else {
      am_.erase(it);
    }
  }

  StoreConfig config_;
  std::uint64_t in_capacity_;
  IntrusiveList a1in_, am_;
  std::uint64_t in_used_ = 0;
  GhostQueue out_;
};

}  // namespace
CACHELAB_REGISTER_POLICY(TwoQPolicy, "2q", "2Q: FIFO A1in 25% + ghost A1out 50% + LRU Am (Johnson & Shasha, VLDB'94); args in=0.25 out=0.5");
}  // namespace cachelab
