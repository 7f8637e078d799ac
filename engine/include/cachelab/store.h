#pragma once
// The store: the engine's one seam. A hash index of items, a byte (or object) budget, expiry,
// and an eviction policy chosen by name. One Store is single-threaded; ShardedStore (sharded_store.h)
// puts N of them behind locks for the server.
//
// The store offers primitives only (lookup, insert-or-replace, in-place edit, remove, touch);
// memcached's commands (add, cas, append, incr...) are composed from them in protocol/
// (protocol/store_modes.h), under the shard's lock. The simulator uses access_batch(): one
// virtual call per batch, so that the policy code runs inlined per request.
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cachelab/function_ref.h"
#include "cachelab/item.h"
#include "cachelab/types.h"

namespace cachelab {

struct StoreConfig {
  // Budget in bytes, or in objects when count_objects is set.
  std::uint64_t capacity = 64ull << 20;
  bool count_objects = false;
  // Server: keep the value bytes in the item. Simulator: sizes only, the key is an 8-byte id.
  bool store_values = true;
  // Charged per item on top of its key and value. In value mode the default is the real cost
  // (kItemOverheadBytes); the simulator defaults to 0 to match libCacheSim's accounting.
  std::uint64_t overhead_bytes = 0;
  // Largest value accepted (memcached's -I).
  std::uint64_t max_item_size = 1u << 20;
  // memcached's -M: refuse a store that would need an eviction.
  bool evictions_enabled = true;
  // Engine ticks per second of the caller's clock (server: 1, simulator: 1000). Only policies
  // that decay with wall time (redis-lfu) need it; expiry is always in ticks.
  std::uint32_t ticks_per_second = 1;
  // CAS values handed out are first_cas, first_cas + cas_step, ... (shards interleave theirs).
  std::uint64_t first_cas = 1;
  std::uint64_t cas_step = 1;
};

// What one item really costs in the server beyond key and value: the 48-byte header and its
// 8-byte slot in the hash index (an upper bound: the index holds one to two items a bucket).
// Allocator rounding is not charged (it depends on the allocator) and is measured in
// docs/BENCHMARKS.md instead.
inline constexpr std::uint64_t kItemOverheadBytes = sizeof(Item) + sizeof(Item*);

using PolicyArgs = std::map<std::string, std::string>;

// What put() writes for a key: a new item, in place of the key's live item if there is one.
struct NewItem {
  // The value is `value` then `value_tail`: an append or prepend joins the live item's bytes and
  // the new ones here, without a copy of its own (both stay valid until put() returns).
  std::string_view value = {};
  std::string_view value_tail = {};
  std::uint32_t flags = 0;
  Tick exptime = kNever;
  // 0: the store's next CAS. Otherwise this one (a snapshot's), and the store's later CAS values
  // stay above it, so that no two versions ever share one.
  std::uint64_t cas = 0;
  // memcached's item bits, carried by a write that keeps them (meta `ms I`, `b`, a snapshot).
  bool stale = false;
  bool token_sent = false;
  bool binary_key = false;
};

// What put()'s planner decides, having seen the key's live item (or none).
enum class PutPlan {
  kWrite,         // write the NewItem it filled in
  kKeep,          // change nothing
  kKeepAndTouch,  // change nothing, but tell the policy the live item was used (memcached bumps
                  // an item a refused `add` ran into)
};
enum class PutResult {
  kStored,
  kKept,       // the planner said kKeep or kKeepAndTouch
  kTooLarge,   // over max_item_size or the whole budget: nothing changed
  kNoMemory,   // no room could be made (-M, or nothing left to evict): nothing changed
};

// How an in-place edit (Store::modify) counts as a use of the item.
enum class Bump : std::uint8_t {
  kNone,    // not at all: a peek with side effects (meta `mg` with q/k only, `md I`)
  kPolicy,  // the policy hears of it (on_hit), nothing is counted: incr/decr in place
  kRead,    // a read, as get(): a hit is counted, the item marked fetched, its access time
            // stamped, and the policy told
};

// What of an item may change in place (no copy, no new allocation): Store::modify.
struct ItemMeta {
  std::uint64_t cas;
  Tick exptime;
  bool stale;
  bool token_sent;
  bool fetched;
  Tick last_access;        // the tick of the last access (kept mod 2^15: Item::stamp_access)
  bool binary_key;         // the key came in base64 (meta `b`)
  // The value's bytes, writable in place (its length cannot change); empty when the store keeps
  // sizes only.
  std::span<char> value;
  bool fresh_cas = false;  // set by the editor: take the next CAS of the store's sequence
  Bump bump = Bump::kNone; // set by the editor
};

struct StoreStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t expired_misses = 0;    // lookups that found an expired item (memcached's get_expired)
  std::uint64_t evictions = 0;         // live items removed to make room
  std::uint64_t expirations = 0;       // expired items reclaimed (lazily or proactively)
  std::uint64_t expired_unfetched = 0; // of those, never read after being stored
  std::uint64_t evicted_unfetched = 0;
  std::uint64_t curr_items = 0;
  std::uint64_t bytes = 0;             // charged bytes (or objects) in use
  std::uint64_t total_items = 0;       // items ever stored
  std::uint64_t refused_too_large = 0;

  StoreStats& operator+=(const StoreStats& o) noexcept;
};

// One simulator request. Inputs first; the store fills `hit` and `copy_version`.
struct Access {
  enum class Op : std::uint8_t {
    kRead,    // lookup; on a miss, fill with (size, exptime, version): demand-fill
    kSet,     // insert or replace with (size, exptime, version)
    kUpdate,  // replace only if present (update-on-write)
    kDelete,  // remove if present
    kLookup,  // lookup only, counted as a hit or a miss; the caller fills later with kSet (a near
              // cache learns the version of its copy from the tier below it)
  };
  std::uint64_t key;
  std::uint64_t version;
  Tick now;
  Tick exptime;          // absolute; kNever for no expiry
  std::uint32_t size;
  Op op;
  // The index of this key's next request (UINT64_MAX = never): only the offline optimum (belady)
  // reads it; the simulator fills it from the trace or a backward pass.
  std::uint64_t next_access;
  bool hit;              // out: the key was present and live
  std::uint64_t copy_version;  // out: on a read hit, the version of the cached copy
};

class Store {
 public:
  virtual ~Store() = default;

  using ItemVisitor = FunctionRef<void(const Item&)>;

  // Looks up a live item, counts a hit or a miss, tells the policy, and hands the item to
  // `found` (valid only during the call). Returns false on a miss.
  virtual bool get(KeyRef key, Tick now, ItemVisitor found) = 0;
  // A hint, callable from any thread without the store's lock: starts loading the index slot a
  // get of `key` will read first. A multi-get hints all its keys before looking any up, so their
  // cache misses overlap instead of queueing (28% of the server's CPU in 16-key gets went to two
  // such misses per key; docs/BENCHMARKS.md).
  virtual void prefetch(KeyRef key) const noexcept { (void)key; }
  // Like get, but first sets a new expiry (gat/touch). `found` may be empty via touch().
  virtual bool get_and_touch(KeyRef key, Tick now, Tick exptime, ItemVisitor found) = 0;
  bool touch(KeyRef key, Tick now, Tick exptime) {
    return get_and_touch(key, now, exptime, [](const Item&) {});
  }
  // Reads without counting or touching the policy (meta commands' peeks, snapshot, tests).
  virtual bool peek(KeyRef key, Tick now, ItemVisitor found) = 0;
  // Changes a live item in place: its CAS, expiry, marks and value bytes (not their length).
  // `edit` sees the item and its metadata and may change the latter. Counts nothing and does not
  // bump the item unless the editor asks (ItemMeta::bump); the policy hears of an expiry change
  // (expiry-ordered policies re-sort). `*cas_out` (if given) receives the item's CAS after the
  // edit. Returns false on a miss.
  using MetaEditor = FunctionRef<void(const Item&, ItemMeta&)>;
  virtual bool modify(KeyRef key, Tick now, MetaEditor edit, std::uint64_t* cas_out = nullptr) = 0;

  // Insert-or-replace, the one way an item is written. The store finds the key's live item and
  // hands it (or nullptr) to `plan`, which decides under the same lookup: the protocol's rules
  // (add, replace, cas, append...) live in the planner, not here. On kStored `*cas_out` (if given)
  // receives the new item's CAS. The new item replaces the live one as the policy sees it
  // (on_update); a too-large or unplaceable write changes nothing.
  using PutPlanner = FunctionRef<PutPlan(const Item* live, NewItem& item)>;
  virtual PutResult put(KeyRef key, Tick now, PutPlanner plan, std::uint64_t* cas_out = nullptr) = 0;
  // put() without conditions: stores `item` whatever the key held.
  PutResult put(KeyRef key, const NewItem& item, Tick now, std::uint64_t* cas_out = nullptr) {
    return put(key, now, [&](const Item*, NewItem& out) { out = item; return PutPlan::kWrite; }, cas_out);
  }
  // Removes the key's live item. Returns false if there was none.
  virtual bool remove(KeyRef key, Tick now) = 0;

  // Drops every item now.
  virtual void flush() = 0;
  // Reclaims expired items without waiting for a lookup: visits up to `max_buckets` index
  // buckets from a rolling cursor. Returns the number reclaimed.
  virtual std::size_t reclaim_expired(Tick now, std::size_t max_buckets) = 0;
  // Visits every live item (snapshot).
  virtual void for_each(Tick now, ItemVisitor visit) const = 0;
  // Moves every time the store holds `delta` ticks back, as its caller's clock is about to be
  // (the simulator keeps 32-bit ticks over traces of any span by moving its epoch). Expiries at or
  // before `delta` become 1 (expired: they stay expired), kNever and kFarExpiry stay. `delta` must
  // be a multiple of kTimeShiftQuantum: a whole number of the policies' minutes (redis-lfu's
  // decay, at 1000 ticks a second) and of the 2^15-tick wrap of the last-access stamp, so that
  // every difference of times the store keeps is unchanged.
  static constexpr Tick kTimeShiftQuantum = 61'440'000;  // = 1875 * 2^15 = 1024 * 60000
  virtual void shift_time(Tick delta) = 0;

  // Simulator fast path: applies the accesses in order.
  virtual void access_batch(std::span<Access> batch) = 0;

  virtual StoreStats stats() const = 0;
  // The policy's own counters, if it keeps any (a policy module's optional stats callback):
  // name and value pairs, shown by the server's `stats` as policy_NAME.
  virtual std::vector<std::pair<std::string, std::uint64_t>> policy_stats() const { return {}; }
  virtual void reset_stats() = 0;
  virtual const StoreConfig& config() const = 0;
  virtual std::string_view policy_name() const = 0;
};

// Creates a store with the named policy. Throws std::invalid_argument for an unknown policy or
// bad policy arguments (the message says which).
std::unique_ptr<Store> make_store(std::string_view policy, const StoreConfig& config,
                                  const PolicyArgs& args = {});

}  // namespace cachelab
