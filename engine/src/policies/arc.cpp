// arc (Megiddo & Modha, FAST'03): two LRU lists, T1 for items seen once recently and T2 for items
// seen at least twice, plus their ghosts B1 and B2 (keys of items evicted from each). The split
// between T1 and T2 adapts: a miss on a key in B1 means T1 was too small (grow its target p),
// in B2 that T2 was. Sizes are in the store's units (objects or bytes), so p adapts by the
// returning object's charge, scaled by the ghosts' ratio as in the paper (whose unit is a page:
// one object). A ghost hit evicts only as much as the newcomer needs; libCacheSim's ARC evicts
// one item on every ghost hit (the paper's page model), which differs in byte mode only.
#include <algorithm>

#include "cachelab/intrusive_list.h"
#include "ghost_queue.h"
#include "store_impl.h"

namespace cachelab {
namespace {

class ArcPolicy {
 public:
  // Charged per item in the server: B1 + B2 together hold at most the budget's worth of keys: ~1 ghost entry per item.
  static constexpr std::uint64_t kExtraBytesPerItem = 56;
  ArcPolicy(const StoreConfig& config, const PolicyArgs& args)
      : config_(config), b1_(UINT64_MAX), b2_(UINT64_MAX) {
    check_policy_args("arc", args, {});
  }

  // Runs before the store makes room: adapt p and decide where the newcomer will go.
  void on_miss(std::string_view key, std::uint64_t charge) {
    const std::uint64_t h = hash_key(key);
    const double c = static_cast<double>(config_.capacity);
    incoming_in_b2_ = false;
    if (b1_.contains(h)) {
      const double ratio = b1_.used() ? std::max(1.0, static_cast<double>(b2_.used()) / static_cast<double>(b1_.used())) : 1.0;
      p_ = std::min(c, p_ + ratio * static_cast<double>(charge));
      b1_.erase(h);
      incoming_to_t2_ = true;
    } else if (b2_.contains(h)) {
      const double ratio = b2_.used() ? std::max(1.0, static_cast<double>(b1_.used()) / static_cast<double>(b2_.used())) : 1.0;
      p_ = std::max(0.0, p_ - ratio * static_cast<double>(charge));
      b2_.erase(h);
      incoming_to_t2_ = true;
      incoming_in_b2_ = true;
    } else {
      incoming_to_t2_ = false;
      // Case IV of the paper: keep |T1| + |B1| <= c and the whole directory <= 2c.
      if (t1_used_ + b1_.used() + charge > config_.capacity && b1_.size() > 0) {
        b1_.pop_oldest();
      } else if (t1_used_ + t2_used_ + b1_.used() + b2_.used() + charge > 2 * config_.capacity && b2_.size() > 0) {
        b2_.pop_oldest();
      }
    }
  }
  void on_insert(Item* it, Tick) {
    push(it, incoming_to_t2_ ? kT2 : kT1);
    incoming_to_t2_ = false;
    incoming_in_b2_ = false;
  }
  void on_hit(Item* it, Tick) {
    erase(it);
    push(it, kT2);
  }
  void on_update(Item* old, Item* replacement, Tick, Tick) {
    erase(old);
    push(replacement, kT2);
  }
  void on_remove(Item* it) { erase(it); }
  // Only an eviction leaves a ghost: a deleted or expired key is no sign that the cache is
  // too small for it.
  void on_evict(Item* it) {
    (it->policy_u8 == kT1 ? b1_ : b2_).add(hash_key(it->key()), charge_of(config_, it));
    erase(it);
  }
  // REPLACE from the paper: evict from T1 when it is over its target p (or at it, when the
  // newcomer came back from B2), else from T2.
  Item* victim() noexcept {
    const double t1 = static_cast<double>(t1_used_);
    if (!t1_.empty() && (t1 > p_ || (incoming_in_b2_ && t1 >= p_) || t2_.empty())) return t1_.head();
    return t2_.head();
  }

 private:
  static constexpr std::uint8_t kT1 = 0, kT2 = 1;
  void push(Item* it, std::uint8_t list) {
    it->policy_u8 = list;
    (list == kT1 ? t1_ : t2_).push_back(it);
    (list == kT1 ? t1_used_ : t2_used_) += charge_of(config_, it);
  }
  void erase(Item* it) {
    (it->policy_u8 == kT1 ? t1_ : t2_).erase(it);
    (it->policy_u8 == kT1 ? t1_used_ : t2_used_) -= charge_of(config_, it);
  }

  StoreConfig config_;
  IntrusiveList t1_, t2_;
  std::uint64_t t1_used_ = 0, t2_used_ = 0;
  GhostQueue b1_, b2_;
  double p_ = 0;  // target size of T1
  bool incoming_to_t2_ = false;
  bool incoming_in_b2_ = false;
};

}  // namespace
CACHELAB_REGISTER_POLICY(ArcPolicy, "arc", "ARC: recency and frequency lists whose split adapts using ghosts (Megiddo & Modha, FAST'03)");
}  // namespace cachelab
