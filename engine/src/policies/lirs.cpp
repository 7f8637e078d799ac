// lirs (Jiang & Zhang, SIGMETRICS'02): ranks blocks by reuse distance (recency of the previous
// access) instead of recency alone. LIR blocks (low inter-reference recency) hold 99% of the
// budget and are never evicted directly; HIR blocks share the remaining 1% through a FIFO queue
// Q. The stack S records recent accesses, including HIR blocks no longer resident: a block
// accessed again while still in S has a shorter reuse distance than the oldest LIR block, and
// takes its place in the LIR set. Scans and loops pass through Q without disturbing the LIR set.
//
// S holds entries that are not items (non-resident HIR blocks), so it is a node list with an
// index by key hash; the non-resident entries are bounded by the budget (as a ghost queue).
// Argument: hir=0.01 (the resident HIR share).
#include <deque>
#include <list>
#include <unordered_map>

#include "cachelab/intrusive_list.h"
#include "policy_args.h"
#include "store_impl.h"

namespace cachelab {
namespace {

class LirsPolicy {
 public:
  // Charged per item in the server: a stack node (~48 bytes) and an index node (~48 bytes) per resident block.
  static constexpr std::uint64_t kExtraBytesPerItem = 96;
  LirsPolicy(const StoreConfig& config, const PolicyArgs& args)
      : config_(config),
        lir_capacity_(config.capacity - std::max<std::uint64_t>(
                                            1, static_cast<std::uint64_t>(static_cast<double>(config.capacity) *
                                                                          policy_arg("lirs", args, "hir", 0.01, 0.001, 0.5)))) {
    check_policy_args("lirs", args, {"hir"});
  }

  void on_insert(Item* it, Tick) {
    const std::uint64_t key = hash_key(it->key());
    const std::uint64_t c = charge_of(config_, it);
    auto found = index_.find(key);
    if (found != index_.end()) {
      // A non-resident HIR block still in S: its reuse distance beats the oldest LIR block's.
      Entry& e = *found->second;
      nonresident_used_ -= e.charge;
      e = Entry{key, it, true, c, 0};
      to_top(found->second);
      make_lir(it, c);
      return;
    }
    auto pos = stack_.insert(stack_.end(), Entry{key, it, false, c, 0});
    index_[key] = pos;
    if (lir_used_ + c <= lir_capacity_) {  // warming up: the first blocks fill the LIR set
      pos->lir = true;
      make_lir(it, c);
    } else {
      it->policy_u8 = kHir;
      queue_.push_back(it);
    }
  }

  void on_hit(Item* it, Tick) {
    const std::uint64_t key = hash_key(it->key());
    auto found = index_.find(key);
    if (it->policy_u8 == kLir) {
      to_top(found->second);
      prune();
      return;
    }
    if (found != index_.end()) {  // resident HIR in S: becomes LIR
      found->second->lir = true;
      to_top(found->second);
      queue_.erase(it);
      make_lir(it, charge_of(config_, it));
      return;
    }
    index_[key] = stack_.insert(stack_.end(), Entry{key, it, false, charge_of(config_, it), 0});
    queue_.move_to_back(it);
  }

  void on_update(Item* old, Item* replacement, Tick, Tick) {
    auto found = index_.find(hash_key(old->key()));
    if (found != index_.end()) found->second->item = replacement;
    replacement->policy_u8 = old->policy_u8;
    const std::uint64_t c_old = charge_of(config_, old), c_new = charge_of(config_, replacement);
    if (old->policy_u8 == kLir) {
      lir_used_ = lir_used_ - c_old + c_new;
      if (found != index_.end()) found->second->charge = c_new;
      demote_while_over();
    } else if (old != replacement) {
      queue_.erase(old);
      queue_.push_back(replacement);
    }
  }

  void on_remove(Item* it) { leave(it, false); }
  void on_evict(Item* it) { leave(it, true); }

  Item* victim() {
    if (!queue_.empty()) return queue_.head();
    prune();
    return stack_.empty() ? nullptr : stack_.front().item;
  }

 private:
  // An item leaves the cache: deleted or expired (`evicted` false), or evicted.
  void leave(Item* it, bool evicted) {
    const std::uint64_t key = hash_key(it->key());
    auto found = index_.find(key);
    if (it->policy_u8 == kLir) {
      lir_used_ -= charge_of(config_, it);
      if (found != index_.end()) erase_entry(found);
      prune();
      return;
    }
    queue_.erase(it);
    if (found == index_.end()) return;
    if (evicted) {  // stays in S as a non-resident HIR block, remembered within the budget
      Entry& e = *found->second;
      e.item = nullptr;
      e.seq = ++seq_;
      nonresident_used_ += e.charge;
      nonresident_order_.push_back({key, e.seq});
      trim_nonresident();
    } else {
      erase_entry(found);
    }
  }

  static constexpr std::uint8_t kHir = 0, kLir = 1;
  struct Entry {
    std::uint64_t key;
    Item* item;  // nullptr: a non-resident HIR block
    bool lir;
    std::uint64_t charge;
    std::uint64_t seq;  // for non-resident entries: when they became so
  };
  using Stack = std::list<Entry>;  // front = bottom (oldest), back = top

  void to_top(Stack::iterator pos) { stack_.splice(stack_.end(), stack_, pos); }
  void make_lir(Item* it, std::uint64_t c) {
    it->policy_u8 = kLir;
    lir_used_ += c;
    demote_while_over();
  }
  // The bottom LIR block leaves S and joins Q as a resident HIR block.
  void demote_while_over() {
    while (lir_used_ > lir_capacity_) {
      prune();
      if (stack_.empty()) return;
      Entry bottom = stack_.front();
      index_.erase(bottom.key);
      stack_.pop_front();
      bottom.item->policy_u8 = kHir;
      lir_used_ -= bottom.charge;
      queue_.push_back(bottom.item);
      prune();
    }
  }
  // Stack pruning: S's bottom is always a LIR block.
  void prune() {
    while (!stack_.empty() && !stack_.front().lir) {
      if (!stack_.front().item) nonresident_used_ -= stack_.front().charge;
      index_.erase(stack_.front().key);
      stack_.pop_front();
    }
  }
  void erase_entry(std::unordered_map<std::uint64_t, Stack::iterator>::iterator found) {
    if (!found->second->item) nonresident_used_ -= found->second->charge;
    stack_.erase(found->second);
    index_.erase(found);
  }
  void trim_nonresident() {
    while (nonresident_used_ > config_.capacity && !nonresident_order_.empty()) {
      const auto [key, seq] = nonresident_order_.front();
      nonresident_order_.pop_front();
      auto found = index_.find(key);
      if (found != index_.end() && !found->second->item && found->second->seq == seq) erase_entry(found);
    }
  }

  StoreConfig config_;
  std::uint64_t lir_capacity_;
  std::uint64_t lir_used_ = 0;
  Stack stack_;
  std::unordered_map<std::uint64_t, Stack::iterator> index_;
  IntrusiveList queue_;  // resident HIR blocks, head = next to go
  std::uint64_t nonresident_used_ = 0;
  std::deque<std::pair<std::uint64_t, std::uint64_t>> nonresident_order_;
  std::uint64_t seq_ = 0;
};

}  // namespace
CACHELAB_REGISTER_POLICY(LirsPolicy, "lirs", "LIRS: reuse distance, a 99% LIR set and a 1% HIR queue (Jiang & Zhang, SIGMETRICS'02); arg hir=0.01");
}  // namespace cachelab
