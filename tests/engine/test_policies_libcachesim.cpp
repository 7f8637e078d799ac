// Every policy replays the shared cloudPhysicsIO trace and is compared with libCacheSim's
// figures (tests/data/traces/README.md): exact for the policies that are exact by construction,
// within 0.5% absolute miss ratio for the others (same paper, implementation details may differ).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "cachelab/policy_registry.h"
#include "trace_fixture.h"

using namespace cachelab;
using cachelab::test::replay_trace;

namespace {

constexpr double kRequests = 113872.0;

struct Reference {
  const char* policy;
  std::uint64_t capacity;
  bool bytes;
  std::uint64_t misses;
  std::uint64_t missed_bytes;  // byte mode only
};

void check_exact(const Reference& ref) {
  INFO(ref.policy << " capacity " << ref.capacity << (ref.bytes ? " bytes" : " objects"));
  const auto r = replay_trace(ref.policy, ref.capacity, ref.bytes);
  CHECK(r.misses == ref.misses);
  if (ref.bytes) CHECK(r.missed_bytes == ref.missed_bytes);
}

void check_close(const Reference& ref, const PolicyArgs& args = {}, double tolerance = 0.005) {
  INFO(ref.policy << " capacity " << ref.capacity << (ref.bytes ? " bytes" : " objects"));
  const auto r = replay_trace(ref.policy, ref.capacity, ref.bytes, args);
  const double ours = static_cast<double>(r.misses) / kRequests;
  const double theirs = static_cast<double>(ref.misses) / kRequests;
  INFO("misses ours " << r.misses << " libCacheSim " << ref.misses);
  CHECK(std::abs(ours - theirs) <= tolerance);
  if (std::getenv("CACHELAB_PRINT_MISSES"))
    std::printf("%-8s %10llu %-7s ours %6llu libCacheSim %6llu diff %+.4f\n", ref.policy,
                static_cast<unsigned long long>(ref.capacity), ref.bytes ? "bytes" : "objects",
                static_cast<unsigned long long>(r.misses), static_cast<unsigned long long>(ref.misses), ours - theirs);
}

}  // namespace

TEST_CASE("libCacheSim figures: lru, fifo and lfu exactly, object mode", "[engine][libcachesim]") {
  for (const Reference& ref : {
           Reference{"lru", 48, false, 102823, 0}, Reference{"lru", 489, false, 95420, 0},
           Reference{"lru", 4897, false, 91657, 0}, Reference{"fifo", 48, false, 103859, 0},
           Reference{"fifo", 489, false, 96518, 0}, Reference{"fifo", 4897, false, 91716, 0},
           Reference{"lfu", 48, false, 103311, 0}, Reference{"lfu", 489, false, 96765, 0},
           Reference{"lfu", 4897, false, 90040, 0}})
    check_exact(ref);
}

TEST_CASE("libCacheSim figures: lru, fifo and lfu exactly, byte mode", "[engine][libcachesim]") {
  for (const Reference& ref : {
           Reference{"lru", 2029769, true, 96932, 4296723968}, Reference{"lru", 20297697, true, 94956, 4280799744},
           Reference{"lru", 202976972, true, 92200, 4157572608}, Reference{"fifo", 2029769, true, 98168, 4302205952},
           Reference{"fifo", 20297697, true, 95293, 4282329600}, Reference{"fifo", 202976972, true, 91954, 4153497088},
           Reference{"lfu", 2029769, true, 95587, 4290952704}, Reference{"lfu", 20297697, true, 93724, 4270392832},
           Reference{"lfu", 202976972, true, 89993, 4060649472}})
    check_exact(ref);
}

TEST_CASE("libCacheSim figures: clock, sieve and s3fifo within 0.5%", "[engine][libcachesim]") {
  for (const Reference& ref : {
           Reference{"clock", 48, false, 102599, 0}, Reference{"clock", 489, false, 95332, 0},
           Reference{"clock", 4897, false, 91599, 0}, Reference{"clock", 2029769, true, 96768, 0},
           Reference{"clock", 20297697, true, 94828, 0}, Reference{"clock", 202976972, true, 92082, 0},
           Reference{"sieve", 48, false, 100308, 0}, Reference{"sieve", 489, false, 94419, 0},
           Reference{"sieve", 4897, false, 90040, 0}, Reference{"sieve", 2029769, true, 95634, 0},
           Reference{"sieve", 20297697, true, 93724, 0}, Reference{"sieve", 202976972, true, 89993, 0},
           Reference{"s3fifo", 48, false, 99810, 0}, Reference{"s3fifo", 489, false, 94559, 0},
           Reference{"s3fifo", 4897, false, 85691, 0}, Reference{"s3fifo", 2029769, true, 95279, 0},
           Reference{"s3fifo", 20297697, true, 93706, 0}, Reference{"s3fifo", 202976972, true, 83764, 0}})
    check_close(ref);
}

TEST_CASE("libCacheSim figures: slru and 2q within 0.5%", "[engine][libcachesim]") {
  for (const Reference& ref : {
           Reference{"slru", 48, false, 101125, 0}, Reference{"slru", 489, false, 94590, 0},
           Reference{"slru", 4897, false, 90011, 0}, Reference{"slru", 2029769, true, 95355, 0},
           Reference{"slru", 20297697, true, 93529, 0}, Reference{"slru", 202976972, true, 88640, 0},
           Reference{"2q", 48, false, 98946, 0}, Reference{"2q", 489, false, 94573, 0},
           Reference{"2q", 4897, false, 88160, 0}, Reference{"2q", 2029769, true, 95647, 0},
           Reference{"2q", 20297697, true, 94245, 0}, Reference{"2q", 202976972, true, 87627, 0}})
    check_close(ref);
}

TEST_CASE("libCacheSim figures: arc within 0.5%", "[engine][libcachesim]") {
  for (const Reference& ref : {
           Reference{"arc", 48, false, 99870, 0}, Reference{"arc", 489, false, 94229, 0},
           Reference{"arc", 4897, false, 88002, 0}, Reference{"arc", 2029769, true, 95303, 0},
           Reference{"arc", 20297697, true, 93625, 0}})
    check_close(ref);
}

// In byte mode at the largest size ours misses 0.9% less than libCacheSim's ARC. The one detail
// that differs: libCacheSim runs REPLACE on every ghost hit (in ARC_check), evicting an item even
// when the newcomer already fits, a literal port of the paper's page model where a miss always
// meets a full cache. Ours evicts only until the newcomer fits. In object mode, where every miss
// in a full cache needs exactly one eviction, the two are identical at all three sizes.
TEST_CASE("libCacheSim figures: arc in byte mode at 200 MB misses less, within 1%", "[engine][libcachesim]") {
  const auto r = replay_trace("arc", 202976972, true);
  CHECK(r.misses <= 87541);
  CHECK(r.misses >= 87541 - 1139);  // 1% of the 113,872 requests
}

TEST_CASE("libCacheSim figures: belady exactly", "[engine][libcachesim]") {
  for (const Reference& ref : {
           Reference{"belady", 48, false, 96517, 0}, Reference{"belady", 489, false, 90263, 0},
           Reference{"belady", 4897, false, 71620, 0}, Reference{"belady", 2029769, true, 93869, 4262565888},
           Reference{"belady", 20297697, true, 91152, 4102901760}, Reference{"belady", 202976972, true, 74162, 3197508096}})
    check_exact(ref);
}

// Ours follows Caffeine's W-TinyLFU; libCacheSim's WTinyLFU differs in ways that matter (read in
// its WTinyLFU.c): no doorkeeper; its sketch counts only main-cache hits, inserts and every
// admission contest (the candidate is counted again each time); every eviction first drains the
// window, whatever its size; and it refuses any object larger than the 1% window (in byte mode at
// 2 MB nothing over 20 KB is ever cached). The two agree within 2% absolute on this trace; see
// docs/POLICIES.md.
TEST_CASE("libCacheSim figures: tinylfu within 2% (Caffeine's design, not libCacheSim's)", "[engine][libcachesim]") {
  // Not at 48 objects: libCacheSim's window rounds to zero there and admits nothing (all misses).
  for (const Reference& ref : {
           Reference{"tinylfu", 489, false, 96480, 0}, Reference{"tinylfu", 4897, false, 88374, 0},
           Reference{"tinylfu", 2029769, true, 95157, 0}, Reference{"tinylfu", 20297697, true, 94076, 0},
           Reference{"tinylfu", 202976972, true, 87296, 0}})
    check_close(ref, {}, 0.02);
  CHECK(replay_trace("tinylfu", 48, false).misses < 113872);
}

TEST_CASE("libCacheSim figures: lirs within 0.5%", "[engine][libcachesim]") {
  for (const Reference& ref : {
           Reference{"lirs", 48, false, 100485, 0}, Reference{"lirs", 489, false, 94680, 0},
           Reference{"lirs", 4897, false, 85609, 0}, Reference{"lirs", 20297697, true, 93607, 0},
           Reference{"lirs", 202976972, true, 84149, 0}})
    check_close(ref);
  // At 2 MB in byte mode libCacheSim's LIRS refuses every new object larger than the 1% HIR
  // share (LIRS_can_insert: nothing over 20 KB is cached), which helps its object hit ratio on
  // this trace; the paper's blocks are all one size and it has no such rule. Ours: 1.2% more misses.
  check_close(Reference{"lirs", 2029769, true, 94565, 0}, {}, 0.015);
}

TEST_CASE("belady misses no more than any other policy at every size", "[engine][libcachesim][belady]") {
  const std::vector<std::pair<std::uint64_t, bool>> sizes = {
      {48, false}, {489, false}, {4897, false}, {2029769, true}, {20297697, true}, {202976972, true}};
  for (const auto& [capacity, bytes] : sizes) {
    const auto optimum = replay_trace("belady", capacity, bytes).misses;
    for (const PolicyInfo* p : PolicyRegistry::instance().all()) {
      if (p->name == "belady" || p->name == "ttl") continue;  // ttl: no expiry in this trace, it is fifo
      INFO(p->name << " at " << capacity << (bytes ? " bytes" : " objects"));
      CHECK(optimum <= replay_trace(p->name.c_str(), capacity, bytes).misses);
    }
  }
}
