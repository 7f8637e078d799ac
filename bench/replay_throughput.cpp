// Engine replay speed: requests per second through Store::access_batch, the simulator's fast
// path, for a built-in policy or a policy module. The trace is loaded into memory first (so the
// reader is not measured) and replayed `repeat` times with keys shifted per pass (so every pass
// is cold, as a longer trace would be).
// Usage: replay_throughput TRACE.oracleGeneral.bin POLICY|MODULE.so CAPACITY_OBJECTS [repeat]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "cachelab/module_loader.h"
#include "cachelab/store.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s TRACE.oracleGeneral.bin POLICY|MODULE.so CAPACITY_OBJECTS [repeat]\n", argv[0]);
    return 2;
  }
  using namespace cachelab;
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<std::pair<std::uint64_t, std::uint32_t>> trace;
  unsigned char rec[24];
  while (in.read(reinterpret_cast<char*>(rec), sizeof rec)) {
    std::uint64_t id;
    std::uint32_t size;
    std::memcpy(&id, rec + 4, 8);
    std::memcpy(&size, rec + 12, 4);
    trace.emplace_back(id, size);
  }
  const std::string policy = argv[2];
  const StoreConfig config{.capacity = std::strtoull(argv[3], nullptr, 10), .count_objects = true, .store_values = false};
  const int repeat = argc > 4 ? std::atoi(argv[4]) : 50;
  auto store = policy.size() > 3 && policy.substr(policy.size() - 3) == ".so" ? make_module_store(policy, config, {})
                                                                              : make_store(policy, config);
  std::vector<Access> batch(1024);
  std::uint64_t requests = 0, hits = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int pass = 0; pass < repeat; ++pass) {
    const std::uint64_t shift = static_cast<std::uint64_t>(pass) << 40;
    for (std::size_t at = 0; at < trace.size(); at += batch.size()) {
      const std::size_t n = std::min(batch.size(), trace.size() - at);
      for (std::size_t i = 0; i < n; ++i) {
        Access& a = batch[i];
        a = Access{};
        a.key = trace[at + i].first + shift;
        a.size = trace[at + i].second;
        a.now = 1;
        a.op = Access::Op::kRead;
      }
      store->access_batch({batch.data(), n});
      for (std::size_t i = 0; i < n; ++i) hits += batch[i].hit;
      requests += n;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("policy=%s requests=%llu hit_ratio=%.4f seconds=%.3f requests_per_s=%.0f\n", policy.c_str(),
              static_cast<unsigned long long>(requests), static_cast<double>(hits) / static_cast<double>(requests),
              seconds, static_cast<double>(requests) / seconds);
  return 0;
}
