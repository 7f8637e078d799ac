// tinylfu: W-TinyLFU as in Caffeine. New items enter a small LRU window (1% of the budget).
// When the window overflows, its oldest item is a candidate for the main cache, a segmented LRU
// (probation 20%, protected 80%): it is admitted only if the frequency sketch says it is more
// popular than main's next victim, which it then replaces. The window lets bursts in; the
// sketch keeps one-hit wonders from pushing out the proven working set.
//
// Arguments: window=0.01 (the window's share), protected=0.8 (of the main cache).
#include "cachelab/intrusive_list.h"
#include "frequency_sketch.h"
#include "policy_args.h"
#include "store_impl.h"

namespace cachelab {
namespace {

class TinyLfuPolicy {
 public:
  // Charged per item in the server: four 1-byte sketch counters and doorkeeper bits per item held.
  static constexpr std::uint64_t kExtraBytesPerItem = 8;
  TinyLfuPolicy(const StoreConfig& config, const PolicyArgs& args)
      : config_(config),
        // At least one object's worth, so that a small cache still admits (libCacheSim's window
        // rounds to zero below ~100 objects and then admits nothing).
        window_capacity_(std::max<std::uint64_t>(
            1, static_cast<std::uint64_t>(static_cast<double>(config.capacity) * policy_arg("tinylfu", args, "window", 0.01, 0, 0.99)))),
        protected_capacity_(static_cast<std::uint64_t>(static_cast<double>(config.capacity - window_capacity_) *
                                                       policy_arg("tinylfu", args, "protected", 0.8, 0, 1))),
        sketch_(config.count_objects ? config.capacity : 1024) {
    check_policy_args("tinylfu", args, {"window", "protected"});
  }

  // The store makes room before inserting, so the window counts the newcomer it will receive.
  void on_miss(std::string_view key, std::uint64_t charge) {
    sketch_.add(hash_key(key));
    incoming_ = charge;
  }
  void on_insert(Item* it, Tick) {
    incoming_ = 0;
    push(it, kWindow);
    sketch_.ensure_capacity(++items_);
  }
  void on_hit(Item* it, Tick) {
    sketch_.add(hash_key(it->key()));
    if (it->policy_u8 == kProbation) {
      erase(it);
      push(it, kProtected);
      while (used_[kProtected] > protected_capacity_) {
        Item* demoted = lists_[kProtected].head();
        erase(demoted);
        push(demoted, kProbation);
      }
    } else {
      lists_[it->policy_u8].move_to_back(it);
    }
  }
  void on_update(Item* old, Item* replacement, Tick, Tick) {
    const std::uint8_t where = old->policy_u8;
    erase(old);
    push(replacement, where);
  }
  void on_remove(Item* it) {
    erase(it);
    --items_;
  }
  Item* victim() {
    for (;;) {
      if (used_[kWindow] + incoming_ <= window_capacity_ || lists_[kWindow].empty()) return main_victim();
      Item* candidate = lists_[kWindow].head();
      Item* incumbent = main_victim();
      const bool main_has_room = used_[kProbation] + used_[kProtected] + charge_of(config_, candidate) <=
                                 config_.capacity - window_capacity_;
      if (!incumbent || main_has_room) {
        erase(candidate);
        push(candidate, kProbation);
        continue;
      }
      if (sketch_.estimate(hash_key(candidate->key())) > sketch_.estimate(hash_key(incumbent->key()))) {
        erase(candidate);
        push(candidate, kProbation);
        return incumbent;
      }
      return candidate;
    }
  }

 private:
  static constexpr std::uint8_t kWindow = 0, kProbation = 1, kProtected = 2;
  Item* main_victim() const noexcept {
    if (!lists_[kProbation].empty()) return lists_[kProbation].head();
    if (!lists_[kProtected].empty()) return lists_[kProtected].head();
    return lists_[kWindow].head();
  }
  void push(Item* it, std::uint8_t where) {
    it->policy_u8 = where;
    lists_[where].push_back(it);
    used_[where] += charge_of(config_, it);
  }
  void erase(Item* it) {
    lists_[it->policy_u8].erase(it);
    used_[it->policy_u8] -= charge_of(config_, it);
  }

  StoreConfig config_;
  std::uint64_t window_capacity_;
  std::uint64_t protected_capacity_;
  IntrusiveList lists_[3];
  std::uint64_t used_[3] = {0, 0, 0};
  std::size_t items_ = 0;
  std::uint64_t incoming_ = 0;  // charge of the item being made room for
  FrequencySketch sketch_;
};

}  // namespace
CACHELAB_REGISTER_POLICY(TinyLfuPolicy, "tinylfu", "W-TinyLFU: 1% LRU window, sketch-gated admission to a segmented LRU (Einziger et al., ACM TOS 2017; Caffeine); args window=0.01 protected=0.8");
}  // namespace cachelab
