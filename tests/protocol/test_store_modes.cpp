// memcached's store, delete and arithmetic rules (protocol/store_modes.h) over a real store.
#include <catch2/catch.hpp>

#include <string>

#include "cachelab/protocol/store_modes.h"
#include "cachelab/store.h"
#include "../engine/store_test_util.h"

using namespace cachelab;
using namespace cachelab::protocol;
using cachelab::test::get_value;
using cachelab::test::key_of;
using cachelab::test::value_store;

namespace {

StoreResult set(Store& s, const std::string& key, std::string_view value, Tick exptime, Tick now,
                StoreMode mode = StoreMode::kSet, std::uint64_t cas = 0) {
  return store_value(s, mode, key_of(key), value, 0, exptime, cas, now);
}

}  // namespace

TEST_CASE("store modes: set, add, replace, append, prepend", "[protocol][store modes]") {
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

TEST_CASE("store modes: a refused add bumps the item it ran into", "[protocol][store modes]") {
  // Three items in an LRU that holds three: the refused add on "a" makes "b" the oldest.
  const std::uint64_t item = 1 + 1 + kItemOverheadBytes;
  auto s = value_store(3 * item);
  for (const char* k : {"a", "b", "c"}) REQUIRE(set(*s, k, "v", 0, 1) == StoreResult::kStored);
  CHECK(set(*s, "a", "w", 0, 1, StoreMode::kAdd) == StoreResult::kNotStored);
  CHECK(set(*s, "d", "v", 0, 1) == StoreResult::kStored);
  CHECK(get_value(*s, "b", 1) == "<miss>");
  CHECK(get_value(*s, "a", 1) == "v");
}

TEST_CASE("store modes: append keeps the original flags and expiry", "[protocol][store modes]") {
  auto s = value_store();
  REQUIRE(store_value(*s, StoreMode::kSet, key_of("k"), "a", 42, 100, 0, 1) == StoreResult::kStored);
  REQUIRE(store_value(*s, StoreMode::kAppend, key_of("k"), "b", 7, 0, 0, 1) == StoreResult::kStored);
  s->get(key_of("k"), 1, [](const Item& it) {
    CHECK(it.flags == 42);
    CHECK(it.exptime == 100);
    CHECK(it.value() == "ab");
  });
  CHECK(get_value(*s, "k", 100) == "<miss>");
}

TEST_CASE("store modes: a join over the size limit is NOT_STORED and keeps the old value", "[protocol][store modes]") {
  auto s = value_store();
  REQUIRE(set(*s, "k", std::string(1000, 'a'), 0, 1) == StoreResult::kStored);
  CHECK(set(*s, "k", std::string(100, 'b'), 0, 1, StoreMode::kAppend) == StoreResult::kNotStored);
  CHECK(get_value(*s, "k", 1) == std::string(1000, 'a'));
}

TEST_CASE("store modes: a value over the max size is refused; a set also removes the old one", "[protocol][store modes]") {
  auto s = value_store();
  set(*s, "k", "old", 0, 1);
  CHECK(set(*s, "k", std::string(1025, 'x'), 0, 1, StoreMode::kReplace) == StoreResult::kTooLarge);
  CHECK(get_value(*s, "k", 1) == "old");
  CHECK(set(*s, "k", std::string(1025, 'x'), 0, 1) == StoreResult::kTooLarge);
  CHECK(get_value(*s, "k", 1) == "<miss>");
  CHECK(set(*s, "k", std::string(1024, 'x'), 0, 1) == StoreResult::kStored);
}

TEST_CASE("store modes: cas succeeds only on the current version", "[protocol][store modes][cas]") {
  auto s = value_store();
  std::uint64_t cas1 = 0, cas2 = 0;
  REQUIRE(store_value(*s, StoreMode::kSet, key_of("k"), "a", 0, 0, 0, 1, &cas1) == StoreResult::kStored);
  CHECK(set(*s, "k", "b", 0, 1, StoreMode::kCas, cas1 + 1) == StoreResult::kExists);
  CHECK(store_value(*s, StoreMode::kCas, key_of("k"), "b", 0, 0, cas1, 1, &cas2) == StoreResult::kStored);
  CHECK(cas2 != cas1);
  CHECK(set(*s, "k", "c", 0, 1, StoreMode::kCas, cas1) == StoreResult::kExists);
  CHECK(set(*s, "none", "c", 0, 1, StoreMode::kCas, cas1) == StoreResult::kNotFound);
  CHECK(get_value(*s, "k", 1) == "b");
  // append with a CAS (the binary protocol's): only onto that version.
  CHECK(set(*s, "k", "+", 0, 1, StoreMode::kAppend, cas1) == StoreResult::kExists);
  CHECK(set(*s, "k", "+", 0, 1, StoreMode::kAppend, cas2) == StoreResult::kStored);
  std::uint64_t cas3 = 0;
  s->peek(key_of("k"), 1, [&](const Item& it) { cas3 = it.cas; });
  CHECK(delete_value(*s, key_of("k"), 1, cas2) == DeleteResult::kExists);
  CHECK(delete_value(*s, key_of("k"), 1, cas3) == DeleteResult::kDeleted);
  CHECK(delete_value(*s, key_of("k"), 1) == DeleteResult::kNotFound);
}

TEST_CASE("store modes: meta marks ride on the write", "[protocol][store modes]") {
  auto s = value_store();
  REQUIRE(store_value(*s, StoreMode::kSet, key_of("k"), "v", 0, 0, 0, 1, nullptr,
                      ItemMarks{.stale = true, .token_sent = true, .binary_key = true}) == StoreResult::kStored);
  s->peek(key_of("k"), 1, [](const Item& it) {
    CHECK(it.stale == 1);
    CHECK(it.token_sent == 1);
    CHECK(it.binary_key());
  });
  REQUIRE(set(*s, "k", "w", 0, 1) == StoreResult::kStored);  // a plain write clears them
  s->peek(key_of("k"), 1, [](const Item& it) {
    CHECK(it.stale == 0);
    CHECK(it.token_sent == 0);
    CHECK_FALSE(it.binary_key());
  });
}

TEST_CASE("store modes: incr and decr edge cases", "[protocol][store modes][arith]") {
  auto s = value_store();
  std::uint64_t v = 0, cas = 0;
  set(*s, "n", "18446744073709551615", 0, 1);  // 2^64 - 1: twenty digits
  CHECK(apply_delta(*s, key_of("n"), true, 1, 1, &v, &cas) == ArithResult::kOk);
  CHECK(v == 0);  // wraps
  CHECK(get_value(*s, "n", 1) == "0" + std::string(19, ' '));  // in place, padded as memcached
  s->peek(key_of("n"), 1, [&](const Item& it) { CHECK(it.cas == cas); });
  CHECK(apply_delta(*s, key_of("n"), false, 5, 1, &v) == ArithResult::kOk);
  CHECK(v == 0);  // decr stops at zero
  set(*s, "n", "100", 0, 1);
  CHECK(apply_delta(*s, key_of("n"), false, 1, 1, &v) == ArithResult::kOk);
  CHECK(get_value(*s, "n", 1) == "99 ");  // shrinks in place, padded with a space (memcached: "99 ")
  CHECK(apply_delta(*s, key_of("n"), true, 18446744073709551615ull, 1, &v) == ArithResult::kOk);
  CHECK(v == 98);
  // Outgrowing the item: a new one, with the old one's flags and expiry.
  REQUIRE(store_value(*s, StoreMode::kSet, key_of("g"), "9", 5, 50, 0, 1) == StoreResult::kStored);
  std::uint64_t before = 0;
  s->peek(key_of("g"), 1, [&](const Item& it) { before = it.cas; });
  CHECK(apply_delta(*s, key_of("g"), true, 1, 1, &v, &cas) == ArithResult::kOk);
  CHECK(v == 10);
  s->peek(key_of("g"), 1, [&](const Item& it) {
    CHECK(it.value() == "10");
    CHECK(it.flags == 5);
    CHECK(it.exptime == 50);
    CHECK(it.cas == cas);
  });
  CHECK(cas > before);
  CHECK(apply_delta(*s, key_of("g"), true, 1, 1, &v, nullptr, before) == ArithResult::kExists);
  set(*s, "t", "12a", 0, 1);
  CHECK(apply_delta(*s, key_of("t"), true, 1, 1, &v) == ArithResult::kNonNumeric);
  set(*s, "big", "18446744073709551616", 0, 1);  // 2^64 does not fit
  CHECK(apply_delta(*s, key_of("big"), true, 1, 1, &v) == ArithResult::kNonNumeric);
  set(*s, "empty", "", 0, 1);
  CHECK(apply_delta(*s, key_of("empty"), true, 1, 1, &v) == ArithResult::kNonNumeric);
  CHECK(apply_delta(*s, key_of("none"), true, 1, 1, &v) == ArithResult::kNotFound);
  CHECK(s->stats().hits == 2);  // the two gets: arithmetic counts no hit of the store's
}

TEST_CASE("store modes: incr that cannot make room says so", "[protocol][store modes][arith]") {
  // -M with a full store: "9" -> "10" needs a new item, which cannot be placed.
  const std::uint64_t item = 1 + 1 + kItemOverheadBytes;
  auto s = cachelab::test::store_without_evictions(2 * item);
  REQUIRE(set(*s, "a", "9", 0, 1) == StoreResult::kStored);
  REQUIRE(set(*s, "b", "1", 0, 1) == StoreResult::kStored);
  std::uint64_t v = 0;
  CHECK(apply_delta(*s, key_of("a"), true, 1, 1, &v) == ArithResult::kNoMemory);
  CHECK(get_value(*s, "a", 1) == "9");
  CHECK(apply_delta(*s, key_of("b"), true, 1, 1, &v) == ArithResult::kOk);  // in place: no room needed
  CHECK(v == 2);
}

TEST_CASE("store modes: parse_u64", "[protocol][store modes][arith]") {
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
