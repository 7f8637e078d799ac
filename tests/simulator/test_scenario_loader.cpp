// Scenario loading: the fields, --set overrides, and one clear error (file:line: field: what)
// for every kind of bad input.
#include <catch2/catch.hpp>

#include "cachelab/sim/scenario.h"
#include "cachelab/sim/units.h"
#include "sim_test_util.h"

using namespace cachelab::sim;
using namespace cachelab::sim::test;

namespace {

const char* kCatalog = R"yaml(name: catalog
seed: 42
duration: 1h
cache: {capacity: 64MiB, policy: lru, overhead_bytes: 48}
invalidation: delete-on-write
classes:
  - {name: products, keys: 100000, popularity: zipf(0.99), size: fixed(512),
     reads_per_s: 2000, writes_per_s: 20, ttl: 5m}
  - {name: users, keys: 1000, popularity: "hotspot(0.1, 0.9)", size: "lognormal(6, 1)", reads_per_s: 10}
events:
  - {at: 30m, restart: true}
  - {at: 40m, shift: {class: products, by: 0.25}}
sweep: {policy: [lru, fifo], capacity: [16MiB, 64MiB]}
)yaml";

std::string load_error(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  const std::string path = temp_file("bad.yaml", yaml);
  try {
    load_scenario(path, sets);
  } catch (const InputError& e) {
    const std::string what = e.what();
    CHECK(what.rfind(path, 0) == 0);  // always names the file
    return what.substr(path.size());
  }
  FAIL("no error for:\n" << yaml);
  return "";
}

}  // namespace

TEST_CASE("capacity and duration forms", "[sim][scenario]") {
  CHECK(parse_capacity("1048576")->amount == 1048576);
  CHECK(parse_capacity("64MiB")->amount == 64ull << 20);
  CHECK(parse_capacity("1GB")->amount == 1000000000ull);
  CHECK(parse_capacity("10KB")->amount == 10000);
  CHECK(parse_capacity("4KiB")->amount == 4096);
  CHECK(parse_capacity("512B")->amount == 512);
  CHECK(parse_capacity("1.5GiB")->amount == 3ull << 29);
  CHECK(parse_capacity("100000 objects")->count_objects);
  CHECK(parse_capacity("100000 objects")->amount == 100000);
  CHECK_FALSE(parse_capacity("64 MiBs"));
  CHECK_FALSE(parse_capacity("-5MB"));
  CHECK_FALSE(parse_capacity("0"));
  CHECK_FALSE(parse_capacity("1.5 objects"));
  CHECK(*parse_duration_ms("250ms") == 250);
  CHECK(*parse_duration_ms("30s") == 30000);
  CHECK(*parse_duration_ms("5m") == 300000);
  CHECK(*parse_duration_ms("1h") == 3600000);
  CHECK(*parse_duration_ms("2d") == 172800000);
  CHECK(*parse_duration_ms("90") == 90000);
  CHECK_FALSE(parse_duration_ms("-1s"));
  CHECK_FALSE(parse_duration_ms("5 parsecs"));
}

TEST_CASE("a full scenario loads", "[sim][scenario]") {
  const Scenario s = load_scenario(temp_file("catalog.yaml", kCatalog));
  CHECK(s.name == "catalog");
  CHECK(s.seed == 42);
  CHECK(s.duration_ms == 3600000);
  CHECK(s.cache.capacity.amount == 64ull << 20);
  CHECK(s.cache.overhead_bytes == 48);
  CHECK(s.invalidation == Invalidation::kDeleteOnWrite);
  REQUIRE(s.classes.size() == 2);
  CHECK(s.classes[0].popularity.kind == Popularity::Kind::kZipf);
  CHECK(s.classes[0].popularity.zipf_a == 0.99);
  CHECK(s.classes[0].ttl_ms == 300000);
  CHECK(s.classes[1].size.kind == SizeDistribution::Kind::kLognormal);
  CHECK(s.classes[1].ttl_ms == 0);
  CHECK(s.restarts_ms == std::vector<std::uint64_t>{1800000});
  REQUIRE(s.shifts.size() == 1);
  CHECK(s.shifts[0].fraction == 0.25);
  REQUIRE(s.sweep.size() == 2);
  CHECK(s.sweep[1].values == std::vector<std::string>{"16MiB", "64MiB"});
  CHECK_FALSE(uniform_ttl_s(s));  // the classes' TTLs differ
}

TEST_CASE("set overrides: --set changes fields, short names and classes by name", "[sim][scenario]") {
  const std::string path = temp_file("catalog.yaml", kCatalog);
  const Scenario s = load_scenario(path, {"cache.capacity=1GiB", "policy=fifo", "classes.products.keys=10",
                                          "classes.1.reads_per_s=5", "ttl=10s", "invalidation=update-on-write"});
  CHECK(s.cache.capacity.amount == 1ull << 30);
  CHECK(s.cache.policy == "fifo");
  CHECK(s.classes[0].keys == 10);
  CHECK(s.classes[1].reads_per_s == 5);
  CHECK(s.invalidation == Invalidation::kUpdateOnWrite);
  CHECK(*uniform_ttl_s(s) == 10.0);
  CHECK_THROWS_WITH(load_scenario(path, {"capacity"}), Catch::Contains("--set capacity: expected PATH=VALUE"));
  CHECK_THROWS_WITH(load_scenario(path, {"classes.nosuch.keys=1"}), Catch::Contains("no element 'nosuch'"));
  CHECK_THROWS_WITH(load_scenario(path, {"capacity=lots"}),
                    Catch::Contains("(--set): cache.capacity: expected bytes"));
}

TEST_CASE("bad scenarios: one line naming file, line and field", "[sim][scenario]") {
  const std::string ok_classes = "classes: [{name: a, keys: 10, reads_per_s: 1}]\nduration: 1m\n";
  CHECK(load_error("name: x\n" + ok_classes) == ":1: cache: missing field (e.g. cache: {capacity: 64MiB, policy: lru})");
  CHECK(load_error("cache: {policy: lru}\n" + ok_classes) ==
        ":1: cache.capacity: missing field (e.g. 64MiB, 1GB or '100000 objects')");
  CHECK(load_error("cache:\n  capacity: 1MiB\n  policy: lruu\n" + ok_classes).rfind(":3: cache.policy: unknown policy 'lruu' (known: ", 0) == 0);
  CHECK(load_error("cache: {capacity: [1, 2]}\n" + ok_classes) == ":1: cache.capacity: expected a single value");
  CHECK(load_error("cache: {capacity: 1MiB}\nclasses: [{name: a, keys: ten, reads_per_s: 1}]\nduration: 1m\n") ==
        ":2: classes.a.keys: expected a non-negative integer, got 'ten'");
  CHECK(load_error("cache: {capacity: 1MiB}\nclasses:\n  - {name: a, keys: 10, reads_per_s: 1, ttl: -5s}\nduration: 1m\n") ==
        ":3: classes.a.ttl: must not be negative, got '-5s'");
  CHECK(load_error("cache: {capacity: 1MiB, ttl: -1}\n" + ok_classes) == ":1: cache.ttl: must not be negative, got '-1'");
  CHECK(load_error("cache: {capacity: 1MiB}\nclasses: [{name: a, keys: 10, reads_per_s: 1}]\n") ==
        ":1: duration: missing field: a synthetic workload needs duration: or requests:");
  CHECK(load_error("cache: {capacity: 1MiB, colour: blue}\n" + ok_classes) ==
        ":1: cache.colour: unknown field (known: capacity, policy, overhead_bytes, ttl)");
  CHECK(load_error("cache: {capacity: 1MiB}\nclasses: [{name: a, keys: 9, reads_per_s: 1, size: uniform(1, 9)}]\nduration: 1m\n")
            .find("must be quoted") != std::string::npos);
  CHECK(load_error("cache: {capacity: 1MiB}\n") == ":1: classes: missing field: a scenario needs classes: or trace:");
  CHECK(load_error("cache: {capacity: 1MiB}\ntrace: {path: /nonexistent.bin, format: oracleGeneral}\n") ==
        ":2: trace.path: cannot read /nonexistent.bin");
  CHECK(load_error("cache: {capacity: 1MiB\n").rfind(":2: bad YAML: ", 0) == 0);
  CHECK(load_error("- just\n- a list\n") == ":1: (top): a scenario is a YAML map (name:, cache:, classes: or trace:, ...)");
  CHECK(load_error("cache: {capacity: 1MiB}\n" + ok_classes + "events: [{at: 1m}]\n") ==
        ":4: events[0]: an event needs restart: true or shift:");
  CHECK(load_error("cache: {capacity: 1MiB}\nclasses: [{name: a, keys: 10, reads_per_s: 1, popularity: zipf}]\nduration: 1m\n")
            .find("classes.a.popularity: expected uniform, zipf(a)") != std::string::npos);
  CHECK(load_error("cache: {capacity: 1MiB, policy: {name: lru, args: {bogus: 1}}}\n" + ok_classes).find(":1: cache.policy: ") == 0);
}

TEST_CASE("a missing scenario file is an input error", "[sim][scenario]") {
  CHECK_THROWS_WITH(load_scenario("/nonexistent/s.yaml"), "/nonexistent/s.yaml: cannot read the scenario file");
}

TEST_CASE("a policy module runs the replay, a bad one is an error at its line", "[sim][scenario]") {
  const std::string traces = CACHELAB_TRACES_DIR;
  const std::string modules = CACHELAB_TEST_MODULE_DIR;
  const std::string yaml = "cache:\n  capacity: 4897 objects\n  policy: {module: " + modules +
                           "/fifo.so}\ntrace: {path: " + traces + "/cloudPhysicsIO.oracleGeneral.bin, format: oracleGeneral}\n";
  const Scenario s = load_scenario(temp_file("module.yaml", yaml));
  CHECK(s.cache.policy.rfind("module:", 0) == 0);
  auto reader = open_trace(*s.trace);
  CHECK(replay(*reader, replay_config(s)).totals.misses == 91716);  // libCacheSim's FIFO figure

  std::string bad = yaml;
  bad.replace(bad.find("fifo.so"), 7, "bad_abi.so");
  CHECK(load_error(bad).rfind(":3: cache.policy.module: policy module ", 0) == 0);
}

namespace {
// A scenario that needs only a topology or a cluster appended.
const std::string kTierBase = R"yaml(name: tiers
duration: 1m
cache: {capacity: 64MiB}
classes: [{name: a, keys: 10, reads_per_s: 1}]
)yaml";
}  // namespace

TEST_CASE("topology and cluster load, with --set reaching their fields", "[sim][scenario][topology]") {
  const std::string path = temp_file("tiers.yaml", kTierBase + R"yaml(topology: {kind: two-tier, processes: 8, near: {capacity: 4MiB, ttl: 10s, policy: sieve}}
cluster:
  nodes: 3
  hashing: ketama-weighted
  on_down: miss
  events: [{node: 2, down: 30s, up: 40s}, {node: 3, down: 50s}]
)yaml");
  const Scenario s = load_scenario(path);
  CHECK(s.topology_given);
  CHECK(s.topology.kind == TopologyKind::kTwoTier);
  CHECK(s.topology.processes == 8);
  CHECK(s.topology.near_capacity.amount == 4ull << 20);
  CHECK(s.topology.near_ttl_ms == 10'000);
  CHECK(s.topology.near_policy == "sieve");
  REQUIRE(s.cluster);
  CHECK(s.cluster->servers == std::vector<std::string>{"node1", "node2", "node3"});
  CHECK(s.cluster->hashing == KetamaVariant::kWeighted);
  CHECK_FALSE(s.cluster->eject_down);
  REQUIRE(s.cluster->outages.size() == 2);
  CHECK(s.cluster->outages[0].node == 1);
  CHECK(s.cluster->outages[0].down_ms == 30'000);
  CHECK(s.cluster->outages[0].up_ms == 40'000);
  CHECK(s.cluster->outages[1].up_ms == 0);
  const ReplayConfig r = replay_config(s);
  CHECK(r.cluster.nodes() == 3);
  CHECK(r.topology.processes == 8);

  const Scenario local = load_scenario(path, {"topology.kind=local", "cluster=null"});  // near: is ignored
  CHECK(local.topology.kind == TopologyKind::kLocal);
  CHECK_FALSE(local.cluster);

  const Scenario plain = load_scenario(temp_file("plain.yaml", kTierBase));
  CHECK_FALSE(plain.topology_given);
  CHECK(plain.topology.kind == TopologyKind::kShared);
  CHECK(load_scenario(temp_file("scalar.yaml", kTierBase + "topology: local\n")).topology.kind == TopologyKind::kLocal);
  const Scenario named = load_scenario(temp_file("named.yaml", kTierBase + "cluster: {servers: [a:11211, 'b:11212']}\n"));
  CHECK(named.cluster->servers == std::vector<std::string>{"a:11211", "b:11212"});
}

TEST_CASE("bad topology and cluster: one line naming the field", "[sim][scenario][topology]") {
  CHECK(load_error(kTierBase + "topology: mesh\n") == ":5: topology.kind: expected shared, local or two-tier, got 'mesh'");
  CHECK(load_error(kTierBase + "topology: {kind: two-tier}\n") ==
        ":5: topology.near: missing field (e.g. near: {capacity: 4MiB, ttl: 10s})");
  CHECK(load_error(kTierBase + "topology: {kind: local, processes: 0}\n") == ":5: topology.processes: must be between 1 and 4096");
  CHECK(load_error(kTierBase + "cluster: {nodes: 2, events: [{node: 3, down: 1s}]}\n") ==
        ":5: cluster.events[0].node: no node 3 (nodes are numbered 1 to 2)");
  CHECK(load_error(kTierBase + "cluster: {nodes: 2, events: [{node: 1, down: 10s, up: 5s}]}\n") ==
        ":5: cluster.events[0].up: a node comes back up after it went down");
  CHECK(load_error(kTierBase + "cluster: {nodes: 2, hashing: modula}\n") ==
        ":5: cluster.hashing: expected ketama (libmemcached's) or ketama-weighted (libketama's, twemproxy's md5)");
  CHECK(load_error(kTierBase + "cluster: {servers: ['a:xyz']}\n") ==
        ":5: cluster.servers: bad server 'a:xyz': expected host or host:port");
  CHECK(load_error(kTierBase + "topology: local\ncluster: {nodes: 2}\n") ==
        ":6: cluster: topology local has no shared cache to spread over nodes");
}

TEST_CASE("scenario: a capture replayed with a capacity in MB is warned about (the server's -m is MiB)",
          "[simulator][scenario]") {
  const std::string trace = temp_file("capture.csv", "time,op,size,ttl,key\n0,set,10,0,a\n");
  auto capture = [&](const std::string& capacity, const char* replay) {
    return load_scenario(temp_file("capture.yaml",
                                   "name: capture\ncache: {capacity: " + capacity + ", policy: lru}\n"
                                   "trace: {path: '" + trace + "', format: csv, header: true, replay: " + replay +
                                   ",\n        columns: {time: 1, op: 2, size: 3, ttl: 4, key: 5}}\n"));
  };
  const Scenario decimal = capture("64MB", "commands");
  REQUIRE(decimal.warnings.size() == 1);
  CHECK_THAT(decimal.warnings[0], Catch::Contains("capture.yaml:2: cache.capacity 64MB") && Catch::Contains("write 64MiB"));
  CHECK(decimal.cache.capacity.amount == 64'000'000);  // it still runs as written
  CHECK(capture("64MiB", "commands").warnings.empty());
  CHECK(capture("67108864", "commands").warnings.empty());
  CHECK(capture("64MB", "demand-fill").warnings.empty());  // not a capture of a server
}
