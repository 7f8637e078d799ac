// The store/policy contract (engine/src/store_impl.h, where the hooks are declared), driven
// through every policy, built-in and module: inserts, hits, replaces of the same and of another
// size, deletes, lazy and crawled expiry, evictions, -M refusals (victim() named an item the
// store then kept), deletes of such an item, and flush. After each step the store's own view
// (curr_items, bytes, every item readable) must agree with what is really there; a policy that
// kept a pointer to an item it was told is gone shows up here under ASan.
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <string>

#include "cachelab/module_loader.h"
#include "cachelab/policy_registry.h"
#include "cachelab/store.h"

using namespace cachelab;

namespace {

KeyRef key_of(const std::string& k) { return {k, hash_key(k)}; }

// Walks the index and checks it against the store's counters.
void check_consistent(Store& s, Tick now) {
  std::uint64_t items = 0, bytes = 0;
  s.for_each(now, [&](const Item& it) {
    ++items;
    bytes += it.key_len + it.value_len + s.config().overhead_bytes;
  });
  s.reclaim_expired(now, 1u << 20);  // nothing expired may linger uncounted
  const StoreStats st = s.stats();
  REQUIRE(st.curr_items == items);
  REQUIRE(st.bytes == bytes);
  REQUIRE(st.bytes <= s.config().capacity);
  s.for_each(now, [&](const Item& it) {
    const std::string k(it.key());
    REQUIRE(s.peek(key_of(k), now, [](const Item&) {}));
  });
}

// One scripted life of a store: every hook, in an order that once left policies guessing.
void drive(Store& s, bool evictions_enabled, const std::function<void(Store&)>& also_check = {}) {
  Tick now = 10;
  const std::string v100(100, 'v'), v300(300, 'w');
  auto set = [&](const std::string& k, const std::string& v, Tick exp = kNever) {
    return s.put(key_of(k), NewItem{.value = v, .exptime = exp}, now);
  };
  auto step = [&](const char* what) {
    INFO(what);
    check_consistent(s, now);
    if (also_check) also_check(s);
  };
  for (int i = 0; i < 30; ++i) set("k" + std::to_string(i), v100);  // fills and (with -M) refuses
  step("fill");
  for (int i = 0; i < 30; i += 3) s.get(key_of("k" + std::to_string(i)), now, [](const Item&) {});
  step("hits");
  for (int i = 1; i < 30; i += 4) set("k" + std::to_string(i), v100);  // same size: in place or new
  step("replace, same size");
  for (int i = 2; i < 30; i += 5) set("k" + std::to_string(i), v300);  // a new size
  step("replace, another size");
  for (int i = 3; i < 30; i += 6) s.touch(key_of("k" + std::to_string(i)), now, now + 1000);
  for (int i = 5; i < 30; i += 6) {
    s.modify(key_of("k" + std::to_string(i)), now, [&](const Item&, ItemMeta& meta) {
      meta.exptime = now + 500;  // an expiry-ordered policy re-files it
      meta.fresh_cas = true;
      meta.bump = i % 12 == 5 ? Bump::kRead : Bump::kPolicy;
    });
    // A refused add: the planner keeps the item and the policy hears of the use.
    s.put(key_of("k" + std::to_string(i)), now, [](const Item*, NewItem&) { return PutPlan::kKeepAndTouch; });
  }
  step("in place: touch, modify, a refused add");
  for (int i = 0; i < 30; i += 2) s.remove(key_of("k" + std::to_string(i)), now);
  step("deletes");
  for (int i = 0; i < 10; ++i) set("e" + std::to_string(i), v100, now + 5);
  now += 6;
  s.get(key_of("e0"), now, [](const Item&) {});  // lazy expiry
  step("lazy expiry");
  s.reclaim_expired(now, 1u << 20);
  step("crawled expiry");
  // Whatever victim() names under -M stays; deleting it afterwards, then reusing its memory for
  // another key, must not leave a ghost or a stale pointer behind.
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 40; ++i) set("r" + std::to_string(round) + "_" + std::to_string(i), v100);
    for (int i = 0; i < 40; i += 2) s.remove(key_of("r" + std::to_string(round) + "_" + std::to_string(i)), now);
    step("refusals and deletes");
  }
  for (int i = 0; i < 200; ++i) {
    const std::string k = "g" + std::to_string(i % 50);
    if (!s.get(key_of(k), now, [](const Item&) {})) set(k, i % 7 ? v100 : v300);
    if (i % 11 == 0) s.remove(key_of("g" + std::to_string((i * 7) % 50)), now);
    ++now;
  }
  step("mixed");
  if (evictions_enabled) CHECK(s.stats().evictions > 0);
  else CHECK(s.stats().evictions == 0);
  s.flush();
  step("flush");
  CHECK(s.stats().bytes == 0);
}

StoreConfig config(bool evictions) {
  return StoreConfig{.capacity = 2000, .overhead_bytes = 56, .evictions_enabled = evictions};
}

}  // namespace

TEST_CASE("policy contract: every built-in policy, with and without evictions", "[engine][contract]") {
  for (const PolicyInfo* info : PolicyRegistry::instance().all()) {
    if (info->simulator_only) continue;  // belady needs the future, not this API
    for (bool evictions : {true, false}) {
      INFO(info->name << (evictions ? "" : " -M"));
      auto s = make_store(info->name, config(evictions));
      drive(*s, evictions);
    }
  }
}

TEST_CASE("policy contract: a module hears evictions as on_evict and everything else as on_remove", "[engine][contract]") {
  for (bool evictions : {true, false}) {
    INFO((evictions ? "evictions" : "-M"));
    auto s = make_module_store(std::string(CACHELAB_TEST_MODULE_DIR) + "/fifo.so", config(evictions), {});
    auto counters = [&s] {
      std::map<std::string, std::uint64_t> c;
      for (const auto& [name, value] : s->policy_stats()) c[name] = value;
      return c;
    };
    // The module's own count of the items it holds equals the store's after every step.
    drive(*s, evictions, [&](Store& store) { REQUIRE(counters()["resident"] == store.stats().curr_items); });
    const StoreStats st = s->stats();
    // Every item that left by eviction was reported with on_evict (an expired victim too: the
    // policy named it); with -M, only expired ones.
    CHECK(counters()["evicted"] >= st.evictions);
    if (evictions) CHECK(counters()["evicted"] > 0);
    else CHECK(counters()["evicted"] <= st.expirations);
    CHECK(counters()["removed"] > 0);
  }
}
