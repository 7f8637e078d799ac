// Snapshots keep what the meta protocol marks on an item (stale, token handed out, fetched) and
// its last access across a warm restart, and still read the version-1 files written before.
#include <catch2/catch.hpp>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "cachelab/protocol/clock.h"
#include "cachelab/sharded_store.h"
#include "snapshot.h"

using namespace cachelab;

namespace {

ShardedStore make_store() {
  return ShardedStore("lru", StoreConfig{.capacity = 1 << 20, .overhead_bytes = kItemOverheadBytes}, {}, 2);
}

std::string temp_path(const char* name) {
  return (std::filesystem::temp_directory_path() / (std::string(name) + std::to_string(::getpid()))).string();
}

struct Marks {
  bool found = false, fetched = false, stale = false, token_sent = false;
  Tick age = 0;
};

Marks marks_of(ShardedStore& store, std::string_view key, Tick now) {
  Marks m;
  const KeyRef k = ShardedStore::key(key);
  store.with_shard(k, [&](Store& s) {
    return s.peek(k, now, [&](const Item& it) {
      m = {true, it.fetched != 0, it.stale != 0, it.token_sent != 0, it.seconds_since_access(now)};
    });
  });
  return m;
}

}  // namespace

TEST_CASE("snapshot: meta marks and the last access survive a warm restart", "[server][snapshot]") {
  protocol::ManualClock wall(1'700'000'000);
  protocol::ExpiryClock clock(wall);
  ShardedStore before = make_store();
  const Tick now = clock.now();
  for (const char* key : {"plain", "stale", "read"}) {
    const KeyRef k = ShardedStore::key(key);
    before.with_shard(k, [&](Store& s) { return s.put(k, NewItem{.value = "v"}, now); });
  }
  const KeyRef stale = ShardedStore::key("stale");
  before.with_shard(stale, [&](Store& s) {
    return s.modify(stale, now, [](const Item&, ItemMeta& m) { m.stale = m.token_sent = true; });
  });
  const KeyRef read = ShardedStore::key("read");
  before.with_shard(read, [&](Store& s) { return s.get(read, now, [](const Item&) {}); });
  wall.advance(40);
  const std::string path = temp_path("cachelab-snap-marks-");
  REQUIRE(server::save_snapshot(path, before, clock) == 3);

  wall.advance(5);  // down for 5 s
  ShardedStore after = make_store();
  const auto load = server::load_snapshot(path, after, clock);
  std::remove(path.c_str());
  REQUIRE(load.error.empty());
  CHECK(load.items == 3);
  const Tick later = clock.now();
  const Marks p = marks_of(after, "plain", later), s = marks_of(after, "stale", later), r = marks_of(after, "read", later);
  CHECK((p.found && !p.fetched && !p.stale && !p.token_sent));
  CHECK((s.found && s.stale && s.token_sent && !s.fetched));
  CHECK((r.found && r.fetched && !r.stale));
  CHECK(p.age == 45);  // 40 s before the save, 5 s down
}

TEST_CASE("snapshot: a version-1 file (no marks) is still read", "[server][snapshot]") {
  protocol::ManualClock wall(1'700'000'000);
  protocol::ExpiryClock clock(wall);
  std::string bytes = "CLSNAP01";
  auto put = [&bytes](const auto& v) { bytes.append(reinterpret_cast<const char*>(&v), sizeof v); };
  put(std::uint32_t{3});     // key length
  put(std::uint32_t{5});     // value length
  put(std::uint32_t{7});     // flags
  put(std::uint64_t{1234});  // cas
  put(std::int64_t{0});      // no expiry
  bytes += "old";
  bytes += "hello";
  put(std::uint32_t{0});     // end marker
  put(std::uint64_t{1});     // records
  put(static_cast<std::uint64_t>(XXH3_64bits(bytes.data(), bytes.size())));
  const std::string path = temp_path("cachelab-snap-v1-");
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f);
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);

  ShardedStore store = make_store();
  const auto load = server::load_snapshot(path, store, clock);
  std::remove(path.c_str());
  REQUIRE(load.error.empty());
  CHECK(load.items == 1);
  std::string value;
  std::uint64_t cas = 0;
  std::uint32_t flags = 0;
  const KeyRef k = ShardedStore::key("old");
  CHECK(store.with_shard(k, [&](Store& s) {
    return s.peek(k, clock.now(), [&](const Item& it) { value = it.value(), cas = it.cas, flags = it.flags; });
  }));
  CHECK(value == "hello");
  CHECK(cas == 1234);
  CHECK(flags == 7);
}
