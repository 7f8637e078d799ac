// The exact victim order of the policies beyond the base four, on small hand-written sequences,
// and the scan resistance that is the point of several of them.
#include <catch2/catch.hpp>
#include <vector>

#include "store_test_util.h"

using cachelab::test::ObjectCache;
using Keys = std::vector<std::uint64_t>;

TEST_CASE("clock: referenced items get a second chance", "[engine][policy][clock]") {
  ObjectCache c("clock", 3);
  c.read(1), c.read(2), c.read(3);
  c.read(1);  // 1 referenced
  c.read(4);  // hand: 1 referenced -> cleared, to the back; 2 evicted
  CHECK(c.contents() == Keys{1, 3, 4});
  c.read(5);  // 3 evicted (1 lost its bit)
  CHECK(c.contents() == Keys{1, 4, 5});
  c.read(6);  // 1 evicted now
  CHECK(c.contents() == Keys{4, 5, 6});
}

TEST_CASE("sieve: visited items stay in place, the hand moves on", "[engine][policy][sieve]") {
  ObjectCache c("sieve", 3);
  c.read(1), c.read(2), c.read(3);
  c.read(1), c.read(2);  // 1 and 2 visited
  c.read(4);             // hand clears 1, 2; evicts 3
  CHECK(c.contents() == Keys{1, 2, 4});
  c.read(5);  // the hand passed the newest item: it wraps to the oldest, 1 (its bit was cleared)
  CHECK(c.contents() == Keys{2, 4, 5});
  c.read(6);  // the hand goes on from where 1 was: 2
  CHECK(c.contents() == Keys{4, 5, 6});
}

TEST_CASE("s3fifo: one-hit wonders leave through the small queue, via the ghost", "[engine][policy][s3fifo]") {
  ObjectCache c("s3fifo", 10);  // small queue: 1 object
  for (std::uint64_t k = 1; k <= 10; ++k) c.read(k);
  c.read(11);  // small is over its share: its oldest (1, no hits) goes to the ghost
  CHECK_FALSE(c.contains(1));
  c.read(1);  // back from the ghost: straight to main
  CHECK(c.contains(1));
  CHECK(c.contains(11));
}

TEST_CASE("2q: a key seen again after leaving A1in becomes hot", "[engine][policy][2q]") {
  ObjectCache c("2q", 4);  // A1in: 1 object
  c.read(1), c.read(2), c.read(3), c.read(4);
  c.read(5);  // A1in over its share: 1 leaves to A1out
  CHECK(c.contents() == Keys{2, 3, 4, 5});
  c.read(1);  // in A1out: enters Am
  CHECK(c.contains(1));
}

TEST_CASE("arc: a key evicted from T1 and requested again goes to T2", "[engine][policy][arc]") {
  ObjectCache c("arc", 2);
  c.read(1), c.read(2);
  c.read(3);  // evicts 1 (T1 LRU) into B1
  CHECK(c.contents() == Keys{2, 3});
  c.read(1);  // ghost hit in B1: p grows; evicts 2
  CHECK(c.contents() == Keys{1, 3});
  c.read(1);
  c.read(4);  // 1 is in T2, T1 = {3} is over p? p = 1: T1 size 1 not > 1 -> evict from T2? no: REPLACE takes T1 when |T1| > p
  CHECK(c.contains(1) != c.contains(3));
}

TEST_CASE("slru: hits promote, new items enter the lowest segment", "[engine][policy][slru]") {
  ObjectCache c("slru", 4);  // 4 segments of 1 object
  c.read(1), c.read(2), c.read(3), c.read(4);  // fill: 1 in seg 0, 2 in seg 1, ...
  c.read(5);                                   // evicts from the lowest segment: 1
  CHECK(c.contents() == Keys{2, 3, 4, 5});
  c.read(5);  // 5 promoted to seg 1, demoting 2 to seg 0
  c.read(6);  // evicts 2
  CHECK(c.contents() == Keys{3, 4, 5, 6});
}

TEST_CASE("lirs: a block reused within the LIR set's reach displaces the oldest LIR block", "[engine][policy][lirs]") {
  ObjectCache c("lirs", 100);  // 99 LIR + 1 HIR
  for (std::uint64_t k = 1; k <= 99; ++k) c.read(k);  // all LIR
  c.read(1000);                                       // HIR resident
  c.read(1001);                                       // evicts HIR 1000 (stays in S, non-resident)
  CHECK_FALSE(c.contains(1000));
  CHECK(c.contains(1));
  c.read(1000);  // reused while in S: becomes LIR, the bottom LIR block (1) becomes HIR
  CHECK(c.contains(1000));
}

TEST_CASE("tinylfu: a popular key is not displaced by one-time keys", "[engine][policy][tinylfu]") {
  ObjectCache c("tinylfu", 100);
  for (int i = 0; i < 20; ++i)
    for (std::uint64_t k = 1; k <= 50; ++k) c.read(k);
  for (std::uint64_t k = 1000; k < 1200; ++k) c.read(k);  // a scan of one-time keys, twice the cache
  int kept = 0;
  for (std::uint64_t k = 1; k <= 50; ++k) kept += c.contains(k);
  CHECK(kept == 50);
}

TEST_CASE("belady needs next accesses: without them it is fifo-like but still valid", "[engine][policy][belady]") {
  ObjectCache c("belady", 2);
  c.read(1), c.read(2), c.read(3);
  CHECK(c.store->stats().curr_items == 2);
}

TEST_CASE("scan resistance: s3fifo and sieve keep a hot set that a one-time scan flushes from lru", "[engine][policy][scan]") {
  auto hot_kept = [](const char* policy) {
    ObjectCache c(policy, 1000);
    for (int round = 0; round < 5; ++round)
      for (std::uint64_t k = 1; k <= 500; ++k) c.read(k);  // hot set: half the cache
    for (std::uint64_t k = 100000; k < 102000; ++k) c.read(k);  // scan: twice the cache, once each
    int kept = 0;
    for (std::uint64_t k = 1; k <= 500; ++k) kept += c.contains(k);
    return kept;
  };
  CHECK(hot_kept("lru") == 0);
  CHECK(hot_kept("s3fifo") == 500);
  CHECK(hot_kept("sieve") == 500);
}

TEST_CASE("slru: memcached's hot/warm/cold as a parameter set", "[engine][policy][slru]") {
  using namespace cachelab;
  // 10 objects: cold 4, warm 4, hot 2. Hits promote cold -> warm -> hot.
  ObjectCache c("slru", 10);
  c.store = make_store("slru", StoreConfig{.capacity = 10, .count_objects = true, .store_values = false},
                       {{"preset", "memcached"}});
  for (std::uint64_t k = 1; k <= 10; ++k) c.read(k);  // fills cold (1-4), warm (5-8), hot (9-10)
  c.read(1), c.read(1);                               // 1: cold -> warm -> hot
  c.read(11);                                         // evicts cold's least recent: 2
  CHECK_FALSE(c.contains(2));
  CHECK(c.contains(1));
  CHECK_THROWS_WITH(make_store("slru", StoreConfig{}, {{"shares", "40:x"}}), Catch::Contains("shares=40:x is not"));
  CHECK_THROWS_WITH(make_store("slru", StoreConfig{}, {{"preset", "redis"}}), Catch::Contains("preset=redis is unknown"));
}

TEST_CASE("belady: evicts the item needed farthest in the future", "[engine][policy][belady]") {
  using namespace cachelab;
  auto store = make_store("belady", StoreConfig{.capacity = 2, .count_objects = true, .store_values = false});
  // Requests (index: key, next access): 1:a->4  2:b->6  3:c->5  4:a  5:c  6:b
  struct R {
    std::uint64_t key, next;
  };
  const R seq[] = {{1, 4}, {2, 6}, {3, 5}, {1, UINT64_MAX}, {3, UINT64_MAX}, {2, UINT64_MAX}};
  std::vector<bool> hits;
  for (const R& r : seq) {
    Access a{};
    a.key = r.key, a.size = 1, a.now = 1, a.op = Access::Op::kRead, a.next_access = r.next;
    store->access_batch({&a, 1});
    hits.push_back(a.hit);
  }
  // At request 3 (c), a is needed at 4 and b at 6: b goes. Then a and c hit; b misses.
  CHECK(hits == std::vector<bool>{false, false, false, true, true, false});
}
