// The store's command semantics: expiry (lazy and proactive), cas, incr/decr, size limits,
// the budget, and the sharded form.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <set>
#include <thread>

#include "cachelab/sharded_store.h"
#include "cachelab/store.h"
#include "store_test_util.h"

using namespace cachelab;
using cachelab::test::key_of;

namespace {

std::unique_ptr<Store> value_store(std::uint64_t capacity = 1 << 20, const char* policy = "lru") {
  return make_store(policy, StoreConfig{.capacity = capacity, .overhead_bytes = kItemOverheadBytes,
                                        .max_item_size = 1024});
}

std::string get_value(Store& s, const std::string& key, Tick now) {
  std::string out = "<miss>";
  s.get(key_of(key), now, [&](const Item& it) { out = std::string(it.value()); });
  return out;
}

StoreResult set(Store& s, const std::string& key, std::string_view value, Tick exptime, Tick now,
                StoreMode mode = StoreMode::kSet, std::uint64_t cas = 0) {
  return s.store(mode, key_of(key), value, 0, exptime, cas, now);
}

}  // namespace

TEST_CASE("store: set, get, add, replace, append, prepend", "[engine][store]") {
  auto s = value_store();
  CHECK(set(*s, "k", "v1", 0, 1) == StoreResult::kStored);
  CHECK(get_value(*s, "k", 1) == "v1");
  CHECK(set(*s, "k", "x", 0, 1, StoreMode::kAdd) == StoreResult::kNotStored);
  CHECK(set(*s, "new", "x", 0, 1, StoreMode::kAdd) == StoreResult::kStored);
  CHECK(set(*s, "absent", "x", 0, 1, StoreMode::kReplace) == StoreResult::kNotStored);
  CHECK(set(*s, "k", "v2", 0, 1, StoreMode::kReplace) == StoreResult::kStored);
  CHECK(set(*s, "k", "++", 0, 1, StoreMode::kAppend) == StoreResult::kStored);
  CHECK(set(*s, "k", "--", 0, 1, StoreMode::kPrepend) == StoreResult::kStored);
  CHECK(get_value(*s, "k", 1) == "--v2++");
  CHECK(set(*s, "absent", "x", 0, 1, StoreMode::kAppend) == StoreResult::kNotStored);
  const StoreStats st = s->stats();
  CHECK(st.curr_items == 2);
  CHECK(st.hits == 2);
  // Charged: key + value + 56 bytes of overhead per item.
  CHECK(st.bytes == (1 + 6 + kItemOverheadBytes) + (3 + 1 + kItemOverheadBytes));
}

TEST_CASE("store: append keeps the original flags and expiry", "[engine][store]") {
  auto s = value_store();
  REQUIRE(s->store(StoreMode::kSet, key_of("k"), "a", 42, 100, 0, 1) == StoreResult::kStored);
  REQUIRE(s->store(StoreMode::kAppend, key_of("k"), "b", 7, 0, 0, 1) == StoreResult::kStored);
  s->get(key_of("k"), 1, [](const Item& it) {
    CHECK(it.flags == 42);
    CHECK(it.exptime == 100);
  });
  CHECK(get_value(*s, "k", 100) == "<miss>");
}

TEST_CASE("store: cas succeeds only on the current version", "[engine][store][cas]") {
  auto s = value_store();
  std::uint64_t cas1 = 0, cas2 = 0;
  REQUIRE(s->store(StoreMode::kSet, key_of("k"), "a", 0, 0, 0, 1, &cas1) == StoreResult::kStored);
  CHECK(set(*s, "k", "b", 0, 1, StoreMode::kCas, cas1 + 1) == StoreResult::kExists);
  CHECK(s->store(StoreMode::kCas, key_of("k"), "b", 0, 0, cas1, 1, &cas2) == StoreResult::kStored);
  CHECK(cas2 != cas1);
  CHECK(set(*s, "k", "c", 0, 1, StoreMode::kCas, cas1) == StoreResult::kExists);
  CHECK(set(*s, "none", "c", 0, 1, StoreMode::kCas, cas1) == StoreResult::kNotFound);
  CHECK(get_value(*s, "k", 1) == "b");
  CHECK(s->remove(key_of("k"), 1, cas1) == DeleteResult::kExists);
  CHECK(s->remove(key_of("k"), 1, cas2) == DeleteResult::kDeleted);
  CHECK(s->remove(key_of("k"), 1) == DeleteResult::kNotFound);
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

TEST_CASE("store: incr and decr edge cases", "[engine][store][arith]") {
  auto s = value_store();
  std::uint64_t v = 0;
  set(*s, "n", "18446744073709551615", 0, 1);  // 2^64 - 1: twenty digits
  CHECK(s->arith(key_of("n"), true, 1, 1, &v) == ArithResult::kOk);
  CHECK(v == 0);  // wraps
  CHECK(get_value(*s, "n", 1) == "0" + std::string(19, ' '));  // in place, padded as memcached
  CHECK(s->arith(key_of("n"), false, 5, 1, &v) == ArithResult::kOk);
  CHECK(v == 0);  // decr stops at zero
  set(*s, "n", "100", 0, 1);
  CHECK(s->arith(key_of("n"), false, 1, 1, &v) == ArithResult::kOk);
  CHECK(get_value(*s, "n", 1) == "99 ");  // shrinks in place, padded with a space (memcached: "99 ")
  CHECK(s->arith(key_of("n"), true, 18446744073709551615ull, 1, &v) == ArithResult::kOk);
  CHECK(v == 98);
  set(*s, "t", "12a", 0, 1);
  CHECK(s->arith(key_of("t"), true, 1, 1, &v) == ArithResult::kNonNumeric);
  set(*s, "big", "18446744073709551616", 0, 1);  // 2^64 does not fit
  CHECK(s->arith(key_of("big"), true, 1, 1, &v) == ArithResult::kNonNumeric);
  CHECK(s->arith(key_of("none"), true, 1, 1, &v) == ArithResult::kNotFound);
}

TEST_CASE("store: parse_u64", "[engine][store][arith]") {
  std::uint64_t v = 0;
  CHECK(parse_u64("0", &v));
  CHECK(v == 0);
  CHECK(parse_u64("18446744073709551615", &v));
  CHECK(v == UINT64_MAX);
  CHECK_FALSE(parse_u64("18446744073709551616", &v));
  CHECK_FALSE(parse_u64("", &v));
  CHECK_FALSE(parse_u64("-1", &v));
  CHECK_FALSE(parse_u64("12a", &v));
  CHECK_FALSE(parse_u64(" ", &v));
  CHECK(parse_u64(std::string_view("6\0x", 3), &v));  // memcached's strtoull stops at the zero byte
  CHECK(v == 6);
  // As memcached's safe_strtoull over a value: blanks around, a sign, leading zeros.
  CHECK(parse_u64("1 ", &v));
  CHECK(v == 1);
  CHECK(parse_u64(" +7  ", &v));
  CHECK(v == 7);
  CHECK(parse_u64("-0", &v));
  CHECK(v == 0);
  CHECK(parse_u64("000000000000000000001", &v));
  CHECK(v == 1);
}

TEST_CASE("store: an item over the max size is refused and the old value removed", "[engine][store]") {
  auto s = value_store();
  set(*s, "k", "old", 0, 1);
  CHECK(set(*s, "k", std::string(1025, 'x'), 0, 1) == StoreResult::kTooLarge);
  CHECK(get_value(*s, "k", 1) == "<miss>");
  CHECK(set(*s, "k", std::string(1024, 'x'), 0, 1) == StoreResult::kStored);
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
  auto s = make_store("lru", StoreConfig{.capacity = 2 * item, .overhead_bytes = kItemOverheadBytes,
                                         .evictions_enabled = false});
  CHECK(set(*s, "a", "v", 0, 1) == StoreResult::kStored);
  CHECK(set(*s, "b", "v", 5, 1) == StoreResult::kStored);
  CHECK(set(*s, "c", "v", 0, 1) == StoreResult::kNoMemory);
  CHECK(set(*s, "c", "v", 0, 6) == StoreResult::kStored);  // b expired: its room is reused
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

TEST_CASE("store: restore keeps the CAS and later CAS values stay above it", "[engine][store]") {
  auto s = value_store();
  REQUIRE(s->restore(key_of("k"), "v", 3, 0, 1000, 1) == StoreResult::kStored);
  s->get(key_of("k"), 1, [](const Item& it) {
    CHECK(it.cas == 1000);
    CHECK(it.flags == 3);
  });
  std::uint64_t cas = 0;
  s->store(StoreMode::kSet, key_of("x"), "v", 0, 0, 0, 1, &cas);
  CHECK(cas > 1000);
  CHECK(s->restore(key_of("gone"), "v", 0, 5, 1, 6) == StoreResult::kNotStored);  // already expired
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
          s.store(StoreMode::kSet, ShardedStore::key(k), k, 0, 0, 0, 1);
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
    store.with_shard(ShardedStore::key(k), [&](Store& s) { s.store(StoreMode::kSet, ShardedStore::key(k), k, 0, 0, 0, 1); });
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
  REQUIRE(lirs->store(StoreMode::kSet, key_of("k"), "vv", 0, 0, 0, 1) == StoreResult::kStored);
  CHECK(lirs->stats().bytes == 1 + 2 + kItemOverheadBytes + 96);
  // The simulator's sizes-only mode charges what the scenario says, nothing hidden.
  auto sim = make_store("lirs", StoreConfig{.capacity = 1 << 20, .store_values = false});
  Access a{};
  a.key = 1, a.size = 100, a.now = 1, a.op = Access::Op::kRead;
  sim->access_batch({&a, 1});
  CHECK(sim->stats().bytes == 100);
}
