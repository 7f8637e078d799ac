// Bytes of RSS per item in the server's store: 1,000,000 sets of 11-byte keys ("key:0000000")
// with 100-byte values, the load memcached 1.6 needs ~196 B/item for (docs/BENCHMARKS.md).
// Usage: engine_memory [items] [policy]
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "cachelab/sharded_store.h"

static long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

int main(int argc, char** argv) {
  const long items = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  const char* policy = argc > 2 ? argv[2] : "lru";
  using namespace cachelab;
  ShardedStore store(policy, StoreConfig{.capacity = 1024ull << 20, .overhead_bytes = kItemOverheadBytes}, {}, 16);
  const std::string value(100, 'v');
  const long before = rss_kib();
  char key[32];
  for (long i = 0; i < items; ++i) {
    std::snprintf(key, sizeof key, "key:%07ld", i);
    const KeyRef k = ShardedStore::key(key);
    store.with_shard(k, [&](Store& s) { s.put(k, NewItem{.value = value}, 1); });
  }
  const long after = rss_kib();
  const StoreStats st = store.stats();
  std::printf("policy=%s items=%llu rss_before_kib=%ld rss_after_kib=%ld bytes_per_item=%.1f charged_per_item=%.1f\n",
              policy, static_cast<unsigned long long>(st.curr_items), before, after,
              (after - before) * 1024.0 / static_cast<double>(st.curr_items),
              static_cast<double>(st.bytes) / static_cast<double>(st.curr_items));
  return 0;
}
