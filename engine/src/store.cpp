// What every store shares and is not a template: hashing, the registry, make_store.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "cachelab/policy_registry.h"
#include "cachelab/store.h"
#include "store_impl.h"

namespace cachelab {

std::uint64_t hash_key(std::string_view key) noexcept { return XXH3_64bits(key.data(), key.size()); }

StoreStats& StoreStats::operator+=(const StoreStats& o) noexcept {
  hits += o.hits;
  misses += o.misses;
  expired_misses += o.expired_misses;
  evictions += o.evictions;
  expirations += o.expirations;
  expired_unfetched += o.expired_unfetched;
  evicted_unfetched += o.evicted_unfetched;
  curr_items += o.curr_items;
  bytes += o.bytes;
  total_items += o.total_items;
  refused_too_large += o.refused_too_large;
  return *this;
}

void check_policy_args(std::string_view policy, const PolicyArgs& args,
                       std::initializer_list<std::string_view> known) {
  for (const auto& [k, v] : args) {
    if (std::find(known.begin(), known.end(), k) == known.end())
      throw std::invalid_argument("policy " + std::string(policy) + " has no argument '" + k + "'");
  }
}

PolicyRegistry& PolicyRegistry::instance() {
  static PolicyRegistry registry;
  return registry;
}

bool PolicyRegistry::add(PolicyInfo info) {
  if (find(info.name)) throw std::logic_error("policy registered twice: " + info.name);
  policies_.push_back(std::make_unique<PolicyInfo>(std::move(info)));
  return true;
}

const PolicyInfo* PolicyRegistry::find(std::string_view name) const {
  for (const auto& p : policies_)
    if (p->name == name) return p.get();
  return nullptr;
}

std::vector<const PolicyInfo*> PolicyRegistry::all() const {
  std::vector<const PolicyInfo*> out;
  for (const auto& p : policies_) out.push_back(p.get());
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->name < b->name; });
  return out;
}

std::unique_ptr<Store> make_store(std::string_view policy, const StoreConfig& config, const PolicyArgs& args) {
  const PolicyInfo* info = PolicyRegistry::instance().find(policy);
  if (!info) {
    std::string known;
    for (const auto* p : PolicyRegistry::instance().all()) known += (known.empty() ? "" : ", ") + p->name;
    throw std::invalid_argument("unknown policy '" + std::string(policy) + "' (known: " + known + ")");
  }
  return info->make(config, args);
}

}  // namespace cachelab
