// lru: evicts the least recently used item. Hits and updates move an item to the recent end.
#include "cachelab/intrusive_list.h"
#include "store_impl.h"

namespace cachelab {
namespace {

class LruPolicy {
 public:
  LruPolicy(const StoreConfig&, const PolicyArgs& args) { check_policy_args("lru", args, {}); }
  void on_insert(Item* it, Tick) noexcept { list_.push_back(it); }
  void on_hit(Item* it, Tick) noexcept { list_.move_to_back(it); }
  void on_update(Item* old, Item* replacement, Tick, Tick) noexcept {
    list_.erase(old);
    list_.push_back(replacement);
  }
  void on_remove(Item* it) noexcept { list_.erase(it); }
  Item* victim() const noexcept { return list_.head(); }

 private:
  IntrusiveList list_;  // head = least recently used
};

}  // namespace
CACHELAB_REGISTER_POLICY(LruPolicy, "lru", "least recently used: hits move an item to the front (classic)");
}  // namespace cachelab
