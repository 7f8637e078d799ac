// lfu: evicts the least frequently used item; among equally frequent items, the least recently
// used (each frequency has its own LRU list). This is libCacheSim's LFU tie rule, so replays
// match its figures. O(1) per hit (the O(1)-LFU layout); the lists hang off an ordered map with
// one node per distinct frequency in use, never one per item.
//
// The count lives in the item's 24 spare policy bits and saturates at 2^24 - 1. An overwrite
// keeps the count (the key is as popular as before); an expiry change does not count as a use.
#include <map>

#include "cachelab/intrusive_list.h"
#include "store_impl.h"

namespace cachelab {
namespace {

class LfuPolicy {
 public:
  LfuPolicy(const StoreConfig&, const PolicyArgs& args) { check_policy_args("lfu", args, {}); }

  void on_insert(Item* it, Tick) { link(it, 1); }
  void on_hit(Item* it, Tick) {
    const std::uint32_t f = freq(it);
    unlink(it, f);
    link(it, f < kMaxFreq ? f + 1 : f);
  }
  void on_update(Item* old, Item* replacement, Tick, Tick) {
    const std::uint32_t f = freq(old);
    unlink(old, f);
    link(replacement, f);
  }
  void on_remove(Item* it) { unlink(it, freq(it)); }
  Item* victim() const noexcept { return by_freq_.empty() ? nullptr : by_freq_.begin()->second.head(); }

 private:
  static constexpr std::uint32_t kMaxFreq = (1u << 24) - 1;
  static std::uint32_t freq(const Item* it) noexcept {
    return static_cast<std::uint32_t>(it->policy_u16) | (static_cast<std::uint32_t>(it->policy_u8) << 16);
  }
  static void set_freq(Item* it, std::uint32_t f) noexcept {
    it->policy_u16 = static_cast<std::uint16_t>(f);
    it->policy_u8 = static_cast<std::uint8_t>(f >> 16);
  }
  void link(Item* it, std::uint32_t f) {
    set_freq(it, f);
    by_freq_[f].push_back(it);
  }
  void unlink(Item* it, std::uint32_t f) {
    auto pos = by_freq_.find(f);
    pos->second.erase(it);
    if (pos->second.empty()) by_freq_.erase(pos);
  }

  std::map<std::uint32_t, IntrusiveList> by_freq_;  // begin() = least frequent
};

}  // namespace
CACHELAB_REGISTER_POLICY(LfuPolicy, "lfu", "least frequently used; ties go to the least recently used (classic; libCacheSim's tie rule)");
}  // namespace cachelab
