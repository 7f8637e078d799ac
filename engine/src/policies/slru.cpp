// slru: segmented LRU. The budget is split into N equal segments (default 4: libCacheSim's
// S4LRU). New items enter the lowest segment; a hit promotes an item one segment up; a segment
// over its share demotes its least recent item one segment down; eviction takes the least recent
// item of the lowest non-empty segment. Items must prove themselves repeatedly to reach the top,
// so a scan only churns the bottom segment.
//
// Arguments: segments=4. memcached's hot/warm/cold LRU is close to segments=3.
#include <vector>

#include "cachelab/intrusive_list.h"
#include "policy_args.h"
#include "store_impl.h"

namespace cachelab {
namespace {

class SlruPolicy {
 public:
  SlruPolicy(const StoreConfig& config, const PolicyArgs& args)
      : config_(config), segments_(static_cast<std::size_t>(policy_arg("slru", args, "segments", 4, 1, 16))) {
    check_policy_args("slru", args, {"segments"});
    segment_capacity_ = config.capacity / segments_.size();
  }

  // A new item goes to the lowest segment with room for it (while the cache is filling, upper
  // segments take new items too, so the whole budget is used), else to the lowest.
  void on_insert(Item* it, Tick) {
    const std::uint64_t c = charge_of(config_, it);
    std::size_t seg = 0;
    while (seg < segments_.size() && segments_[seg].used + c > segment_capacity_) ++seg;
    push(it, seg < segments_.size() ? seg : 0);
  }
  void on_hit(Item* it, Tick) {
    const std::size_t seg = it->policy_u8;
    erase(it);
    const std::size_t up = seg + 1 < segments_.size() ? seg + 1 : seg;
    push(it, up);
    // Demote from the segment that overflowed, cascading down.
    for (std::size_t s = up; s > 0 && segments_[s].used > segment_capacity_; --s) {
      Item* cold = segments_[s].list.head();
      erase(cold);
      push(cold, s - 1);
    }
  }
  void on_update(Item* old, Item* replacement, Tick, Tick) {
    const std::size_t seg = old->policy_u8;
    erase(old);
    push(replacement, seg);
  }
  void on_remove(Item* it) { erase(it); }
  // Demotions can overfill the lowest segment; it then sheds items from the cache, even when the
  // upper segments have room (as libCacheSim's S4LRU does), so each segment keeps its share.
  bool wants_eviction() const noexcept { return segments_[0].used > segment_capacity_; }
  Item* victim() const noexcept {
    for (const Segment& s : segments_)
      if (!s.list.empty()) return s.list.head();
    return nullptr;
  }

 private:
  struct Segment {
    IntrusiveList list;  // head = least recent
    std::uint64_t used = 0;
  };
  void push(Item* it, std::size_t seg) {
    it->policy_u8 = static_cast<std::uint8_t>(seg);
    segments_[seg].list.push_back(it);
    segments_[seg].used += charge_of(config_, it);
  }
  void erase(Item* it) {
    Segment& s = segments_[it->policy_u8];
    s.list.erase(it);
    s.used -= charge_of(config_, it);
  }

  StoreConfig config_;
  std::vector<Segment> segments_;
  std::uint64_t segment_capacity_ = 0;
};

}  // namespace
CACHELAB_REGISTER_POLICY(SlruPolicy, "slru", "segmented LRU in equal segments, S4LRU (Karedla et al., IEEE Computer 1994; Huang et al., SOSP'13); arg segments=4");
}  // namespace cachelab
