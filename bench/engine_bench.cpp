// Google Benchmark for the engine's and the protocol's hot paths (results: docs/BENCHMARKS.md).
//
//   build/release/bench/engine_bench [--benchmark_filter=REGEX] [--benchmark_repetitions=3]
//
// Per server policy (the registry's, simulator-only ones left out), with the server's layout:
// byte keys `key:0000000`..., 100-byte values, the key hashed on every call as the server does.
//   get_hit/POLICY       a get of a present key (100,000 items in a store big enough for all)
//   get_miss/POLICY      a get of an absent key in the same store
//   set_evict/POLICY     sets cycling over 200,000 keys into a full 4 MiB store (~25,000 items):
//                        nearly every set evicts (the evictions/set counter says how many)
// And the text protocol:
//   parse/get            `get key:0000000\r\n` lines, bytes/s
//   parse/set            `set key:0000000 0 0 100\r\n` + 100-byte blocks, bytes/s
//   parse/multiget16     16-key get lines, bytes/s
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cachelab/policy_registry.h"
#include "cachelab/protocol/parser.h"
#include "cachelab/store.h"

namespace {

using namespace cachelab;

constexpr std::size_t kItems = 100'000;
constexpr Tick kNow = 1;

std::string key_name(std::size_t i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "key:%07zu", i);
  return buf;
}

const std::vector<std::string>& keys(std::size_t n) {
  static std::vector<std::string> names;
  while (names.size() < n) names.push_back(key_name(names.size()));
  return names;
}

// A stride coprime with the key count visits every key in an order the caches cannot predict.
constexpr std::size_t kStride = 7919;

std::unique_ptr<Store> server_store(const std::string& policy, std::uint64_t capacity) {
  StoreConfig config;
  config.capacity = capacity;
  config.overhead_bytes = kItemOverheadBytes;
  return make_store(policy, config);
}

void get_bench(benchmark::State& state, const std::string& policy, bool hit) {
  auto store = server_store(policy, 1ull << 30);
  const auto& names = keys(2 * kItems);
  const std::string value(100, 'v');
  for (std::size_t i = 0; i < kItems; ++i)
    store->put({names[i], hash_key(names[i])}, NewItem{.value = value}, kNow);
  const std::size_t base = hit ? 0 : kItems;  // the absent keys are the next 100,000
  std::size_t i = 0, found = 0;
  for (auto _ : state) {
    const std::string& k = names[base + i];
    found += store->get({k, hash_key(k)}, kNow, [](const Item& it) { benchmark::DoNotOptimize(it.value_len); });
    i = (i + kStride) % kItems;
  }
  if (found != static_cast<std::size_t>(hit ? state.iterations() : 0)) state.SkipWithError("unexpected hit/miss count");
  state.SetItemsProcessed(state.iterations());
}

void set_evict_bench(benchmark::State& state, const std::string& policy) {
  auto store = server_store(policy, 4ull << 20);
  const auto& names = keys(2 * kItems);
  const std::string value(100, 'v');
  std::size_t i = 0;
  // Fill first, so that every measured set evicts.
  for (std::size_t n = 0; n < 2 * kItems; ++n, i = (i + kStride) % (2 * kItems))
    store->put({names[i], hash_key(names[i])}, NewItem{.value = value}, kNow);
  const std::uint64_t evictions_before = store->stats().evictions;
  for (auto _ : state) {
    const std::string& k = names[i];
    benchmark::DoNotOptimize(store->put({k, hash_key(k)}, NewItem{.value = value}, kNow));
    i = (i + kStride) % (2 * kItems);
  }
  state.counters["evictions/set"] = static_cast<double>(store->stats().evictions - evictions_before) /
                                    static_cast<double>(std::max<benchmark::IterationCount>(state.iterations(), 1));
  state.SetItemsProcessed(state.iterations());
}

// Parses a buffer of requests end to end, as a connection does with what one read returned.
void parse_bench(benchmark::State& state, const std::string& input, std::size_t requests_per_buffer) {
  protocol::RequestParser parser;
  protocol::Request request;
  for (auto _ : state) {
    std::string_view rest = input;
    std::size_t n = 0;
    while (!rest.empty()) {
      std::size_t consumed = 0;
      if (parser.parse(rest, request, consumed) != protocol::ParseStatus::kRequest) break;
      benchmark::DoNotOptimize(request.tokens.data());
      rest.remove_prefix(consumed);
      ++n;
    }
    if (n != requests_per_buffer) state.SkipWithError("parse stopped early");
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(requests_per_buffer));
}

std::string get_lines(std::size_t n, std::size_t keys_per_line) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += "get";
    for (std::size_t k = 0; k < keys_per_line; ++k) s += " " + key_name(i * keys_per_line + k);
    s += "\r\n";
  }
  return s;
}

std::string set_requests(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += "set " + key_name(i) + " 0 0 100\r\n" + std::string(100, 'v') + "\r\n";
  return s;
}

int register_all() {
  for (const PolicyInfo* p : PolicyRegistry::instance().all()) {
    if (p->simulator_only) continue;
    const std::string name = p->name;
    benchmark::RegisterBenchmark(("get_hit/" + name).c_str(), [name](benchmark::State& s) { get_bench(s, name, true); });
    benchmark::RegisterBenchmark(("get_miss/" + name).c_str(), [name](benchmark::State& s) { get_bench(s, name, false); });
    benchmark::RegisterBenchmark(("set_evict/" + name).c_str(), [name](benchmark::State& s) { set_evict_bench(s, name); });
  }
  static const std::string gets = get_lines(1000, 1), sets = set_requests(1000), multigets = get_lines(100, 16);
  benchmark::RegisterBenchmark("parse/get", [](benchmark::State& s) { parse_bench(s, gets, 1000); });
  benchmark::RegisterBenchmark("parse/set", [](benchmark::State& s) { parse_bench(s, sets, 1000); });
  benchmark::RegisterBenchmark("parse/multiget16", [](benchmark::State& s) { parse_bench(s, multigets, 100); });
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
