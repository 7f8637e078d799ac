// Each policy's exact victim order on hand-written sequences, and lru/fifo against a reference
// model on a long randomized sequence.
#include <catch2/catch.hpp>
#include <list>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "cachelab/policy_registry.h"
#include "cachelab/store.h"
#include "store_test_util.h"

using namespace cachelab;
using cachelab::test::ObjectCache;

TEST_CASE("policies: the four base policies are registered with a description", "[engine][policy]") {
  for (const char* name : {"lru", "lfu", "ttl", "fifo"}) {
    const PolicyInfo* p = PolicyRegistry::instance().find(name);
    REQUIRE(p != nullptr);
    CHECK_FALSE(p->description.empty());
  }
  CHECK(PolicyRegistry::instance().find("nope") == nullptr);
  CHECK_THROWS_WITH(make_store("nope", StoreConfig{}), Catch::Contains("unknown policy 'nope'"));
  CHECK_THROWS_WITH(make_store("lru", StoreConfig{}, {{"segments", "4"}}),
                    Catch::Contains("policy lru has no argument 'segments'"));
}

TEST_CASE("lru: evicts the least recently used", "[engine][policy][lru]") {
  ObjectCache c("lru", 3);
  c.read(1), c.read(2), c.read(3);
  c.read(1);  // 2 is now least recent
  c.read(4);
  CHECK(c.contents() == std::vector<std::uint64_t>{1, 3, 4});
  c.read(3);
  c.read(5);  // evicts 1
  CHECK(c.contents() == std::vector<std::uint64_t>{3, 4, 5});
  CHECK(c.store->stats().evictions == 2);
}

TEST_CASE("fifo: evicts in insertion order, hits change nothing", "[engine][policy][fifo]") {
  ObjectCache c("fifo", 3);
  c.read(1), c.read(2), c.read(3);
  c.read(1), c.read(1);
  c.read(4);  // evicts 1 despite its hits
  CHECK(c.contents() == std::vector<std::uint64_t>{2, 3, 4});
  c.read(5);
  CHECK(c.contents() == std::vector<std::uint64_t>{3, 4, 5});
}

TEST_CASE("lfu: least frequent first, ties to the least recent", "[engine][policy][lfu]") {
  ObjectCache c("lfu", 3);
  c.read(1), c.read(2), c.read(3);
  c.read(1), c.read(1), c.read(3);  // freq: 1->3, 2->1, 3->2
  c.read(4);                        // evicts 2 (freq 1)
  CHECK(c.contents() == std::vector<std::uint64_t>{1, 3, 4});
  c.read(5);  // 4 has freq 1 -> evicted
  CHECK(c.contents() == std::vector<std::uint64_t>{1, 3, 5});
  c.read(5);  // 3 and 5 both freq 2; 3 less recent
  c.read(6);
  CHECK(c.contents() == std::vector<std::uint64_t>{1, 5, 6});
}

TEST_CASE("ttl: soonest expiry first, then items without expiry oldest first", "[engine][policy][ttl]") {
  ObjectCache c("ttl", 3);
  c.read(1, /*exptime=*/0);
  c.read(2, 500);
  c.read(3, 300);
  c.read(4, 0);  // evicts 3 (expires soonest)
  CHECK(c.contents() == std::vector<std::uint64_t>{1, 2, 4});
  c.read(5, 0);  // evicts 2
  CHECK(c.contents() == std::vector<std::uint64_t>{1, 4, 5});
  c.read(6, 0);  // none expire: oldest first -> 1
  CHECK(c.contents() == std::vector<std::uint64_t>{4, 5, 6});
}

TEST_CASE("ttl: touching an item re-files it under its new expiry", "[engine][policy][ttl]") {
  auto s = make_store("ttl", StoreConfig{.capacity = 3, .count_objects = true});
  const Tick now = 10;
  for (std::string k : {"a", "b", "c"}) s->put(KeyRef{k, hash_key(k)}, NewItem{.value = "v", .exptime = 100}, now);
  std::string a = "a";
  REQUIRE(s->touch({a, hash_key(a)}, now, 1000));
  std::string d = "d";
  s->put({d, hash_key(d)}, NewItem{.value = "v", .exptime = 100}, now);  // evicts b (first of exptime 100)
  CHECK(s->peek({a, hash_key(a)}, now, [](const Item&) {}));
  std::string b = "b";
  CHECK_FALSE(s->peek({b, hash_key(b)}, now, [](const Item&) {}));
}

namespace {

// A plain reference LRU/FIFO over a byte budget: std::list + std::unordered_map.
struct ReferenceCache {
  ReferenceCache(bool is_lru, std::uint64_t cap) : lru(is_lru), capacity(cap) {}
  bool lru;
  std::uint64_t capacity;
  std::uint64_t used = 0;
  std::list<std::pair<std::uint64_t, std::uint32_t>> order;  // front = next victim
  std::unordered_map<std::uint64_t, decltype(order)::iterator> index;
  std::uint64_t hits = 0, misses = 0, evictions = 0;

  void read(std::uint64_t key, std::uint32_t size) {
    auto found = index.find(key);
    if (found != index.end()) {
      ++hits;
      if (lru) order.splice(order.end(), order, found->second);
      return;
    }
    ++misses;
    if (size > capacity) return;
    while (used + size > capacity) {
      auto [victim, vsize] = order.front();
      order.pop_front();
      index.erase(victim);
      used -= vsize;
      ++evictions;
    }
    order.emplace_back(key, size);
    index[key] = std::prev(order.end());
    used += size;
  }
  void remove(std::uint64_t key) {
    auto found = index.find(key);
    if (found == index.end()) return;
    used -= found->second->second;
    order.erase(found->second);
    index.erase(found);
  }
};

void compare_with_reference(const char* policy) {
  const std::uint64_t capacity = 200'000;
  auto store = make_store(policy, StoreConfig{.capacity = capacity, .store_values = false});
  ReferenceCache ref(std::string(policy) == "lru", capacity);
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::uint64_t> key_dist(1, 5000);
  std::uniform_int_distribution<std::uint32_t> size_dist(1, 2000);
  std::uniform_int_distribution<int> op_dist(0, 99);
  // Each key keeps one size (a hit does not change the cached size, as in libCacheSim).
  std::unordered_map<std::uint64_t, std::uint32_t> sizes;
  std::vector<Access> batch;
  std::uint64_t max_used = 0;
  for (int i = 0; i < 1'000'000; ++i) {
    const std::uint64_t key = key_dist(rng);
    auto [pos, fresh] = sizes.try_emplace(key, 0);
    if (fresh) pos->second = size_dist(rng);
    const bool del = op_dist(rng) < 3;
    Access a{};
    a.key = key;
    a.size = pos->second;
    a.now = 1;
    a.op = del ? Access::Op::kDelete : Access::Op::kRead;
    batch.push_back(a);
    if (del) ref.remove(key); else ref.read(key, pos->second);
    if (batch.size() == 1000) {
      store->access_batch(batch);
      batch.clear();
      max_used = std::max(max_used, store->stats().bytes);
      REQUIRE(store->stats().bytes == ref.used);
    }
  }
  store->access_batch(batch);
  const StoreStats s = store->stats();
  CHECK(s.hits == ref.hits);
  CHECK(s.misses == ref.misses);
  CHECK(s.evictions == ref.evictions);
  CHECK(s.curr_items == ref.index.size());
  CHECK(max_used <= capacity);
  CHECK(ref.evictions > 100'000);  // the sequence really exercises eviction
}

}  // namespace

TEST_CASE("lru: matches a reference model over 1M random operations", "[engine][policy][lru][reference]") {
  compare_with_reference("lru");
}

TEST_CASE("fifo: matches a reference model over 1M random operations", "[engine][policy][fifo][reference]") {
  compare_with_reference("fifo");
}

TEST_CASE("redis-lru: with as many samples as items it is exact LRU", "[engine][policy][redis]") {
  // With samples >= the number of items, every sample round sees the least recent item.
  auto s = make_store("redis-lru", StoreConfig{.capacity = 4, .count_objects = true, .store_values = false},
                      {{"samples", "64"}});
  cachelab::test::ObjectCache c("lru", 4);
  c.store = std::move(s);
  for (std::uint64_t k : {1, 2, 3, 4}) c.read(k);
  c.read(1), c.read(3);
  c.read(5);  // evicts 2
  CHECK(c.contents() == std::vector<std::uint64_t>{1, 3, 4, 5});
  c.read(6);  // evicts 4
  CHECK(c.contents() == std::vector<std::uint64_t>{1, 3, 5, 6});
}

TEST_CASE("redis-lfu: a frequently read key survives a stream of new keys", "[engine][policy][redis]") {
  cachelab::test::ObjectCache c("lfu", 8);
  c.store = make_store("redis-lfu", StoreConfig{.capacity = 8, .count_objects = true, .store_values = false});
  for (int i = 0; i < 200; ++i) c.read(1);  // the log counter climbs well above the initial 5
  int survived = 0;
  for (std::uint64_t k = 100; k < 1100; ++k) {
    c.read(k);
    survived += c.contains(1);
  }
  CHECK(survived == 1000);
  CHECK_THROWS_WITH(make_store("redis-lfu", StoreConfig{}, {{"log_factor", "x"}}),
                    Catch::Contains("log_factor=x is not a number"));
}
