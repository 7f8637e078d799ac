#pragma once
// The one shared driver behind every policy (private to the engine): the budget, expiry, the
// policy's events, and the primitives of store.h over the hash index (hash_index.h); the
// commands' rules are protocol/'s. A policy only orders items; StoreImpl<Policy> decides when to
// ask it for a victim. Being a template, the policy's hooks are inlined: the simulator pays one
// virtual call per batch of requests, not one per request.
#include <algorithm>
#include <concepts>
#include <cstdlib>
#include <initializer_list>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cachelab/policy_registry.h"
#include "cachelab/store.h"
#include "hash_index.h"

namespace cachelab {

// The contract between the store and every policy (built-in or module), hook by hook. Policies
// own no items: they thread Item::prev/next and may use Item::policy_u8/policy_u16, nothing else.
// - on_insert(it, now): `it` is new in the store. Link it.
// - on_hit(it, now): `it` was used (get, gat, a refused add, arithmetic in place). Reorder as you like.
// - on_update(old, replacement, old_exptime, now): `replacement` takes old's place (a new value);
//   they are the same item when only its expiry changed in place (its size never does), and
//   old_exptime is the expiry the item had when the policy last saw it (for expiry-ordered ones).
// - victim(): the item the policy would evict now, or nullptr. It may reorder its own lists on
//   the way (CLOCK clears bits, S3-FIFO promotes), but must not assume the item will go: with
//   -M the store may refuse the write instead, and ask again later.
// - on_evict(it) (optional): the store removes `it`, which victim() named, to make room (an
//   expired victim too). Unlink it; remember it (a ghost) if the policy keeps history.
// - on_remove(it): `it` leaves for any other reason (delete, expiry found by a lookup or the
//   crawler, flush, a too-large replacement). Unlink it; it is no eviction.
// A policy without on_evict gets on_remove for evictions too. No hook may free an item.
// tests/engine/test_policy_contract.cpp drives every policy through all of them.
template <class P>
concept EvictionPolicy = requires(P p, Item* it, Tick now) {
  p.on_insert(it, now);
  p.on_hit(it, now);
  p.on_update(it, it, now, now);
  p.on_remove(it);
  { p.victim() } -> std::same_as<Item*>;
};

// What an item is charged against the budget: 1 in object mode; otherwise its size plus the
// configured overhead, plus the key bytes when values are stored (the simulator's key is an id,
// and libCacheSim charges the object's size only). Size-aware policies use it to split budgets.
inline std::uint64_t charge_of(const StoreConfig& config, std::size_t key_len, std::size_t value_len) noexcept {
  if (config.count_objects) return 1;
  return (config.store_values ? key_len : 0) + value_len + config.overhead_bytes;
}
inline std::uint64_t charge_of(const StoreConfig& config, const Item* it) noexcept {
  return charge_of(config, it->key_len, it->value_len);
}

// Rejects arguments a policy does not know, so that a typo is an error and not a silent default.
void check_policy_args(std::string_view policy, const PolicyArgs& args,
                       std::initializer_list<std::string_view> known);

template <EvictionPolicy Policy>
class StoreImpl final : public Store {
 public:
  StoreImpl(std::string name, const StoreConfig& config, const PolicyArgs& args)
      : name_(std::move(name)), config_(config), policy_(config, args), index_(index_for(config)),
        next_cas_(config.first_cas) {}
  // For policies built by the caller (policy modules carry a loaded library).
  StoreImpl(std::string name, const StoreConfig& config, Policy&& policy)
      : name_(std::move(name)), config_(config), policy_(std::move(policy)), index_(index_for(config)),
        next_cas_(config.first_cas) {}
  ~StoreImpl() override { free_all(); }
  StoreImpl(const StoreImpl&) = delete;
  StoreImpl& operator=(const StoreImpl&) = delete;

  void prefetch(KeyRef key) const noexcept override { index_.prefetch(key.hash); }

  bool get(KeyRef key, Tick now, ItemVisitor found) override {
    Item* it = lookup_live(key, now);
    if (!it) {
      ++stats_.misses;
      return false;
    }
    ++stats_.hits;
    mark_read(it, now);
    policy_.on_hit(it, now);
    found(*it);
    enforce_policy_budget(now);
    return true;
  }

  bool get_and_touch(KeyRef key, Tick now, Tick exptime, ItemVisitor found) override {
    Item* it = lookup_live(key, now);
    if (!it) {
      ++stats_.misses;
      return false;
    }
    ++stats_.hits;
    mark_read(it, now);
    const Tick old_exptime = it->exptime;
    it->exptime = exptime;
    policy_.on_update(it, it, old_exptime, now);  // an expiry-ordered policy must re-sort it
    policy_.on_hit(it, now);
    found(*it);
    return true;
  }

  bool peek(KeyRef key, Tick now, ItemVisitor found) override {
    Item* it = lookup_live(key, now);
    if (!it) return false;
    found(*it);
    return true;
  }

  bool modify(KeyRef key, Tick now, MetaEditor edit, std::uint64_t* cas_out) override {
    Item* it = lookup_live(key, now);
    if (!it) return false;
    const Tick accessed = now - it->seconds_since_access(now);
    ItemMeta meta{it->cas, it->exptime, it->stale != 0, it->token_sent != 0, it->fetched != 0, accessed,
                  it->binary_key(), {}};
    if (config_.store_values) meta.value = {it->value_data(), it->value_len};
    edit(*it, meta);
    it->set_binary_key(meta.binary_key);
    it->stale = meta.stale;
    it->token_sent = meta.token_sent;
    it->fetched = meta.fetched;
    if (meta.last_access != accessed) it->stamp_access(meta.last_access);
    if (meta.fresh_cas) it->cas = take_cas();
    else if (meta.cas != it->cas) it->cas = keep_cas_above(meta.cas);
    if (cas_out) *cas_out = it->cas;
    if (meta.exptime != it->exptime) {
      const Tick old_exptime = it->exptime;
      it->exptime = meta.exptime;
      policy_.on_update(it, it, old_exptime, now);
    }
    switch (meta.bump) {
      case Bump::kNone: break;
      case Bump::kPolicy: policy_.on_hit(it, now); break;
      case Bump::kRead:
        ++stats_.hits;
        mark_read(it, now);
        policy_.on_hit(it, now);
        enforce_policy_budget(now);
        break;
    }
    return true;
  }

  PutResult put(KeyRef key, Tick now, PutPlanner plan, std::uint64_t* cas_out) override {
    Item* old = lookup_live(key, now);
    NewItem n;
    switch (plan(old, n)) {
      case PutPlan::kWrite: break;
      case PutPlan::kKeepAndTouch:
        if (old) policy_.on_hit(old, now);
        return PutResult::kKept;
      case PutPlan::kKeep: return PutResult::kKept;
    }
    const std::size_t len = n.value.size() + n.value_tail.size();
    if (!fits(key.bytes.size(), len)) {
      ++stats_.refused_too_large;
      return PutResult::kTooLarge;
    }
    Item* it = allocate(key.bytes, len);
    if (!it) return PutResult::kNoMemory;
    if (config_.store_values) {
      // The parts may be the old item's bytes: copied before the old item is freed (install).
      if (!n.value.empty()) std::memcpy(it->value_data(), n.value.data(), n.value.size());
      if (!n.value_tail.empty()) std::memcpy(it->value_data() + n.value.size(), n.value_tail.data(), n.value_tail.size());
    }
    it->flags = n.flags;
    it->exptime = n.exptime;
    it->cas = n.cas == 0 ? take_cas() : keep_cas_above(n.cas);
    it->stale = n.stale;
    it->token_sent = n.token_sent;
    it->set_binary_key(n.binary_key);
    if (!install(it, old, key.hash, now)) return PutResult::kNoMemory;
    if (cas_out) *cas_out = it->cas;
    return PutResult::kStored;
  }

  bool remove(KeyRef key, Tick now) override {
    Item* it = lookup_live(key, now);
    if (!it) return false;
    unlink_and_free(it, key.hash);
    return true;
  }

  void flush() override { free_all(); }

  std::size_t reclaim_expired(Tick now, std::size_t max_buckets) override {
    return index_.sweep(
        max_buckets, [now](const Item* it) { return it->expired_at(now); }, [this](Item* it) { expire(it); });
  }

  void shift_time(Tick delta) override {
    index_.for_each([&](Item* it) {
      if (it->exptime != kNever && it->exptime != kFarExpiry) it->exptime = it->exptime > delta ? it->exptime - delta : 1;
      if constexpr (requires(Policy& p) { p.shift_item_time(it, delta); }) policy_.shift_item_time(it, delta);
    });
    // Policies that order items by time (ttl) re-file them, with the same rule.
    if constexpr (requires(Policy& p) { p.shift_time(delta); }) policy_.shift_time(delta);
  }

  void for_each(Tick now, ItemVisitor visit) const override {
    index_.for_each([&](const Item* it) {
      if (!it->expired_at(now)) visit(*it);
    });
  }

  void access_batch(std::span<Access> batch) override {
    for (Access& a : batch) {
      // Policies that look ahead (belady) are told each request's next access; for every other
      // policy this compiles to nothing.
      if constexpr (requires(Policy& p) { p.set_next_access(a.next_access); }) policy_.set_next_access(a.next_access);
      const std::uint64_t h = hash_id(a.key);
      const std::string_view key(reinterpret_cast<const char*>(&a.key), sizeof a.key);
      Item* it = lookup_live({key, h}, a.now);
      a.hit = it != nullptr;
      switch (a.op) {
        case Access::Op::kRead:
        case Access::Op::kLookup:
          if (it) {
            ++stats_.hits;
            it->fetched = 1;
            a.copy_version = it->cas;
            policy_.on_hit(it, a.now);
            enforce_policy_budget(a.now);
            continue;
          }
          ++stats_.misses;
          if (a.op == Access::Op::kRead) put_sized(nullptr, key, h, a);
          break;
        case Access::Op::kSet:
          put_sized(it, key, h, a);
          break;
        case Access::Op::kUpdate:
          if (it) put_sized(it, key, h, a);
          break;
        case Access::Op::kDelete:
          if (it) unlink_and_free(it, h);
          break;
      }
    }
  }

  StoreStats stats() const override {
    StoreStats s = stats_;
    s.curr_items = index_.size();
    s.bytes = used_;
    return s;
  }
  void reset_stats() override {
    const auto total = stats_.total_items;
    stats_ = StoreStats{};
    stats_.total_items = total;  // memcached's `stats reset` keeps what describes the contents
  }
  std::vector<std::pair<std::string, std::uint64_t>> policy_stats() const override {
    if constexpr (requires(const Policy& p) { p.stats(); }) return policy_.stats();
    return {};
  }
  const StoreConfig& config() const override { return config_; }
  std::string_view policy_name() const override { return name_; }

 private:
  // Why an item leaves, as its policy is told: named by victim() to make room (on_evict), or
  // deleted, expired, replaced by a too-large value or flushed (on_remove).
  enum class Leaving { kRemoved, kEvicted };
  static constexpr std::size_t kReclaimScanOnRefusal = 4096;

  std::uint64_t charge(std::size_t key_len, std::size_t value_len) const noexcept {
    return charge_of(config_, key_len, value_len);
  }
  std::uint64_t charge(const Item* it) const noexcept { return charge_of(config_, it); }

  bool fits(std::size_t key_len, std::size_t value_len) const noexcept {
    if (config_.store_values && value_len > config_.max_item_size) return false;
    return value_len <= Item::kMaxValueLen && charge(key_len, value_len) <= config_.capacity;
  }

  // A read: memcached's segmented LRU marks the first read of a stored item as fetched without
  // moving its access time, and refreshes the time on later reads (`mg l`, `me la` show it).
  static void mark_read(Item* it, Tick now) noexcept {
    if (it->fetched) it->stamp_access(now);
    it->fetched = 1;
  }

  // Takes a CAS chosen elsewhere (a snapshot's) and keeps handing out CAS values above it, so
  // no two versions ever share one. Computed, not stepped: a restored CAS may be huge.
  std::uint64_t keep_cas_above(std::uint64_t cas) noexcept {
    if (next_cas_ <= cas) next_cas_ += ((cas - next_cas_) / config_.cas_step + 1) * config_.cas_step;
    return cas;
  }

  std::uint64_t take_cas() noexcept {
    const std::uint64_t c = next_cas_;
    next_cas_ += config_.cas_step;
    return c;
  }

  // How full the index may get before it doubles. Holding values (the server), an item is a few
  // hundred bytes and its index slot is budget: up to two items a bucket (1.5 on average over a
  // doubling, memcached's own bound) halves the slot's 8 bytes per item for one more hop on a
  // miss. Sizes only (the simulator), lookups are the work: one item a bucket.
  static HashIndex index_for(const StoreConfig& config) { return {!config.store_values, config.store_values ? 2u : 1u}; }
  std::uint64_t hash_of(const Item* it) const noexcept { return index_.hash_of(it); }

  // Finds the item; an expired one is reclaimed on the spot (lazy expiry) and reported absent.
  Item* lookup_live(KeyRef key, Tick now) noexcept {
    const HashIndex::Link link = index_.find(key.bytes, key.hash);
    Item* it = link.get();
    if (it && it->expired_at(now)) {
      ++stats_.expired_misses;
      index_.erase_at(link);
      expire(it);
      return nullptr;
    }
    return it;
  }

  Item* allocate(std::string_view key, std::size_t value_len) noexcept {
    const std::size_t bytes = sizeof(Item) + key.size() + (config_.store_values ? value_len : 0);
    auto* it = static_cast<Item*>(std::malloc(bytes));
    if (!it) return nullptr;
    // malloc hands out user-space addresses, which fit the chain word's 48 bits.
    if (reinterpret_cast<std::uintptr_t>(it) & ~Item::kChainMask) std::abort();
    it->chain = 0;
    it->prev = it->next = nullptr;
    it->cas = 0;
    it->exptime = kNever;
    it->flags = 0;
    it->value_len = static_cast<std::uint32_t>(value_len);
    it->fetched = 0;
    it->stale = 0;
    it->token_sent = 0;
    it->key_len = static_cast<std::uint8_t>(key.size());
    it->policy_u8 = 0;
    it->policy_u16 = 0;
    std::memcpy(it->key_data(), key.data(), key.size());
    return it;
  }

  // Frees room for `need` more charged units. `keep` (the item being replaced) is not charged
  // twice; if the policy picks it, it is dropped as part of the replacement. Returns false when
  // the budget cannot be met (nothing left to evict, or evictions disabled).
  bool make_room(std::uint64_t need, Item*& keep, std::uint64_t keep_charge, Tick now) {
    std::uint64_t credit = keep ? keep_charge : 0;
    if (used_ - credit + need > config_.capacity) tell_time(now);
    while (used_ - credit + need > config_.capacity) {
      Item* victim = policy_.victim();
      if (!victim) return false;
      if (!victim->expired_at(now) && !config_.evictions_enabled) {
        // Before refusing, look for expired items the policy's order did not reach (bounded,
        // so that a full cache under -M does not scan the whole index on every store). The
        // item being replaced counts as live here: dropping it and then refusing would lose it
        // (found by tests/protocol/test_store_modes.cpp: an incr that outgrew its item under -M).
        if (reclaim_expired(now, kReclaimScanOnRefusal) > 0) continue;
        return false;
      }
      if (victim == keep) {
        index_.erase(victim, hash_of(victim));
        drop(victim, Leaving::kEvicted);
        keep = nullptr;
        credit = 0;
        continue;
      }
      evict(victim, now);
    }
    return true;
  }

  // Removes a victim: an expired one counts as an expiration, a live one as an eviction.
  // The policy hears of it as an eviction either way: it named the item.
  void evict(Item* victim, Tick now) noexcept {
    index_.erase(victim, hash_of(victim));
    if (victim->expired_at(now)) {
      expire(victim, Leaving::kEvicted);
      return;
    }
    ++stats_.evictions;
    if (!victim->fetched) ++stats_.evicted_unfetched;
    drop(victim, Leaving::kEvicted);
  }

  // Tells a policy whose victim() needs the time (policy modules, through host->now) what it is.
  // Compiles to nothing for other policies.
  void tell_time(Tick now) {
    if constexpr (requires(Policy& p) { p.set_now(now); }) policy_.set_now(now);
  }

  // Tells a policy that watches misses (ARC adapts to keys it recently evicted) that `key` is about
  // to be inserted, before room is made for it. Compiles to nothing for other policies.
  void announce_miss(std::string_view key, std::uint64_t charge) {
    if constexpr (requires(Policy& p) { p.on_miss(key, charge); }) policy_.on_miss(key, charge);
  }

  // A policy may keep a budget of its own tighter than the store's (slru's lowest segment after a
  // hit demoted items into it): it says so through wants_eviction(), and victims go until it is
  // satisfied. Compiles to nothing for policies without the hook.
  void enforce_policy_budget(Tick now) {
    if constexpr (requires(Policy& p) { { p.wants_eviction() } -> std::same_as<bool>; }) {
      if (policy_.wants_eviction()) tell_time(now);
      while (policy_.wants_eviction()) {
        Item* victim = policy_.victim();
        if (!victim) return;
        // -M: no live item is ever evicted, not even for the policy's own budget (found by
        // tests/engine/test_policy_contract.cpp: slru evicted under -M).
        if (!config_.evictions_enabled && !victim->expired_at(now)) return;
        evict(victim, now);
      }
    }
  }

  // Puts a fresh item in place of `old` (or as new). Frees it and returns false if it cannot fit.
  bool install(Item* it, Item* old, std::uint64_t hash, Tick now) {
    const std::uint64_t c = charge(it);
    if (!old) announce_miss(it->key(), c);
    if (!make_room(c, old, old ? charge(old) : 0, now)) {
      std::free(it);
      return false;
    }
    ++stats_.total_items;
    it->stamp_access(now);  // memcached's item time starts at the store
    if (old) {
      index_.replace(old, it, hash);
      used_ = used_ - charge(old) + c;
      policy_.on_update(old, it, old->exptime, now);
      std::free(old);
      return true;
    }
    link_new(it, hash, c);
    policy_.on_insert(it, now);
    return true;
  }

  // Simulator insert/replace: sizes only, so a replacement is done in place.
  void put_sized(Item* it, std::string_view key, std::uint64_t hash, Access& a) {
    if (!fits(key.size(), a.size)) {
      ++stats_.refused_too_large;
      if (it) unlink_and_free(it, hash);  // a copy that can no longer be cached must not linger
      return;
    }
    ++stats_.total_items;
    if (it && it->value_len == a.size) {
      // Same size: changed in place, keeping the policy's state (e.g. LFU's count).
      const Tick old_exptime = it->exptime;
      it->exptime = a.exptime;
      it->cas = a.version;
      it->fetched = 0;
      policy_.on_update(it, it, old_exptime, a.now);
      return;
    }
    // A new size is a new copy: size-aware policies account bytes per segment, and an in-place
    // change never alters an item's size (the on_update contract).
    if (it) unlink_and_free(it, hash);
    Item* none = nullptr;
    const std::uint64_t c = charge(key.size(), a.size);
    announce_miss(key, c);
    if (!make_room(c, none, 0, a.now)) return;
    Item* fresh = allocate(key, a.size);
    if (!fresh) throw std::bad_alloc();
    fresh->exptime = a.exptime;
    fresh->cas = a.version;
    link_new(fresh, hash, c);
    policy_.on_insert(fresh, a.now);
  }

  void link_new(Item* it, std::uint64_t hash, std::uint64_t c) {
    index_.insert(it, hash);
    used_ += c;
  }

  // Removes an item already unlinked from the index because it expired.
  void expire(Item* it, Leaving how = Leaving::kRemoved) noexcept {
    ++stats_.expirations;
    if (!it->fetched) ++stats_.expired_unfetched;
    drop(it, how);
  }

  void unlink_and_free(Item* it, std::uint64_t hash) noexcept {
    index_.erase(it, hash);
    drop(it);
  }

  void drop(Item* it, Leaving how = Leaving::kRemoved) noexcept {
    if constexpr (requires(Policy& p) { p.on_evict(it); }) {
      if (how == Leaving::kEvicted) policy_.on_evict(it);
      else policy_.on_remove(it);
    } else {
      policy_.on_remove(it);
    }
    used_ -= charge(it);
    std::free(it);
  }

  void free_all() noexcept {
    index_.clear([this](Item* it) { drop(it); });
  }

  std::string name_;
  StoreConfig config_;
  Policy policy_;
  HashIndex index_;
  std::uint64_t used_ = 0;
  std::uint64_t next_cas_;
  StoreStats stats_;
};

// Bytes a policy keeps per item outside the item (ghost entries, stack nodes, sketch counters),
// declared as `static constexpr std::uint64_t kExtraBytesPerItem`. The server charges them to
// the budget with the item's own overhead, so a policy's bookkeeping stays inside -m.
template <class Policy>
constexpr std::uint64_t extra_bytes_per_item() {
  if constexpr (requires { Policy::kExtraBytesPerItem; }) return Policy::kExtraBytesPerItem;
  return 0;
}

// Registers Policy under `name`. Used once per policy file, at namespace scope.
template <EvictionPolicy Policy>
bool register_policy(const char* name, const char* description, bool simulator_only = false) {
  return PolicyRegistry::instance().add(PolicyInfo{
      name, description, simulator_only,
      [name](const StoreConfig& config, const PolicyArgs& args) -> std::unique_ptr<Store> {
        StoreConfig charged = config;
        if (config.store_values && !config.count_objects) charged.overhead_bytes += extra_bytes_per_item<Policy>();
        return std::make_unique<StoreImpl<Policy>>(name, charged, args);
      }});
}

#define CACHELAB_REGISTER_POLICY(Type, name, description) \
  [[maybe_unused]] static const bool cachelab_registered_##Type = \
      ::cachelab::register_policy<Type>(name, description)
// For policies that need the future (belady): refused by the server, offered by the simulator.
#define CACHELAB_REGISTER_SIMULATOR_POLICY(Type, name, description) \
  [[maybe_unused]] static const bool cachelab_registered_##Type = \
      ::cachelab::register_policy<Type>(name, description, true)

}  // namespace cachelab
