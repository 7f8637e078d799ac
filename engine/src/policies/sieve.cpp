// sieve (Zhang et al., NSDI'24): a FIFO queue and a hand that moves from the oldest item toward
// the newest. A hit only sets a visited bit. At eviction the hand clears visited bits as it
// passes and evicts the first unvisited item; survivors keep their place (unlike CLOCK, which
// moves them to the back), so new items are weeded out quickly ("lazy promotion, quick demotion").
#include "cachelab/intrusive_list.h"
#include "store_impl.h"

namespace cachelab {
namespace {

class SievePolicy {
 public:
  SievePolicy(const StoreConfig&, const PolicyArgs& args) { check_policy_args("sieve", args, {}); }
  void on_insert(Item* it, Tick) noexcept {
    it->policy_u8 = 0;
    queue_.push_back(it);  // back = newest
  }
  void on_hit(Item* it, Tick) noexcept { it->policy_u8 = 1; }
  void on_update(Item* old, Item* replacement, Tick, Tick) noexcept {
    const std::uint8_t visited = old->policy_u8;
    on_remove(old);
    on_insert(replacement, 0);
    replacement->policy_u8 = visited;
  }
  void on_remove(Item* it) noexcept {
    if (hand_ == it) hand_ = it->next;
    queue_.erase(it);
  }
  Item* victim() noexcept {
    if (queue_.empty()) return nullptr;
    Item* it = hand_ ? hand_ : queue_.head();
    while (it->policy_u8) {
      it->policy_u8 = 0;
      it = it->next ? it->next : queue_.head();  // wrap around to the oldest
    }
    hand_ = it;  // on_remove moves the hand one step on
    return it;
  }

 private:
  IntrusiveList queue_;
  Item* hand_ = nullptr;
};

}  // namespace
CACHELAB_REGISTER_POLICY(SievePolicy, "sieve", "SIEVE: FIFO with a visited bit and a hand that keeps survivors in place (Zhang et al., NSDI'24)");
}  // namespace cachelab
