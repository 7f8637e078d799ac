// A simulated cluster places keys exactly where libmemcached's own ketama puts them: the expected
// server of every key comes from libmemcached (memcached_generate_hash) with the same server list.
#include <catch2/catch.hpp>
#include <libmemcached-1.0/memcached.h>

#include <memory>
#include <string>
#include <vector>

#include "cachelab/sim/ketama.h"

using namespace cachelab::sim;

namespace {

struct ClientDeleter {
  void operator()(memcached_st* m) const { memcached_free(m); }
};

// libmemcached's server for each key, with `servers` ("host:port") added in order. No connection
// is made: placement is computed from the names alone.
std::vector<std::size_t> libmemcached_placement(const std::vector<std::string>& servers, KetamaVariant variant,
                                                const std::vector<std::string>& keys) {
  std::unique_ptr<memcached_st, ClientDeleter> client(memcached_create(nullptr));
  REQUIRE(client);
  const auto behavior = variant == KetamaVariant::kWeighted ? MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED : MEMCACHED_BEHAVIOR_KETAMA;
  REQUIRE(memcached_behavior_set(client.get(), behavior, 1) == MEMCACHED_SUCCESS);
  for (const std::string& s : servers) {
    const std::size_t colon = s.rfind(':');
    const std::string host = colon == std::string::npos ? s : s.substr(0, colon);
    const in_port_t port = colon == std::string::npos ? 11211 : static_cast<in_port_t>(std::stoi(s.substr(colon + 1)));
    REQUIRE(memcached_server_add(client.get(), host.c_str(), port) == MEMCACHED_SUCCESS);
  }
  std::vector<std::size_t> out;
  for (const std::string& k : keys) out.push_back(memcached_generate_hash(client.get(), k.data(), k.size()));
  return out;
}

std::vector<std::string> sample_keys() {
  std::vector<std::string> keys;
  for (int i = 0; i < 2000; ++i) keys.push_back("user:" + std::to_string(i));
  for (int i = 0; i < 500; ++i) keys.push_back(std::to_string(i * 7919));
  keys.push_back("a");
  keys.push_back(std::string(250, 'k'));
  return keys;
}

void check_same_placement(const std::vector<std::string>& servers, KetamaVariant variant) {
  const auto keys = sample_keys();
  const auto expected = libmemcached_placement(servers, variant, keys);
  const KetamaRing ring(servers, variant);
  std::vector<std::size_t> per_server(servers.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    INFO("key " << keys[i]);
    const auto got = ring.server_for(ring.key_point(keys[i]));
    REQUIRE(got);
    CHECK(*got == expected[i]);
    ++per_server[*got];
  }
  for (std::size_t n : per_server) CHECK(n > 0);  // the check covers every server
}

}  // namespace

TEST_CASE("ketama: placement equals libmemcached's (MEMCACHED_BEHAVIOR_KETAMA)", "[simulator][ketama]") {
  check_same_placement({"node1", "node2", "node3", "node4"}, KetamaVariant::kLibmemcached);
  check_same_placement({"10.0.0.1:11211", "10.0.0.2:11212", "cache-c:22122"}, KetamaVariant::kLibmemcached);
  CHECK(KetamaRing({"a", "b"}, KetamaVariant::kLibmemcached).points() == 200);
}

TEST_CASE("ketama: placement equals libmemcached's (MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED)", "[simulator][ketama]") {
  check_same_placement({"node1", "node2", "node3", "node4"}, KetamaVariant::kWeighted);
  check_same_placement({"10.0.0.1:11211", "10.0.0.2:11212", "cache-c:22122", "d:1"}, KetamaVariant::kWeighted);
  CHECK(KetamaRing({"a", "b"}, KetamaVariant::kWeighted).points() == 320);
}

TEST_CASE("ketama: an ejected server's keys move to the survivors, nobody else's move", "[simulator][ketama]") {
  const std::vector<std::string> all{"node1", "node2", "node3", "node4"};
  const KetamaRing full(all, KetamaVariant::kLibmemcached);
  const KetamaRing without2(all, KetamaVariant::kLibmemcached, {true, false, true, true});
  // What libmemcached does with the survivors only (auto-eject rebuilds the ring from them).
  const auto keys = sample_keys();
  const auto survivors = libmemcached_placement({"node1", "node3", "node4"}, KetamaVariant::kLibmemcached, keys);
  const std::size_t survivor_index[] = {0, 2, 3};
  std::size_t moved = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::uint32_t point = full.key_point(keys[i]);
    const std::size_t before = *full.server_for(point);
    const std::size_t after = *without2.server_for(point);
    CHECK(after == survivor_index[survivors[i]]);
    CHECK(after != 1);
    if (before != 1) CHECK(after == before);
    moved += before != after;
  }
  CHECK(moved > keys.size() / 8);   // about a quarter of the keys were on node2
  CHECK(moved < keys.size() / 2);
  CHECK_FALSE(KetamaRing(all, KetamaVariant::kLibmemcached, {false, false, false, false}).server_for(7));
}

TEST_CASE("ketama: an id's point is its decimal text's", "[simulator][ketama]") {
  for (auto v : {KetamaVariant::kLibmemcached, KetamaVariant::kWeighted}) {
    CHECK(ketama_id_point(v, 123456789) == ketama_key_point(v, "123456789"));
    CHECK(ketama_id_point(v, 0) == ketama_key_point(v, "0"));
  }
  CHECK_THROWS_AS(KetamaRing({"host:notaport"}, KetamaVariant::kLibmemcached), std::invalid_argument);
}
