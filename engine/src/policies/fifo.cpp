// fifo: evicts in insertion order; hits change nothing. An overwrite is a new insertion
// (as memcached links a replaced item anew).
#include "cachelab/intrusive_list.h"
#include "store_impl.h"

namespace cachelab {
namespace {

class FifoPolicy {
 public:
  FifoPolicy(const StoreConfig&, const PolicyArgs& args) { check_policy_args("fifo", args, {}); }
  void on_insert(Item* it, Tick) noexcept { queue_.push_back(it); }
  void on_hit(Item*, Tick) noexcept {}
  void on_update(Item* old, Item* replacement, Tick, Tick) noexcept {
    queue_.erase(old);
    queue_.push_back(replacement);
  }
  void on_remove(Item* it) noexcept { queue_.erase(it); }
  Item* victim() const noexcept { return queue_.head(); }

 private:
  IntrusiveList queue_;  // head = first in
};

}  // namespace
CACHELAB_REGISTER_POLICY(FifoPolicy, "fifo", "first in, first out: evicts the oldest insertion, ignores hits (classic)");
}  // namespace cachelab
