// The store's primitives: put with its planner, modify, remove, expiry (lazy and proactive), size
// limits, the budget, and the sharded form. memcached's command rules built on them are tested in
// tests/protocol/test_store_modes.cpp.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <set>
#include <thread>

#include "cachelab/sharded_store.h"
#include "cachelab/store.h"
#include "store_test_util.h"

using namespace cachelab;
using cachelab::test::get_value;
using cachelab::test::key_of;
using cachelab::test::value_store;

namespace {

PutResult set(Store& s, const std::string& key, std::string_view value, Tick exptime, Tick now) {
  return s.put(key_of(key), NewItem{.value = value, .exptime = exptime}, now);
}

}  // namespace

TEST_CASE("store: put writes what its planner decides, under one lookup", "[engine][store]") {
  auto s = value_store();
  CHECK(set(*s, "k", "v1", 0, 1) == PutResult::kStored);
  CHECK(get_value(*s, "k", 1) == "v1");
  // The planner sees the live item (or none) and may keep it.
  const Item* seen = nullptr;
  bool called = false;
  CHECK(s->put(key_of("k"), 1, [&](const Item* live, NewItem&) {
    called = true;
    seen = live;
    return PutPlan::kKeep;
  }) == PutResult::kKept);
  CHECK(called);
  REQUIRE(seen != nullptr);
  CHECK(s->put(key_of("absent"), 1, [&](const Item* live, NewItem&) {
    seen = live;
    return PutPlan::kKeep;
  }) == PutResult::kKept);
  CHECK(seen == nullptr);
  CHECK(s->stats().curr_items == 1);
  // A value in two parts, one of them the live item's own bytes (append without a copy).
  std::uint64_t cas = 0;
  CHECK(s->put(key_of("k"), 1, [&](const Item* live, NewItem& item) {
    item.value = live->value();
    item.value_tail = "++";
    item.flags = 7;
    item.exptime = 50;
    item.stale = true;
    return PutPlan::kWrite;
  }, &cas) == PutResult::kStored);
  CHECK(cas != 0);
  s->peek(key_of("k"), 1, [&](const Item& it) {
    CHECK(it.value() == "v1++");
    CHECK(it.flags == 7);
    CHECK(it.exptime == 50);
    CHECK(it.stale == 1);
    CHECK(it.token_sent == 0);
    CHECK(it.cas == cas);
  });
  CHECK(s->remove(key_of("k"), 1));
  CHECK_FALSE(s->remove(key_of("k"), 1));
  const StoreStats st = s->stats();
  CHECK(st.curr_items == 0);
  CHECK(st.total_items == 2);
  CHECK(st.hits == 1);
}

TEST_CASE("store: modify edits a value in place and can take a fresh CAS", "[engine][store]") {
  auto s = value_store();
  std::uint64_t cas1 = 0, cas2 = 0;
  REQUIRE(s->put(key_of("k"), NewItem{.value = "abc"}, 1, &cas1) == PutResult::kStored);
  CHECK(s->modify(key_of("k"), 1, [](const Item&, ItemMeta& meta) {
    REQUIRE(meta.value.size() == 3);
    meta.value[0] = 'x';
    meta.fresh_cas = true;
  }, &cas2));
  CHECK(cas2 > cas1);
  CHECK(get_value(*s, "k", 1) == "xbc");
  CHECK(s->stats().hits == 1);  // only the get counted: modify counts nothing unless asked
  CHECK(s->modify(key_of("k"), 1, [](const Item&, ItemMeta& meta) { meta.bump = Bump::kRead; }));
  CHECK(s->stats().hits == 2);
  CHECK_FALSE(s->modify(key_of("none"), 1, [](const Item&, ItemMeta&) {}));
}

TEST_CASE("store: lazy expiry on lookup", "[engine][store][expiry]") {
  auto s = value_store();
  set(*s, "k", "v", 10, 1);
  CHECK(get_value(*s, "k", 9) == "v");
  CHECK(get_value(*s, "k", 10) == "<miss>");
  const StoreStats st = s->stats();
  CHECK(st.expirations == 1);
  CHECK(st.expired_misses == 1);
  CHECK(st.expired_unfetched == 0);  // it was read once before it expired
  CHECK(st.curr_items == 0);
  CHECK(st.bytes == 0);
}

TEST_CASE("store: proactive expiry reclaims items nobody looks up", "[engine][store][expiry]") {
  auto s = value_store();
  for (int i = 0; i < 3000; ++i) set(*s, "short" + std::to_string(i), "v", 50, 1);
  for (int i = 0; i < 100; ++i) set(*s, "long" + std::to_string(i), "v", 0, 1);
  CHECK(s->reclaim_expired(49, 1 << 20) == 0);
  std::size_t reclaimed = 0;
  // The crawler visits a bounded number of buckets per call; enough calls cover the index.
  for (int round = 0; round < 64; ++round) reclaimed += s->reclaim_expired(60, 256);
  CHECK(reclaimed == 3000);
  const StoreStats st = s->stats();
  CHECK(st.curr_items == 100);
  CHECK(st.expirations == 3000);
  CHECK(st.expired_unfetched == 3000);
}

TEST_CASE("store: expired items are reclaimed before any live item is evicted", "[engine][store][expiry]") {
  // Budget for 4 items of this size under lru; the two expired ones are oldest-used.
  const std::uint64_t item = 1 + 1 + kItemOverheadBytes;
  auto s = value_store(4 * item);
  set(*s, "a", "v", 5, 1);
  set(*s, "b", "v", 5, 1);
  set(*s, "c", "v", 0, 1);
  set(*s, "d", "v", 0, 1);
  set(*s, "e", "v", 0, 10);
  set(*s, "f", "v", 0, 10);
  const StoreStats st = s->stats();
  CHECK(st.evictions == 0);
  CHECK(st.expirations == 2);
  CHECK(get_value(*s, "c", 10) == "v");
  CHECK(get_value(*s, "d", 10) == "v");
}

TEST_CASE("store: an item over the max size is refused and nothing changes", "[engine][store]") {
  auto s = value_store();
  set(*s, "k", "old", 0, 1);
  CHECK(set(*s, "k", std::string(1025, 'x'), 0, 1) == PutResult::kTooLarge);
  CHECK(s->stats().refused_too_large == 1);
  CHECK(get_value(*s, "k", 1) == "old");  // removing it is the protocol's rule (a set), not the store's
  CHECK(set(*s, "k", std::string(1024, 'x'), 0, 1) == PutResult::kStored);
}

TEST_CASE("store: an item larger than the whole budget is refused", "[engine][store]") {
  auto s = make_store("lru", StoreConfig{.capacity = 100, .store_values = false});
  Access a{};
  a.key = 1, a.size = 101, a.now = 1, a.op = Access::Op::kRead;
  s->access_batch({&a, 1});
  CHECK(s->stats().curr_items == 0);
  CHECK(s->stats().refused_too_large == 1);
  a.size = 100;
  s->access_batch({&a, 1});
  CHECK(s->stats().curr_items == 1);
  CHECK(s->stats().bytes == 100);
}

TEST_CASE("store: the budget is never exceeded in value mode", "[engine][store]") {
  const std::uint64_t cap = 10'000;
  auto s = value_store(cap, "lfu");
  for (int i = 0; i < 2000; ++i) {
    set(*s, "key" + std::to_string(i % 300), std::string(static_cast<std::size_t>(i % 200), 'v'), 0, 1);
    REQUIRE(s->stats().bytes <= cap);
  }
  CHECK(s->stats().evictions > 0);
}

TEST_CASE("store: with evictions disabled a full store refuses", "[engine][store]") {
  const std::uint64_t item = 1 + 1 + kItemOverheadBytes;
  auto s = cachelab::test::store_without_evictions(2 * item);
  CHECK(set(*s, "a", "v", 0, 1) == PutResult::kStored);
  CHECK(set(*s, "b", "v", 5, 1) == PutResult::kStored);
  CHECK(set(*s, "c", "v", 0, 1) == PutResult::kNoMemory);
  CHECK(set(*s, "c", "v", 0, 6) == PutResult::kStored);  // b expired: its room is reused
  CHECK(s->stats().evictions == 0);
}

TEST_CASE("store: flush drops everything", "[engine][store]") {
  auto s = value_store();
  for (int i = 0; i < 50; ++i) set(*s, std::to_string(i), "v", 0, 1);
  s->flush();
  CHECK(s->stats().curr_items == 0);
  CHECK(s->stats().bytes == 0);
  CHECK(get_value(*s, "1", 1) == "<miss>");
  set(*s, "1", "w", 0, 1);
  CHECK(get_value(*s, "1", 1) == "w");
}

TEST_CASE("store: a put with a CAS keeps it and later CAS values stay above it", "[engine][store]") {
  auto s = value_store();
  REQUIRE(s->put(key_of("k"), NewItem{.value = "v", .flags = 3, .cas = 1000}, 1) == PutResult::kStored);
  s->get(key_of("k"), 1, [](const Item& it) {
    CHECK(it.cas == 1000);
    CHECK(it.flags == 3);
  });
  std::uint64_t cas = 0;
  s->put(key_of("x"), NewItem{.value = "v"}, 1, &cas);
  CHECK(cas > 1000);
}

TEST_CASE("sharded store: splits the budget, keeps CAS unique, is safe across threads", "[engine][sharded]") {
  ShardedStore store("lru", StoreConfig{.capacity = 64 << 20, .overhead_bytes = kItemOverheadBytes}, {}, 8);
  CHECK(store.shard_count() == 8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < 5000; ++i) {
        const std::string k = "t" + std::to_string(t) + ":" + std::to_string(i);
        store.with_shard(ShardedStore::key(k), [&](Store& s) {
          s.put(ShardedStore::key(k), NewItem{.value = k}, 1);
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(store.stats().curr_items == 20000);
  std::set<std::uint64_t> cas;
  store.each_shard([&](const Store& s) { s.for_each(1, [&](const Item& it) { cas.insert(it.cas); }); });
  CHECK(cas.size() == 20000);
  // A small budget uses fewer shards so that each can still hold -I sized items.
  ShardedStore small("lru", StoreConfig{.capacity = 1 << 20, .max_item_size = 1 << 20}, {}, 8);
  CHECK(small.shard_count() == 1);
}

TEST_CASE("sharded store: prefetch hints from other threads while the index grows, and change nothing", "[engine][sharded]") {
  // Run under TSan (make tsan-server): a prefetch reads the index's place without the shard's
  // lock, while inserts double the index under it. It must be a race-free hint: no item, count or
  // lookup result may change because of it.
  ShardedStore store("lru", StoreConfig{.capacity = 64 << 20, .overhead_bytes = kItemOverheadBytes}, {}, 2);
  std::atomic<bool> done{false};
  std::thread hinter([&] {
    std::uint64_t n = 0;
    while (!done.load()) store.prefetch(ShardedStore::key("k" + std::to_string(n++ % 50000)));
  });
  for (int i = 0; i < 50000; ++i) {  // grows each shard's index from its initial size many times
    const std::string k = "k" + std::to_string(i);
    store.with_shard(ShardedStore::key(k), [&](Store& s) { s.put(ShardedStore::key(k), NewItem{.value = k}, 1); });
  }
  done = true;
  hinter.join();
  CHECK(store.stats().curr_items == 50000);
  for (int i = 0; i < 50000; i += 997) {
    const std::string k = "k" + std::to_string(i);
    store.prefetch(ShardedStore::key(k));
    std::string value;
    const bool hit = store.with_shard(ShardedStore::key(k), [&](Store& s) {
      return s.get(ShardedStore::key(k), 1, [&](const Item& it) { value = std::string(it.value()); });
    });
    CHECK(hit);
    CHECK(value == k);
  }
  CHECK_FALSE(store.with_shard(ShardedStore::key("absent"), [&](Store& s) { return s.get(ShardedStore::key("absent"), 1, [](const Item&) {}); }));
}

TEST_CASE("store: a policy's own per-item bookkeeping is charged in the server", "[engine][store]") {
  // lirs keeps a stack node and an index node per block: 96 bytes on top of the item's 56.
  auto lirs = make_store("lirs", StoreConfig{.capacity = 1 << 20, .overhead_bytes = kItemOverheadBytes});
  REQUIRE(lirs->put(key_of("k"), NewItem{.value = "vv"}, 1) == PutResult::kStored);
  CHECK(lirs->stats().bytes == 1 + 2 + kItemOverheadBytes + 96);
  // The simulator's sizes-only mode charges what the scenario says, nothing hidden.
  auto sim = make_store("lirs", StoreConfig{.capacity = 1 << 20, .store_values = false});
  Access a{};
  a.key = 1, a.size = 100, a.now = 1, a.op = Access::Op::kRead;
  sim->access_batch({&a, 1});
  CHECK(sim->stats().bytes == 100);
}
