// Where the cache sits: a cluster of nodes (ketama), per-process local caches, and near caches in
// front of a shared one. Exact equivalences with the plain cache, an exact reference model of node
// outages, and closed forms for local and near caches under Poisson reads and writes.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <unordered_set>

#include "cachelab/sim/ketama.h"
#include "cachelab/types.h"
#include "cachelab/sim/runner.h"
#include "sim_test_util.h"

using namespace cachelab::sim;
using namespace cachelab::sim::test;

namespace {

void check_same(const ReplayResult& a, const ReplayResult& b) {
  CHECK(a.totals.requests == b.totals.requests);
  CHECK(a.totals.reads == b.totals.reads);
  CHECK(a.totals.hits == b.totals.hits);
  CHECK(a.totals.hit_bytes == b.totals.hit_bytes);
  CHECK(a.totals.stale_hits == b.totals.stale_hits);
  CHECK(a.totals.stale_age_ms_sum == b.totals.stale_age_ms_sum);
  CHECK(a.totals.origin_reads == b.totals.origin_reads);
  CHECK(a.store.evictions == b.store.evictions);
  CHECK(a.store.expirations == b.store.expirations);
  CHECK(a.store.curr_items == b.store.curr_items);
}

// A catalog with writes, TTLs and a full cache: every part of the origin model is in play.
Scenario busy_scenario(Invalidation mode) {
  Scenario s;
  s.name = "busy";
  s.seed = 11;
  s.cache.capacity = Capacity{.amount = 300, .count_objects = true};
  s.invalidation = mode;
  WorkloadClass c;
  c.name = "items";
  c.keys = 2000;
  c.popularity = *parse_popularity("zipf(0.9)");
  c.reads_per_s = 400;
  c.writes_per_s = 40;
  c.ttl_ms = 20'000;
  s.classes.push_back(c);
  s.duration_ms = 300'000;
  return s;
}

// Uniform reads over `keys` unit-size keys, one per ms.
std::vector<Request> uniform_reads(std::uint64_t keys, std::size_t count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> stream;
  for (std::size_t i = 0; i < count; ++i) stream.push_back(rng() % keys);
  return key_stream(stream);
}

}  // namespace

TEST_CASE("topology: a one-node cluster and local with one process equal the plain cache exactly",
          "[simulator][topology]") {
  for (auto mode : {Invalidation::kTtlOnly, Invalidation::kDeleteOnWrite, Invalidation::kUpdateOnWrite}) {
    const Scenario plain = busy_scenario(mode);
    const ReplayResult expected = run_scenario(plain);
    REQUIRE(expected.store.evictions > 0);
    REQUIRE(expected.totals.stale_hits + expected.totals.writes > 0);

    Scenario one_node = plain;
    one_node.cluster = ClusterSpec{};
    one_node.cluster->servers = {"node1"};
    one_node.topology_given = true;
    check_same(run_scenario(one_node), expected);

    Scenario local_one = plain;
    local_one.topology.kind = TopologyKind::kLocal;
    check_same(run_scenario(local_one), expected);
  }
}

TEST_CASE("topology: a 4-node cluster is four caches, each fed the keys ketama gives it", "[simulator][topology]") {
  const auto requests = uniform_reads(5000, 200'000, 3);
  const std::vector<std::string> servers{"node1", "node2", "node3", "node4"};
  ReplayConfig config;
  config.policy = "lru";
  config.capacity = Capacity{.amount = 2000, .count_objects = true};
  config.cluster.servers = servers;
  VectorSource all(requests);
  const ReplayResult cluster = replay(all, config);

  // Reference: split the stream by libmemcached's placement and replay each part alone.
  const KetamaRing ring(servers, KetamaVariant::kLibmemcached);
  std::vector<std::vector<Request>> parts(4);
  for (const Request& r : requests) parts[*ring.server_for(ring.key_point(std::to_string(r.key)))].push_back(r);
  std::uint64_t hits = 0, evictions = 0;
  for (auto& part : parts) {
    REQUIRE(part.size() > 30'000);
    ReplayConfig node;
    node.policy = "lru";
    node.capacity = Capacity{.amount = 500, .count_objects = true};
    VectorSource source(part);
    const ReplayResult r = replay(source, node);
    hits += r.totals.hits;
    evictions += r.store.evictions;
  }
  CHECK(cluster.totals.hits == hits);
  CHECK(cluster.store.evictions == evictions);
}

TEST_CASE("topology: a node outage matches a reference model, for rehash and for miss", "[simulator][topology]") {
  const auto requests = uniform_reads(3000, 120'000, 5);  // 120 s at one request per ms
  const std::vector<std::string> servers{"node1", "node2", "node3", "node4"};
  for (const bool eject : {true, false}) {
    ReplayConfig config;
    config.capacity = Capacity{.amount = 1'000'000, .count_objects = true};  // never full
    config.cluster.servers = servers;
    config.cluster.eject_down = eject;
    config.cluster.outages = {NodeOutage{.node = 1, .down_ms = 40'000, .up_ms = 70'000}};
    config.timeline_interval_ms = 10'000;
    VectorSource source(requests);
    const ReplayResult r = replay(source, config);

    // Reference: one set of keys per node; down empties the node; rehash moves its keys along
    // the ring of the live nodes, miss sends them to the origin uncached.
    std::vector<std::unordered_set<std::uint64_t>> held(4);
    const KetamaRing full(servers, KetamaVariant::kLibmemcached);
    const KetamaRing survivors(servers, KetamaVariant::kLibmemcached, {true, false, true, true});
    std::uint64_t hits = 0;
    std::vector<std::uint64_t> interval_hits(12);
    for (const Request& q : requests) {
      const bool down = q.time_ms >= 40'000 && q.time_ms < 70'000;
      if (q.time_ms == 40'000) held[1].clear();
      const std::uint32_t point = full.key_point(std::to_string(q.key));
      std::size_t node = *full.server_for(point);
      if (down && node == 1) {
        if (!eject) continue;  // origin read, nothing cached
        node = *survivors.server_for(point);
      }
      if (held[node].insert(q.key).second) continue;
      ++hits;
      ++interval_hits[q.time_ms / 10'000];
    }
    INFO("eject " << eject);
    CHECK(r.totals.hits == hits);
    REQUIRE(r.timeline.size() == 12);
    for (std::size_t i = 0; i < 12; ++i) CHECK(r.timeline[i].counts.hits == interval_hits[i]);
    // The dip: the interval after the node fails has more origin reads than the one before.
    CHECK(r.timeline[4].counts.origin_reads > 2 * r.timeline[3].counts.origin_reads);
  }
}

namespace {

// Keys read at `lambda` and written at `mu` per key per second (totals over all processes).
Scenario poisson(double lambda, double mu, double ttl_s, std::uint64_t seconds) {
  Scenario s;
  s.name = "poisson";
  s.seed = 17;
  s.cache.capacity = Capacity{.amount = 10'000'000, .count_objects = true};
  s.invalidation = Invalidation::kDeleteOnWrite;
  WorkloadClass c;
  c.name = "items";
  c.keys = 500;
  c.reads_per_s = lambda * 500;
  c.writes_per_s = mu * 500;
  c.ttl_ms = static_cast<std::int64_t>(ttl_s * 1000);
  s.classes.push_back(c);
  s.duration_ms = seconds * 1000;
  return s;
}

// One process's copy of a key under delete-on-write when requests are spread over n processes:
// it sees reads at lambda/n; only its own writes (mu/n) delete it, the others' (mu (n-1)/n)
// make it stale. With life tau = (1 - e^(-mu_own T)) / mu_own:
//   hit ratio  = lambda' tau / (1 + lambda' tau)
//   stale hits / hits = 1 - [(1 - e^(-mu T)) / mu] / tau
struct CopyModel {
  double hit_ratio;
  double stale_share;
};
CopyModel copy_model(double lambda, double mu, double ttl, double n) {
  const double own = mu / n;
  const double tau = (1 - std::exp(-own * ttl)) / own;
  const double l = lambda / n;
  return {l * tau / (1 + l * tau), 1 - ((1 - std::exp(-mu * ttl)) / mu) / tau};
}

}  // namespace

TEST_CASE("topology: local caches under Poisson reads and writes match the closed form", "[simulator][topology]") {
  const double lambda = 1, mu = 0.2, ttl = 5;
  Scenario s = poisson(lambda, mu, ttl, 600);
  s.topology.kind = TopologyKind::kLocal;
  s.topology.processes = 4;
  const ReplayResult r = run_scenario(s);
  const CopyModel m = copy_model(lambda, mu, ttl, 4);
  REQUIRE(r.totals.reads > 250'000);
  CHECK(r.totals.hit_ratio() == Approx(m.hit_ratio).margin(0.01));
  CHECK(double(r.totals.stale_hits) / double(r.totals.hits) == Approx(m.stale_share).margin(0.01));
  // The same memory shared: one copy, deleted on every write, never stale, hit far more often.
  const ReplayResult shared = run_scenario(poisson(lambda, mu, ttl, 600));
  const CopyModel one = copy_model(lambda, mu, ttl, 1);
  CHECK(shared.totals.stale_hits == 0);
  CHECK(shared.totals.hit_ratio() == Approx(one.hit_ratio).margin(0.01));
}

TEST_CASE("topology: two-tier near caches cost staleness as the closed form says", "[simulator][topology]") {
  const double lambda = 1, mu = 0.2, near_ttl = 5;
  Scenario s = poisson(lambda, mu, 60, 600);
  s.topology.kind = TopologyKind::kTwoTier;
  s.topology.processes = 4;
  s.topology.near_capacity = Capacity{.amount = 1'000'000, .count_objects = true};
  s.topology.near_ttl_ms = 5000;
  s.topology_given = true;
  const ReplayResult r = run_scenario(s);
  const CopyModel near = copy_model(lambda, mu, near_ttl, 4);
  // The shared tier is deleted on every write, so only near hits can be stale.
  CHECK(double(r.totals.near_hits) / double(r.totals.reads) == Approx(near.hit_ratio).margin(0.01));
  CHECK(double(r.totals.stale_hits) / double(r.totals.near_hits) == Approx(near.stale_share).margin(0.01));
  CHECK(r.totals.hits > r.totals.near_hits);  // near misses find the shared copy

  // One process: its own writes delete its near copy, so nothing is ever stale.
  s.topology.processes = 1;
  CHECK(run_scenario(s).totals.stale_hits == 0);
}

TEST_CASE("topology: a csv trace's text keys are placed by their text, as a client would", "[simulator][topology]") {
  // Keys "user:N" (hashed to ids) and keys that look numeric but are placed by their text too.
  std::string csv = "time,key\n";
  std::mt19937_64 rng(9);
  std::vector<std::string> keys;
  for (int i = 0; i < 30000; ++i) {
    keys.push_back(i % 3 ? "user:" + std::to_string(rng() % 3000) : std::to_string(rng() % 1000));
    csv += std::to_string(i) + "," + keys.back() + "\n";
  }
  Scenario s;
  s.name = "text";
  s.cache.capacity = Capacity{.amount = 1200, .count_objects = true};
  TraceSpec trace;
  trace.path = temp_file("text_keys.csv", csv);
  trace.columns = CsvColumns{.time = 1, .key = 2};
  trace.header = true;
  trace.time_unit_ms = 1;
  s.trace = trace;
  s.cluster = ClusterSpec{};
  s.cluster->servers = {"10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.3:11211"};
  s.cluster->hashing = KetamaVariant::kWeighted;
  s.topology_given = true;
  const ReplayResult cluster = run_scenario(s);

  const KetamaRing ring(s.cluster->servers, KetamaVariant::kWeighted);
  std::vector<std::vector<std::uint64_t>> parts(3);
  for (const std::string& k : keys) {
    // The reader's key ids: numeric text is the id itself, other text is hashed.
    parts[*ring.server_for(ring.key_point(k))].push_back(k.find(':') == std::string::npos ? std::stoull(k) : cachelab::hash_key(k));
  }
  std::uint64_t hits = 0;
  for (const auto& part : parts) {
    ReplayConfig node;
    node.capacity = Capacity{.amount = 400, .count_objects = true};
    VectorSource source(key_stream(part));
    hits += replay(source, node).totals.hits;
  }
  CHECK(cluster.totals.hits == hits);
  CHECK(cluster.totals.reads == 30000);
}
