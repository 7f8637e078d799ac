#include "cachelab/sharded_store.h"

#include <algorithm>

namespace cachelab {

ShardedStore::ShardedStore(std::string_view policy, const StoreConfig& total, const PolicyArgs& args,
                           std::size_t shards)
    : ShardedStore(total, shards, [&](const StoreConfig& part) { return make_store(policy, part, args); }) {}

ShardedStore::ShardedStore(const StoreConfig& total, std::size_t shards, const StoreFactory& make)
    : total_(total) {
  std::size_t n = std::max<std::size_t>(shards, 1);
  if (!total.count_objects)
    while (n > 1 && total.capacity / n < 2 * total.max_item_size) n /= 2;
  for (std::size_t i = 0; i < n; ++i) {
    StoreConfig part = total;
    part.capacity = total.capacity / n + (i < total.capacity % n ? 1 : 0);
    // CAS values are unique across shards: shard i hands out i+1, i+1+n, i+1+2n...
    part.first_cas = i + 1;
    part.cas_step = n;
    auto s = std::make_unique<Shard>();
    s->store = make(part);
    shards_.push_back(std::move(s));
  }
}

std::vector<std::pair<std::string, std::uint64_t>> ShardedStore::policy_stats() const {
  std::vector<std::pair<std::string, std::uint64_t>> sum;
  each_shard([&](const Store& s) {
    for (const auto& stat : s.policy_stats()) {  // no structured binding: clang 14 cannot capture one
      auto pos = std::find_if(sum.begin(), sum.end(), [&](const auto& e) { return e.first == stat.first; });
      if (pos == sum.end()) sum.push_back(stat); else pos->second += stat.second;
    }
  });
  return sum;
}

StoreStats ShardedStore::stats() const {
  StoreStats sum;
  each_shard([&](const Store& s) { sum += s.stats(); });
  return sum;
}

}  // namespace cachelab
