// clock: FIFO with a second chance. A hit sets the item's reference bit; at eviction the hand
// passes over referenced items (clearing the bit and sending them to the back) and takes the
// first unreferenced one. LRU-like hit ratios with no list move on a hit: hits only write a bit.
#include "cachelab/intrusive_list.h"
#include "store_impl.h"

namespace cachelab {
namespace {

class ClockPolicy {
 public:
  ClockPolicy(const StoreConfig&, const PolicyArgs& args) { check_policy_args("clock", args, {}); }
  void on_insert(Item* it, Tick) noexcept {
    it->policy_u8 = 0;
    ring_.push_back(it);
  }
  void on_hit(Item* it, Tick) noexcept { it->policy_u8 = 1; }
  void on_update(Item* old, Item* replacement, Tick, Tick) noexcept {
    const std::uint8_t referenced = old->policy_u8;
    ring_.erase(old);
    ring_.push_back(replacement);
    replacement->policy_u8 = referenced;
  }
  void on_remove(Item* it) noexcept { ring_.erase(it); }
  Item* victim() noexcept {
    // The head is where the hand points; a second chance moves an item behind the hand.
    while (Item* it = ring_.head()) {
      if (!it->policy_u8) return it;
      it->policy_u8 = 0;
      ring_.move_to_back(it);
    }
    return nullptr;
  }

 private:
  IntrusiveList ring_;
};

}  // namespace
CACHELAB_REGISTER_POLICY(ClockPolicy, "clock", "CLOCK: FIFO with a reference bit, a second chance for items hit since the hand passed (Corbato, MIT Project MAC 1968)");
}  // namespace cachelab
