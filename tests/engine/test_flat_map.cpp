#include "cachelab/flat_map.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <random>

using cachelab::FlatU64Map;

TEST_CASE("flat map: insert, find, erase, the reserved key and growth", "[flat_map]") {
  FlatU64Map<std::uint32_t> m;
  CHECK(m.empty());
  CHECK(m.try_emplace(7, 70).second);
  CHECK_FALSE(m.try_emplace(7, 71).second);  // present: the value stays
  CHECK(*m.find(7) == 70);
  CHECK(m.find(8) == nullptr);
  // UINT64_MAX marks empty slots inside; as a key it still works.
  CHECK(m.try_emplace(UINT64_MAX, 9).second);
  CHECK(*m.find(UINT64_MAX) == 9);
  CHECK(m.size() == 2);
  CHECK(m.erase(UINT64_MAX));
  CHECK_FALSE(m.erase(UINT64_MAX));
  CHECK(m.find(UINT64_MAX) == nullptr);
  for (std::uint64_t k = 0; k < 1000; ++k) m[k] = static_cast<std::uint32_t>(k * 3);
  CHECK(m.size() == 1000);
  CHECK(*m.find(7) == 21);  // operator[] overwrote it
  CHECK(*m.find(999) == 2997);
  std::uint64_t sum = 0;
  m.for_each([&](std::uint64_t k, std::uint32_t& v) { sum += k + v; });
  CHECK(sum == 999 * 1000 / 2 * 4);
  m.clear();
  CHECK(m.empty());
  CHECK(m.find(5) == nullptr);
}

// Random inserts and erases against std::map: backward-shift deletion must keep every other key
// of a probe run findable (the keys are multiples of 2^40, which collide in a small table's bits
// only through the multiplicative hash).
TEST_CASE("flat map: random churn matches std::map", "[flat_map]") {
  FlatU64Map<std::uint64_t> m;
  std::map<std::uint64_t, std::uint64_t> ref;
  std::mt19937_64 rng(7);
  for (int step = 0; step < 200000; ++step) {
    const std::uint64_t key = (rng() % 3000) << (step % 2 ? 40 : 0);
    switch (rng() % 3) {
      case 0: {
        const bool inserted = m.try_emplace(key, step).second;
        CHECK(inserted == ref.emplace(key, step).second);
        break;
      }
      case 1:
        CHECK(m.erase(key) == (ref.erase(key) == 1));
        break;
      default: {
        const std::uint64_t* v = m.find(key);
        const auto it = ref.find(key);
        REQUIRE((v != nullptr) == (it != ref.end()));
        if (v) CHECK(*v == it->second);
      }
    }
  }
  CHECK(m.size() == ref.size());
  std::size_t seen = 0;
  m.for_each([&](std::uint64_t k, std::uint64_t& v) {
    ++seen;
    CHECK(ref.at(k) == v);
  });
  CHECK(seen == ref.size());
}
