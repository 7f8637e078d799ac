// slru: segmented LRU. The budget is split into N equal segments (default 4: libCacheSim's
// S4LRU). New items enter the lowest segment; a hit promotes an item one segment up; a segment
// over its share demotes its least recent item one segment down; eviction takes the least recent
// item of the lowest non-empty segment. Items must prove themselves repeatedly to reach the top,
// so a scan only churns the bottom segment.
//
// Arguments: segments=4 (equal shares), or shares=A:B:C... (percentages of the budget, lowest
// segment first), or preset=memcached: memcached 1.6's segmented LRU as a parameter set, cold 40%,
// warm 40%, hot 20% (its warm_lru_pct=40, hot_lru_pct=20), i.e. shares=40:40:20.
#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "cachelab/intrusive_list.h"
#include "policy_args.h"
#include "store_impl.h"

namespace cachelab {
namespace {

class SlruPolicy {
 public:
  SlruPolicy(const StoreConfig& config, const PolicyArgs& args) : config_(config) {
    check_policy_args("slru", args, {"segments", "shares", "preset"});
    std::vector<double> shares;
    if (auto preset = args.find("preset"); preset != args.end()) {
      if (preset->second != "memcached")
        throw std::invalid_argument("policy slru: preset=" + preset->second + " is unknown (known: memcached)");
      shares = {40, 40, 20};
    } else if (auto given = args.find("shares"); given != args.end()) {
      shares = parse_shares(given->second);
    } else {
      shares.assign(static_cast<std::size_t>(policy_arg("slru", args, "segments", 4, 1, 16)), 1.0);
    }
    double total = 0;
    for (double share : shares) total += share;
    segments_.resize(shares.size());
    for (std::size_t i = 0; i < shares.size(); ++i)
      segments_[i].capacity = static_cast<std::uint64_t>(static_cast<double>(config.capacity) * shares[i] / total);
  }

  // A new item goes to the lowest segment with room for it (while the cache is filling, upper
  // segments take new items too, so the whole budget is used), else to the lowest.
  void on_insert(Item* it, Tick) {
    const std::uint64_t c = charge_of(config_, it);
    std::size_t seg = 0;
    while (seg < segments_.size() && segments_[seg].used + c > segments_[seg].capacity) ++seg;
    push(it, seg < segments_.size() ? seg : 0);
  }
  void on_hit(Item* it, Tick) {
    const std::size_t seg = it->policy_u8;
    erase(it);
    const std::size_t up = seg + 1 < segments_.size() ? seg + 1 : seg;
    push(it, up);
    // Demote from the segment that overflowed, cascading down.
    for (std::size_t s = up; s > 0 && segments_[s].used > segments_[s].capacity; --s) {
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
  bool wants_eviction() const noexcept { return segments_[0].used > segments_[0].capacity; }
  Item* victim() const noexcept {
    for (const Segment& s : segments_)
      if (!s.list.empty()) return s.list.head();
    return nullptr;
  }

 private:
  struct Segment {
    IntrusiveList list;  // head = least recent
    std::uint64_t used = 0;
    std::uint64_t capacity = 0;  // its share of the budget
  };
  static std::vector<double> parse_shares(const std::string& text) {
    std::vector<double> shares;
    std::stringstream in(text);
    for (std::string part; std::getline(in, part, ':');) {
      std::size_t used = 0;
      double v = 0;
      try {
        v = std::stod(part, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != part.size() || !(v > 0)) break;
      shares.push_back(v);
    }
    if (shares.empty() || shares.size() > 16 || std::count(text.begin(), text.end(), ':') + 1 != static_cast<long>(shares.size()))
      throw std::invalid_argument("policy slru: shares=" + text + " is not 1 to 16 positive numbers such as 40:40:20");
    return shares;
  }
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
  std::vector<Segment> segments_;  // [0] = the lowest (coldest)
};

}  // namespace
CACHELAB_REGISTER_POLICY(SlruPolicy, "slru", "segmented LRU, S4LRU by default (Karedla et al., IEEE Computer 1994; Huang et al., SOSP'13); args segments=4, shares=40:40:20, preset=memcached");
}  // namespace cachelab
