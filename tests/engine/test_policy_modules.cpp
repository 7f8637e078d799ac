// Policy modules: loading, each refusal with its one-line reason, and modules that behave exactly
// like the built-in policies they mirror.
#include <catch2/catch.hpp>
#include <string>

#include "cachelab/module_loader.h"
#include "trace_fixture.h"

using namespace cachelab;

namespace {
const std::string kTestModules = CACHELAB_TEST_MODULE_DIR;
const std::string kExamples = CACHELAB_EXAMPLE_MODULE_DIR;
const StoreConfig kObjects{.capacity = 489, .count_objects = true, .store_values = false};

// Replays the shared trace through a store, libCacheSim-style, and returns the misses.
std::uint64_t misses_of(Store& store) {
  const auto& trace = cachelab::test::cloud_physics_trace();
  std::uint64_t misses = 0;
  for (const auto& r : trace) {
    Access a{};
    a.key = r.id, a.size = r.size, a.now = 1, a.op = Access::Op::kRead;
    store.access_batch({&a, 1});
    misses += !a.hit;
  }
  return misses;
}
}  // namespace

TEST_CASE("modules: a FIFO module gives exactly the built-in fifo's misses", "[engine][module]") {
  auto module = make_module_store(kTestModules + "/fifo.so", kObjects, {});
  auto builtin = make_store("fifo", kObjects);
  CHECK(module->policy_name() == "module:fifo-module");
  const auto m = misses_of(*module);
  CHECK(m == misses_of(*builtin));
  CHECK(m == 96518);  // libCacheSim's FIFO at 489 objects
}

TEST_CASE("modules: the C CLOCK example gives exactly the built-in clock's misses", "[engine][module]") {
  auto module = make_module_store(kExamples + "/clock.so", kObjects, {});
  CHECK(misses_of(*module) == 95332);  // libCacheSim's Clock at 489 objects, as the built-in
}

TEST_CASE("modules: the C++ SLRU example takes its argument and keeps the budget", "[engine][module]") {
  auto module = make_module_store(kExamples + "/slru.so", StoreConfig{.capacity = 20297697, .store_values = false},
                                  {{"protected", "0.7"}});
  // Segmented LRU resists this trace's scans better than plain LRU (94,956 misses at this size).
  CHECK(misses_of(*module) < 94956);
  CHECK(module->stats().bytes <= 20297697);
}

TEST_CASE("modules: each bad module is refused with its reason", "[engine][module]") {
  CHECK_THROWS_WITH(make_module_store(kTestModules + "/missing.so", kObjects, {}),
                    Catch::Contains("missing.so: no such file"));
  CHECK_THROWS_WITH(make_module_store(std::string(CACHELAB_SOURCE_DIR) + "/tests/modules/not_a_module.so.txt", kObjects, {}),
                    Catch::Contains("not a loadable shared object"));
  CHECK_THROWS_WITH(make_module_store(kTestModules + "/no_entry.so", kObjects, {}),
                    Catch::Contains("entry symbol 'cachelab_policy_module_init' not found"));
  CHECK_THROWS_WITH(make_module_store(kTestModules + "/bad_abi.so", kObjects, {}),
                    Catch::Contains("ABI version 99 not supported (this cachelab supports 1)"));
  CHECK_THROWS_WITH(make_module_store(kTestModules + "/create_fails.so", kObjects, {}),
                    Catch::Contains("create failed: this module always refuses (test)"));
  CHECK_THROWS_WITH(make_module_store(kExamples + "/slru.so", kObjects, {{"protected", "2"}}),
                    Catch::Contains("create failed: protected=2 is not a fraction in (0, 1)"));
}

TEST_CASE("modules: host->now() gives victim() the time of the request that needs room", "[engine][module]") {
  auto store = make_module_store(kTestModules + "/now_probe.so",
                                 StoreConfig{.capacity = 2, .count_objects = true, .store_values = false}, {});
  for (std::uint64_t k = 1; k <= 5; ++k) {
    Access a{};
    a.key = k, a.size = 1, a.now = static_cast<Tick>(10 * k), a.op = Access::Op::kRead;
    store->access_batch({&a, 1});
  }
  // Had victim() not seen the later time, the module would have named no victim and the store
  // would have refused keys 3 to 5.
  CHECK(store->stats().evictions == 3);
  CHECK(store->stats().curr_items == 2);
}
