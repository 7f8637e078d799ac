// belady: the offline optimum (MIN) for object hit ratio: evict the item whose next request is
// farthest in the future. It needs each request's next access (oracleGeneral carries it; the
// simulator computes it for other traces), so it exists in the simulator only. Like libCacheSim's
// Belady it ignores sizes, so in byte mode it is not the byte-optimal policy.
#include <set>
#include <utility>

#include "store_impl.h"

namespace cachelab {
namespace {

class BeladyPolicy {
 public:
  BeladyPolicy(const StoreConfig&, const PolicyArgs& args) { check_policy_args("belady", args, {}); }

  void set_next_access(std::uint64_t next) noexcept { next_ = next; }
  void on_insert(Item* it, Tick) { file(it, next_); }
  void on_hit(Item* it, Tick) {
    by_next_.erase({filed(it), it});
    file(it, next_);
  }
  void on_update(Item* old, Item* replacement, Tick, Tick) {
    by_next_.erase({filed(old), old});
    file(replacement, next_);
  }
  void on_remove(Item* it) { by_next_.erase({filed(it), it}); }
  Item* victim() const noexcept { return by_next_.empty() ? nullptr : by_next_.rbegin()->second; }

 private:
  // The next access is kept in the item's policy hook (this policy threads no list through it).
  static std::uint64_t filed(const Item* it) noexcept { return reinterpret_cast<std::uintptr_t>(it->prev); }
  void file(Item* it, std::uint64_t next) {
    it->prev = reinterpret_cast<Item*>(static_cast<std::uintptr_t>(next));
    by_next_.insert({next, it});
  }

  std::uint64_t next_ = UINT64_MAX;
  std::set<std::pair<std::uint64_t, Item*>> by_next_;  // rbegin() = needed last (or never)
};

}  // namespace
CACHELAB_REGISTER_SIMULATOR_POLICY(BeladyPolicy, "belady", "the offline optimum MIN: evicts the item needed farthest in the future (Belady, IBM Systems Journal 1966)");
}  // namespace cachelab
