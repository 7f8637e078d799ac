// ttl: evicts the item that expires soonest; items without expiry go last, oldest first.
// Items are kept in one list per expiry time, in an ordered map (one node per distinct expiry in
// use). Evicting the soonest-to-expire first loses the least remaining cache lifetime.
#include <limits>
#include <map>

#include "cachelab/intrusive_list.h"
#include "store_impl.h"

namespace cachelab {
namespace {

class TtlPolicy {
 public:
  TtlPolicy(const StoreConfig&, const PolicyArgs& args) { check_policy_args("ttl", args, {}); }

  void on_insert(Item* it, Tick) { by_expiry_[order(it->exptime)].push_back(it); }
  void on_hit(Item*, Tick) noexcept {}
  // The expiry may have changed (touch, overwrite): re-file the item under its new expiry.
  void on_update(Item* old, Item* replacement, Tick old_exptime, Tick now) {
    erase_from(by_expiry_.find(order(old_exptime)), old);
    on_insert(replacement, now);
  }
  void on_remove(Item* it) { erase_from(by_expiry_.find(order(it->exptime)), it); }
  Item* victim() const noexcept { return by_expiry_.empty() ? nullptr : by_expiry_.begin()->second.head(); }
  // The store moved every expiry `delta` back (Store::shift_time): file each list under its new
  // expiry, in the same order. Expiries that fall to 1 (already expired) join one list, oldest
  // expiry first.
  void shift_time(Tick delta) {
    std::map<std::uint64_t, IntrusiveList> shifted;
    for (auto& [at, items] : by_expiry_) {
      const bool fixed = at == order(kNever) || at == kFarExpiry;
      IntrusiveList& into = shifted[fixed ? at : (at > delta ? at - delta : 1)];
      while (Item* it = items.pop_front()) into.push_back(it);
    }
    by_expiry_.swap(shifted);
  }

 private:
  static std::uint64_t order(Tick exptime) noexcept {
    return exptime == kNever ? std::numeric_limits<std::uint64_t>::max() : exptime;
  }
  void erase_from(std::map<std::uint64_t, IntrusiveList>::iterator pos, Item* it) {
    pos->second.erase(it);
    if (pos->second.empty()) by_expiry_.erase(pos);
  }

  std::map<std::uint64_t, IntrusiveList> by_expiry_;  // begin() = expires soonest
};

}  // namespace
CACHELAB_REGISTER_POLICY(TtlPolicy, "ttl", "soonest expiry first; items without expiry last, oldest first (expiry-ordered, as Segcache NSDI'21 groups by TTL)");
}  // namespace cachelab
