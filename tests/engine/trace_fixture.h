#pragma once
// Loads the shared oracleGeneral trace (libCacheSim's binary format) for engine-level checks
// against libCacheSim's published figures (tests/data/traces/README.md).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cachelab/store.h"

namespace cachelab::test {

struct TraceRecord {
  std::uint64_t id;
  std::uint32_t size;
  std::int64_t next_access;  // 1-based request index of the next access, -1 = never
};

inline const std::vector<TraceRecord>& cloud_physics_trace() {
  static const std::vector<TraceRecord> records = [] {
    const std::string path = std::string(CACHELAB_TRACES_DIR) + "/cloudPhysicsIO.oracleGeneral.bin";
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) throw std::runtime_error("cannot open " + path);
    std::vector<TraceRecord> out;
    unsigned char rec[24];
    while (std::fread(rec, 1, sizeof rec, f.get()) == sizeof rec) {
      TraceRecord r{};
      std::memcpy(&r.id, rec + 4, 8);
      std::memcpy(&r.size, rec + 12, 4);
      std::memcpy(&r.next_access, rec + 16, 8);
      out.push_back(r);
    }
    return out;
  }();
  return records;
}

struct ReplayResult {
  std::uint64_t misses = 0;
  std::uint64_t missed_bytes = 0;
};

// libCacheSim's semantics: every request a read, a miss inserts, capacity in objects or bytes.
inline ReplayResult replay_trace(const char* policy, std::uint64_t capacity, bool bytes,
                                 const PolicyArgs& args = {}) {
  auto store = make_store(policy, StoreConfig{.capacity = capacity, .count_objects = !bytes, .store_values = false}, args);
  const auto& trace = cloud_physics_trace();
  std::vector<Access> batch(1024);
  ReplayResult result;
  for (std::size_t start = 0; start < trace.size(); start += batch.size()) {
    const std::size_t n = std::min(batch.size(), trace.size() - start);
    for (std::size_t i = 0; i < n; ++i) {
      const TraceRecord& r = trace[start + i];
      Access& a = batch[i];
      a = Access{};
      a.key = r.id;
      a.size = r.size;
      a.now = 1;
      a.op = Access::Op::kRead;
      a.next_access = r.next_access < 0 ? UINT64_MAX : static_cast<std::uint64_t>(r.next_access);
    }
    store->access_batch({batch.data(), n});
    for (std::size_t i = 0; i < n; ++i)
      if (!batch[i].hit) {
        ++result.misses;
        result.missed_bytes += trace[start + i].size;
      }
  }
  return result;
}

}  // namespace cachelab::test
